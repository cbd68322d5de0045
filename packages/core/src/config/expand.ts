/**
 * `${VAR}`, `${VAR:-default}` and `${env:VAR}` expansion (CONVENTIONS.md section 2), applied to
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

/** Expands the references in one string. */
export function expandString(value: string, context: ExpansionContext, where: Where): string {
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
    if (fallback !== undefined) return current === undefined || current === "" ? fallback : current;
    if (current === undefined) {
      throw new McpCliError(
        "CONFIG_VARIABLE_MISSING",
        `${where.file}: server "${where.server}", key "${where.key}": environment variable ${name} is not set` +
          ` (set it, or write \${${name}:-default})`,
        { details: { variable: name, server: where.server, key: where.key, file: where.file } },
      );
    }
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
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    out[name] = expandString(value, context, {
      server: server.name,
      file: server.source,
      key: `${key}.${name}`,
    });
  }
  return out;
}

/** The entry with every reference expanded. The result holds secrets: never print it. */
export function expandServerConfig(config: ServerConfig, context: ExpansionContext): ResolvedServerConfig {
  const where = (key: string): Where => ({ server: config.name, file: config.source, key });
  if (config.transport === "stdio") {
    const expanded: ServerConfig = {
      ...config,
      command: expandString(config.command, context, where("command")),
      args: config.args.map((arg, index) => expandString(arg, context, where(`args[${index}]`))),
      env: expandRecord(config.env, "env", context, config),
      ...(config.cwd === undefined ? {} : { cwd: expandString(config.cwd, context, where("cwd")) }),
    };
    return expanded as ResolvedServerConfig;
  }
  const expanded: ServerConfig = {
    ...config,
    url: expandString(config.url, context, where("url")),
    headers: expandRecord(config.headers, "headers", context, config),
    ...(config.oauth?.clientSecret === undefined
      ? {}
      : {
          oauth: {
            ...config.oauth,
            clientSecret: expandString(config.oauth.clientSecret, context, where("oauth.clientSecret")),
          },
        }),
  };
  return expanded as ResolvedServerConfig;
}
