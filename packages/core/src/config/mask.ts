/**
 * Printable forms of configuration entries. Values that may be secrets (env values, header values,
 * URL credentials and query values) are masked unless they are nothing but `${VAR}` references,
 * which are shown as written because they reveal a name, not a value.
 */
import type { ServerConfig } from "./types.js";

export const MASK = "********";
const ONLY_REFERENCES = /^(?:\$\{[^}]*\})+$/;

export function maskValue(value: string): string {
  return ONLY_REFERENCES.test(value) ? value : MASK;
}

function maskRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, maskValue(value)]));
}

/** Masks user:password and query parameter values in a URL; leaves `${VAR}` references alone. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    parsed.username = MASK;
    parsed.password = "";
  }
  for (const key of [...parsed.searchParams.keys()]) {
    const value = parsed.searchParams.get(key) ?? "";
    parsed.searchParams.set(key, maskValue(value));
  }
  return parsed.toString();
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
    ...(config.maxResponseBytes === undefined ? {} : { maxResponseBytes: config.maxResponseBytes }),
    ...(config.cache.length === 0 ? {} : { cache: [...config.cache] }),
  };
  if (config.transport === "stdio") {
    return {
      ...common,
      command: config.command,
      args: [...config.args],
      env: maskRecord(config.env),
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
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
