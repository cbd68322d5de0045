/**
 * Which environment variables a stdio server receives (ADR-002).
 *
 * MCP clients differ: the SDK passes six variables, some desktop clients pass everything. Passing
 * everything hands every server every secret of the user's shell (cloud keys, tokens), so the
 * default is the SDK's six plus variables that only describe the machine (locale, time zone,
 * temporary directory, XDG directories, proxies and CA certificates), which servers commonly need
 * to work at all. The configuration's `env` always applies on top. Callers can widen the policy
 * explicitly: `inherit: "all"` or a list of extra names.
 *
 * Proxy variables are passed for network access, but a proxy URL may carry the user's proxy
 * password (`http://user:password@proxy:3128`). By default the credentials are stripped; a server
 * gets them only when its configuration's `env` names the variable (for example
 * `"HTTPS_PROXY": "${HTTPS_PROXY}"`), when the caller lists the name in `inherit`, or with
 * `inherit: "all"`.
 */

/** The variables the MCP SDK's stdio transport inherits. */
const SDK_DEFAULTS_POSIX = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"] as const;
const SDK_DEFAULTS_WINDOWS = [
  "APPDATA",
  "HOMEDRIVE",
  "HOMEPATH",
  "LOCALAPPDATA",
  "PATH",
  "PROCESSOR_ARCHITECTURE",
  "SYSTEMDRIVE",
  "SYSTEMROOT",
  "TEMP",
  "USERNAME",
  "USERPROFILE",
  "PROGRAMFILES",
] as const;

/** Variables that describe the machine rather than grant access; passed by default. */
const MACHINE_VARIABLES = [
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TMP",
  "TEMP",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_CACHE_HOME",
  "XDG_STATE_HOME",
  "XDG_RUNTIME_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "REQUESTS_CA_BUNDLE",
  "COLORTERM",
] as const;

/** Proxy variables whose credentials are stripped unless the server is given them explicitly. */
const PROXY_VARIABLES = new Set(["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]);

/**
 * A proxy URL without its `user:password@` part: `http://u:p@proxy:3128` becomes
 * `http://proxy:3128`; also for values without a scheme (`u:p@proxy:3128`, as curl accepts).
 */
export function withoutCredentials(value: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0] ?? "";
  const rest = value.slice(scheme.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  // The last @ of the authority: a password may itself contain an unescaped @.
  const at = authority.lastIndexOf("@");
  return at === -1 ? value : scheme + rest.slice(at + 1);
}

/** `LC_ALL`, `LC_CTYPE`, ...: locale categories. */
const MACHINE_PREFIXES = ["LC_"] as const;

/**
 * `default`: the SDK's variables plus machine-describing ones; `all`: the whole host environment;
 * `none`: nothing from the host (only the configuration's `env`); a list: the default plus these names.
 */
export type EnvironmentInheritance = "default" | "all" | "none" | readonly string[];

export interface ServerEnvironmentInput {
  /** The host environment (the CLI passes `process.env`). */
  readonly host: Readonly<Record<string, string | undefined>>;
  /** The configuration entry's `env`, already expanded; always wins. */
  readonly config: Readonly<Record<string, string>>;
  readonly inherit?: EnvironmentInheritance;
  readonly platform?: NodeJS.Platform;
}

/** The environment a stdio server is started with, per the policy above. */
export function serverEnvironment(input: ServerEnvironmentInput): Record<string, string> {
  const inherit = input.inherit ?? "default";
  const env: Record<string, string> = {};
  const copy = (name: string, stripCredentials = false): void => {
    const value = input.host[name];
    // Values starting with "()" are exported shell functions (the Shellshock vector): never passed.
    if (value === undefined || value.startsWith("()")) return;
    env[name] = stripCredentials && PROXY_VARIABLES.has(name) ? withoutCredentials(value) : value;
  };
  if (inherit === "all") {
    for (const name of Object.keys(input.host)) copy(name);
  } else if (inherit !== "none") {
    const platform = input.platform ?? process.platform;
    for (const name of platform === "win32" ? SDK_DEFAULTS_WINDOWS : SDK_DEFAULTS_POSIX) copy(name);
    for (const name of MACHINE_VARIABLES) copy(name, true);
    for (const name of Object.keys(input.host)) {
      if (MACHINE_PREFIXES.some((prefix) => name.startsWith(prefix))) copy(name);
    }
    if (Array.isArray(inherit)) for (const name of inherit) copy(name);
  }
  return { ...env, ...input.config };
}
