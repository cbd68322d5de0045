/**
 * Other clients' spellings of a server entry, translated into the keys of docs/conventions.md section 2
 * before validation (see parse.ts). Codex (`~/.codex/config.toml`, `[mcp_servers.<name>]`),
 * Gemini CLI (`settings.json`, `mcpServers` with `httpUrl`) and OpenCode (`opencode.json`, `mcp`
 * with `type: local|remote` and `command` as an array) write entries their own way; Claude Code,
 * Claude Desktop, Cursor, VS Code and Windsurf use the common shape and need no translation.
 *
 * Keys a client uses for its own purposes (Gemini's `trust`, OpenCode's `oauth`) are dropped
 * quietly; keys nobody knows stay, so the validator warns about them.
 */
import type { ConfigDialect } from "./discovery.js";

type Entry = Record<string, unknown>;

/** The top-level key that holds servers in each dialect (besides `mcpServers`/`servers` for mcp-json). */
export const DIALECT_SECTION: Readonly<Record<Exclude<ConfigDialect, "mcp-json">, string>> = {
  "codex-toml": "mcp_servers",
  gemini: "mcpServers",
  opencode: "mcp",
};

function isRecord(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function take(entry: Entry, key: string): unknown {
  const value = entry[key];
  delete entry[key];
  return value;
}

/** Seconds (Codex writes `*_sec`) to milliseconds; anything else is left for the validator to reject. */
function secondsToMs(value: unknown): unknown {
  return typeof value === "number" ? value * 1000 : value;
}

function fromCodex(original: Entry): Entry {
  const entry: Entry = { ...original };
  const out: Entry = {};
  const enabled = take(entry, "enabled");
  if (enabled !== undefined) out.disabled = enabled === false ? true : enabled === true ? false : enabled;
  const startupSec = take(entry, "startup_timeout_sec");
  const startupMs = take(entry, "startup_timeout_ms");
  if (startupMs !== undefined) out.startupTimeout = startupMs;
  else if (startupSec !== undefined) out.startupTimeout = secondsToMs(startupSec);
  const toolSec = take(entry, "tool_timeout_sec");
  if (toolSec !== undefined) out.timeout = secondsToMs(toolSec);
  const enabledTools = take(entry, "enabled_tools");
  if (enabledTools !== undefined) out.allowedTools = enabledTools;
  const disabledTools = take(entry, "disabled_tools");
  if (disabledTools !== undefined) out.disabledTools = disabledTools;

  // Remote entries: headers as written, headers from variables, and a bearer token from a variable,
  // all expressed as `${VAR}` so expansion, masking and redaction treat them like any other reference.
  const headers: Entry = {};
  const written = take(entry, "http_headers");
  if (isRecord(written)) Object.assign(headers, written);
  else if (written !== undefined) out.headers = written;
  const fromVariables = take(entry, "env_http_headers");
  if (isRecord(fromVariables)) {
    for (const [name, variable] of Object.entries(fromVariables)) {
      headers[name] = typeof variable === "string" ? `\${${variable}}` : variable;
    }
  }
  const bearer = take(entry, "bearer_token_env_var");
  if (typeof bearer === "string") headers.Authorization = `Bearer \${${bearer}}`;
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (entry.url !== undefined) out.type = "http";
  return { ...entry, ...out };
}

function fromGemini(original: Entry): Entry {
  const entry: Entry = { ...original };
  for (const ignored of ["trust", "description", "oauth", "authProviderType"]) delete entry[ignored];
  const include = take(entry, "includeTools");
  const exclude = take(entry, "excludeTools");
  const out: Entry = {};
  if (include !== undefined) out.allowedTools = include;
  if (exclude !== undefined) out.disabledTools = exclude;
  const httpUrl = take(entry, "httpUrl");
  if (httpUrl !== undefined) {
    // Gemini CLI: `httpUrl` is Streamable HTTP, `url` is SSE.
    if (entry.url === undefined) {
      out.url = httpUrl;
      out.type = entry.type ?? "http";
    } else {
      out.httpUrl = httpUrl; // both given: left for the validator to report as unknown
    }
  } else if (entry.url !== undefined && entry.type === undefined) {
    out.type = "sse";
  }
  return { ...entry, ...out };
}

/** OpenCode writes `{env:VAR}`; the common spelling is `${VAR}`. */
function openCodeReferences(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, "${$1}");
  if (Array.isArray(value)) return value.map(openCodeReferences);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, openCodeReferences(inner)]));
  }
  return value;
}

function fromOpenCode(original: Entry): Entry {
  const entry = openCodeReferences({ ...original }) as Entry;
  delete entry.oauth;
  const out: Entry = {};
  const type = take(entry, "type");
  const enabled = take(entry, "enabled");
  if (enabled !== undefined) out.disabled = enabled === false ? true : enabled === true ? false : enabled;
  const environment = take(entry, "environment");
  if (environment !== undefined) out.env = environment;
  const command = take(entry, "command");
  if (Array.isArray(command)) {
    const [program, ...args] = command;
    out.command = program;
    out.args = args;
  } else if (command !== undefined) {
    out.command = command;
  }
  // `remote` says nothing about the transport: Streamable HTTP first, then SSE, as with no type.
  if (type === "local") out.type = "stdio";
  else if (type !== undefined && type !== "remote") out.type = type;
  return { ...entry, ...out };
}

/** The entry in the common shape, or the entry itself for `mcp-json`. Never mutates its input. */
export function translateEntry(dialect: ConfigDialect, entry: unknown): unknown {
  if (!isRecord(entry)) return entry;
  switch (dialect) {
    case "codex-toml":
      return fromCodex(entry);
    case "gemini":
      return fromGemini(entry);
    case "opencode":
      return fromOpenCode(entry);
    case "mcp-json":
      return entry;
  }
}
