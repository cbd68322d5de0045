/**
 * `${VAR}`, `${VAR:-default}` and `${env:VAR}` expansion (docs/conventions.md section 2), applied to
 * `command`, `args`, `env` values, `cwd`, `url` and `headers` values just before connecting.
 * `${workspaceFolder}` (VS Code) expands to the working directory.
 *
 * Rules: `${VAR}` and `${env:VAR}` need VAR to be set (an empty value counts as set);
 * `${VAR:-default}` uses the default when VAR is unset or empty, as in POSIX shells; `$$` is not
 * special. A missing variable is `CONFIG_VARIABLE_MISSING` naming the variable, the server, the
 * key and the file; an unsupported reference such as VS Code's `${input:...}` is `CONFIG_INVALID`.
 */
import { McpCliError } from "../errors.js";
import type { ResolvedServerConfig, ServerConfig } from "./types.js";

export interface ExpansionContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Value of `${workspaceFolder}`. */
  readonly cwd?: string;
}

const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Where {
  readonly server: string;
  readonly file: string;
  readonly key: string;
}

/**
 * Expands the references in one string. Every value substituted from a variable or a default is
 * appended to `substituted` when given (`${workspaceFolder}` is not: it is a path, not a secret).
 */
export function expandString(
  value: string,
  context: ExpansionContext,
  where: Where,
  substituted?: string[],
): string {
  if (value.includes("${") && !/\$\{[^}]*\}/.test(value.slice(value.indexOf("${")))) {
    throw invalid(where, `unterminated "\${" in ${JSON.stringify(value)}`);
  }
  return value.replace(REFERENCE, (_match, body: string) => {
    if (body === "workspaceFolder" && context.cwd !== undefined) return context.cwd;
    let name = body;
    let fallback: string | undefined;
    const defaultIndex = body.indexOf(":-");
    if (body.startsWith("env:")) {
      name = body.slice("env:".length);
    } else if (defaultIndex !== -1) {
      name = body.slice(0, defaultIndex);
      fallback = body.slice(defaultIndex + 2);
    }
    if (!NAME.test(name)) {
      throw invalid(
        where,
        `unsupported reference "\${${body}}"; use \${VAR}, \${VAR:-default} or \${env:VAR}` +
          (body.startsWith("input:") ? " (VS Code input variables are not supported)" : ""),
      );
    }
    const current = context.env[name];
    if (fallback !== undefined) {
      const chosen = current === undefined || current === "" ? fallback : current;
      substituted?.push(chosen);
      return chosen;
    }
    if (current === undefined) {
      throw new McpCliError(
        "CONFIG_VARIABLE_MISSING",
        `${where.file}: server "${where.server}", key "${where.key}": environment variable ${name} is not set` +
          ` (set it, or write \${${name}:-default})`,
        { details: { variable: name, server: where.server, key: where.key, file: where.file } },
      );
    }
    substituted?.push(current);
    return current;
  });
}

function invalid(where: Where, message: string): McpCliError {
  return new McpCliError(
    "CONFIG_INVALID",
    `${where.file}: server "${where.server}", key "${where.key}": ${message}`,
    {
      details: { server: where.server, key: where.key, file: where.file },
    },
  );
}

function expandRecord(
  record: Readonly<Record<string, string>>,
  key: string,
  context: ExpansionContext,
  server: ServerConfig,
  substituted: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    out[name] = expandString(
      value,
      context,
      { server: server.name, file: server.source, key: `${key}.${name}` },
      substituted,
    );
  }
  return out;
}

/**
 * The values worth redacting: non-empty, longest first (so a value that contains another is
 * replaced whole), each once.
 */
function redactionList(substituted: readonly string[]): string[] {
  return [...new Set(substituted.filter((value) => value !== ""))].sort((a, b) => b.length - a.length);
}

/**
 * The entry with every reference expanded. The result holds secrets: never print it; its `redact`
 * lists every substituted value, for whoever prints text that may contain one (error messages).
 */
export function expandServerConfig(config: ServerConfig, context: ExpansionContext): ResolvedServerConfig {
  const where = (key: string): Where => ({ server: config.name, file: config.source, key });
  const substituted: string[] = [];
  if (config.transport === "stdio") {
    const expanded: ServerConfig = {
      ...config,
      command: expandString(config.command, context, where("command"), substituted),
      args: config.args.map((arg, index) => expandString(arg, context, where(`args[${index}]`), substituted)),
      env: expandRecord(config.env, "env", context, config, substituted),
      ...(config.cwd === undefined
        ? {}
        : { cwd: expandString(config.cwd, context, where("cwd"), substituted) }),
    };
    return resolvedWith(expanded, substituted);
  }
  const expanded: ServerConfig = {
    ...config,
    url: expandString(config.url, context, where("url"), substituted),
    headers: expandRecord(config.headers, "headers", context, config, substituted),
    ...(config.oauth?.clientSecret === undefined
      ? {}
      : {
          oauth: {
            ...config.oauth,
            clientSecret: expandString(
              config.oauth.clientSecret,
              context,
              where("oauth.clientSecret"),
              substituted,
            ),
          },
        }),
  };
  return resolvedWith(expanded, substituted);
}

function resolvedWith(expanded: ServerConfig, substituted: readonly string[]): ResolvedServerConfig {
  const withRedactions: ServerConfig & { redact: readonly string[] } = {
    ...expanded,
    redact: redactionList(substituted),
  };
  return withRedactions as ResolvedServerConfig;
}
