/**
 * Printable forms of configuration entries. Values that may be secrets (env values, header values,
 * URL credentials and query values, and command-line arguments that carry tokens) are masked
 * unless they are nothing but `${VAR}` references, which are shown as written because they reveal
 * a name, not a value. A reference's default (`${VAR:-default}`) may be the secret itself, so it is
 * masked like a value.
 */
import type { ServerConfig } from "./types.js";

export const MASK = "********";
const ONLY_REFERENCES = /^(?:\$\{[^}]*\})+$/;
const DEFAULT_IN_REFERENCE = /\$\{([^}:]*):-[^}]*\}/g;

/** `${VAR:-default}` becomes `${VAR:-********}`; other text is left alone. */
function maskDefaults(value: string): string {
  return value.replace(DEFAULT_IN_REFERENCE, (_match, name: string) => `\${${name}:-${MASK}}`);
}

export function maskValue(value: string): string {
  return ONLY_REFERENCES.test(value) ? maskDefaults(value) : MASK;
}

function maskRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, maskValue(value)]));
}

const URL_START = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?/i;

/**
 * Masks user:password and query parameter values in a URL, and the defaults of references; leaves
 * `${VAR}` references alone. Works on the text as written, so references stay readable.
 */
export function maskUrl(url: string): string {
  const start = URL_START.exec(url);
  if (start === null) return url;
  const scheme = start[1] ?? "";
  const rest = url.slice(start[0].length);
  const hashIndex = rest.indexOf("#");
  const beforeHash = hashIndex === -1 ? rest : rest.slice(0, hashIndex);
  const hash = hashIndex === -1 ? "" : rest.slice(hashIndex);
  const queryIndex = beforeHash.indexOf("?");
  const hostAndPath = queryIndex === -1 ? beforeHash : beforeHash.slice(0, queryIndex);
  const query =
    queryIndex === -1
      ? ""
      : `?${beforeHash
          .slice(queryIndex + 1)
          .split("&")
          .map((pair) => {
            const equals = pair.indexOf("=");
            if (equals === -1) return pair;
            return `${pair.slice(0, equals)}=${maskValue(pair.slice(equals + 1))}`;
          })
          .join("&")}`;
  const credentials = start[2] === undefined ? "" : `${MASK}@`;
  // A fragment can carry a token too (OAuth implicit flows put one there).
  return `${scheme}${credentials}${maskDefaults(hostAndPath)}${query}${hash === "" ? "" : `#${MASK}`}`;
}

/** A flag or variable name that says its value is a secret: `--token`, `--api-key`, `GITHUB_TOKEN`. */
const SECRET_NAME =
  /(?:token|secret|passw(?:or)?d|passwd|pwd|api[-_]?key|(?:^|[-_])key$|^key|credential|auth|bearer|cookie|session|private)/i;
const FLAG = /^--?([A-Za-z0-9][\w.-]*)$/;
const FLAG_WITH_VALUE = /^(--?[A-Za-z0-9][\w.-]*)=(.*)$/s;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
const HEADER_FLAGS = new Set(["-H", "--header", "--headers", "--http-header"]);
/** `Authorization: Bearer x`, `Bearer x`, `Basic x`, `token x`: everything after the scheme word. */
const CREDENTIAL_SCHEME = /\b(Bearer|Basic|Token|Digest)\s+\S.*$/i;

/** `Name: value` with the value masked. */
function maskHeader(header: string): string {
  const colon = header.indexOf(":");
  if (colon === -1) return maskValue(header);
  return `${header.slice(0, colon)}: ${maskValue(header.slice(colon + 1).trim())}`;
}

/** One argument on its own: assignments with a secret name, credentials, URLs. */
function maskStandalone(argument: string): string {
  const flag = FLAG_WITH_VALUE.exec(argument);
  if (flag !== null) {
    const [, name = "", value = ""] = flag;
    if (HEADER_FLAGS.has(name)) return `${name}=${maskHeader(value)}`;
    if (SECRET_NAME.test(name)) return `${name}=${maskValue(value)}`;
    return `${name}=${maskStandalone(value)}`;
  }
  const assignment = ASSIGNMENT.exec(argument);
  if (assignment !== null && SECRET_NAME.test(assignment[1] ?? "")) {
    return `${assignment[1]}=${maskValue(assignment[2] ?? "")}`;
  }
  if (/^\s*(?:proxy-)?authorization\s*:/i.test(argument)) return maskHeader(argument);
  if (CREDENTIAL_SCHEME.test(argument)) {
    return argument.replace(CREDENTIAL_SCHEME, (_match, scheme: string) => `${scheme} ${MASK}`);
  }
  if (URL_START.test(argument)) return maskUrl(argument);
  return maskDefaults(argument);
}

/**
 * A stdio server's arguments with the secrets they carry masked: the value after `--token`,
 * `--api-key`, `--password` and the like, after `-H`/`--header` (the header's value), in
 * `--flag=value` of such a flag, in `NAME=value` when NAME says secret (`GITHUB_TOKEN=...`), after
 * `Bearer`/`Basic`, and URL credentials and query values.
 */
export function maskArguments(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const [index, argument] of args.entries()) {
    const previous = index === 0 ? undefined : args[index - 1];
    const previousFlag = previous === undefined ? null : FLAG.exec(previous);
    if (previous !== undefined && HEADER_FLAGS.has(previous)) {
      out.push(maskHeader(argument));
    } else if (
      previousFlag !== null &&
      SECRET_NAME.test(previousFlag[1] ?? "") &&
      !argument.startsWith("-")
    ) {
      out.push(maskValue(argument));
    } else {
      out.push(maskStandalone(argument));
    }
  }
  return out;
}

/** A JSON-ready view of an entry, as `server info` prints it. Takes the unexpanded entry. */
export function maskServerConfig(config: ServerConfig): Record<string, unknown> {
  const common = {
    name: config.name,
    source: config.source,
    transport: config.transport,
    disabled: config.disabled,
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: config.startupTimeoutMs }),
    ...(config.rateLimit === undefined ? {} : { rateLimit: config.rateLimit }),
    ...(config.protocol === undefined ? {} : { protocol: config.protocol }),
    ...(config.maxResponseBytes === undefined ? {} : { maxResponseBytes: config.maxResponseBytes }),
    ...(config.cache.length === 0 ? {} : { cache: [...config.cache] }),
  };
  if (config.transport === "stdio") {
    return {
      ...common,
      command: maskStandalone(config.command),
      args: maskArguments(config.args),
      env: maskRecord(config.env),
      ...(config.cwd === undefined ? {} : { cwd: maskDefaults(config.cwd) }),
    };
  }
  return {
    ...common,
    url: maskUrl(config.url),
    headers: maskRecord(config.headers),
    ...(config.oauth === undefined
      ? {}
      : {
          oauth: {
            ...config.oauth,
            ...(config.oauth.clientSecret === undefined
              ? {}
              : { clientSecret: maskValue(config.oauth.clientSecret) }),
          },
        }),
  };
}
