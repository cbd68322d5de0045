/**
 * Parsing of server configuration files in the shapes Claude Code, Claude Desktop, Cursor and
 * VS Code write (docs/conventions.md section 2). Pure: text in, entries out.
 *
 * Files are read as JSON with comments and trailing commas (VS Code's mcp.json allows both).
 * Structural problems fail the whole file with `CONFIG_INVALID` naming the file, the server, the
 * key and, where known, the line and column. `${VAR}` references are kept as written; see
 * `expand.ts`.
 */
import {
  findNodeAtLocation,
  type Node,
  type ParseError,
  parse,
  parseTree,
  printParseErrorCode,
} from "jsonc-parser";
import { McpCliError } from "../errors.js";
import { isServerId } from "../ids.js";
import { isLimitProfileName, LIMIT_PROFILES, type LimitProfileName, type SandboxLimits } from "../limits.js";
import { DIALECT_SECTION, translateEntry } from "./dialects.js";
import type { ConfigDialect } from "./discovery.js";
import type {
  OAuthSettings,
  ProtocolPreference,
  RemoteTransport,
  ServerConfig,
  ServerLifecycle,
} from "./types.js";

/**
 * Sandbox settings from a configuration file's top-level `sandbox` object (mcp-cli's own key; other
 * clients ignore it): a `profile` and limit overrides in the units of the `execute` flags.
 * Command-line flags override these.
 */
export interface SandboxSettings {
  readonly profile?: LimitProfileName;
  readonly overrides: Partial<SandboxLimits>;
}

/** The `sandbox` keys, the limit each sets, and the unit it is written in. */
const SANDBOX_KEYS: Readonly<Record<string, { readonly limit: keyof SandboxLimits; readonly unit: number }>> =
  {
    timeout: { limit: "timeoutMs", unit: 1 },
    memory: { limit: "memoryBytes", unit: 1024 * 1024 },
    maxOutput: { limit: "maxOutputBytes", unit: 1024 },
    maxCalls: { limit: "maxToolCalls", unit: 1 },
    fuel: { limit: "fuel", unit: 1 },
    stack: { limit: "stackBytes", unit: 1024 },
    workspace: { limit: "workspaceBytes", unit: 1024 * 1024 },
  };

/** One group of servers in a file: Claude Code's `~/.claude.json` has two, `local` and `main`. */
export interface ParsedConfigSection {
  /** Where in the file, e.g. `mcpServers` or `projects["/repo"].mcpServers`. */
  readonly label: string;
  /** `local`: Claude Code's per-project entries, which outrank project files; `main`: the rest. */
  readonly layer: "local" | "main";
  readonly servers: readonly ServerConfig[];
}

export interface ParsedConfigFile {
  readonly path: string;
  /** Every section's servers, a later section winning a name clash (local over main). */
  readonly servers: readonly ServerConfig[];
  /** The same servers, by section, for callers that rank sections apart. */
  readonly sections: readonly ParsedConfigSection[];
  /** Where in the file the servers were found, e.g. `mcpServers` or `projects["/repo"].mcpServers`. */
  readonly section: string | undefined;
  /** The top-level `sandbox` object, when the file has one. */
  readonly sandbox?: SandboxSettings;
  readonly warnings: readonly string[];
}

export interface ParseConfigOptions {
  /** For `~/.claude.json`: the project directory whose `projects[cwd].mcpServers` also apply. */
  readonly cwd?: string;
  /**
   * For `~/.claude.json`: folders to look up in `projects`, nearest first (the working directory
   * up to the project root); the first one present is the local scope. Overrides `cwd`.
   */
  readonly projectKeys?: readonly string[];
  /** How the file spells servers (default `mcp-json`). */
  readonly dialect?: ConfigDialect;
  /** The document already parsed (TOML files are parsed by the loader); `text` is then only quoted. */
  readonly document?: unknown;
}

type JsonPath = (string | number)[];

interface Location {
  readonly line: number;
  readonly column: number;
}

function locationOf(text: string, offset: number): Location {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const PARSE_ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "unexpected content after the end of the document",
  InvalidCommentToken: "malformed comment",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "malformed unicode escape",
  InvalidEscapeCharacter: "malformed escape sequence",
  InvalidCharacter: "control character in a string",
};

const TRANSPORT_ALIASES: Readonly<Record<string, RemoteTransport | "stdio">> = {
  stdio: "stdio",
  http: "streamable-http",
  "streamable-http": "streamable-http",
  streamableHttp: "streamable-http",
  sse: "sse",
};

const MAX_TOOL_PATTERNS = 1000;
const MAX_TOOL_PATTERN_LENGTH = 256;

const KNOWN_KEYS = new Set([
  "type",
  "transport",
  "command",
  "args",
  "env",
  "cwd",
  "url",
  "serverUrl",
  "headers",
  "timeout",
  "startupTimeout",
  "disabled",
  "cache",
  "rateLimit",
  "oauth",
  "allowedTools",
  "disabledTools",
  "protocol",
  "maxResponseBytes",
  "lifecycle",
]);

const OAUTH_KEYS = ["clientId", "clientSecret", "scopes", "clientMetadataUrl"];

class FileReader {
  readonly warnings: string[] = [];
  readonly #tree: Node | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
    json = true,
  ) {
    // Line and column are known for JSON files only.
    this.#tree = json ? parseTree(text, [], { allowTrailingComma: true }) : undefined;
  }

  /** A `CONFIG_INVALID` error about `path` inside the file (absolute JSON path). */
  error(message: string, jsonPath: JsonPath, server?: string, key?: string): McpCliError {
    const node = this.#tree === undefined ? undefined : findNodeAtLocation(this.#tree, jsonPath);
    const location = node === undefined ? undefined : locationOf(this.text, node.offset);
    const where = location === undefined ? this.path : `${this.path}:${location.line}:${location.column}`;
    const subject =
      server === undefined
        ? ""
        : key === undefined
          ? `server "${server}": `
          : `server "${server}", key "${key}": `;
    return new McpCliError("CONFIG_INVALID", `${where}: ${subject}${message}`, {
      details: {
        file: this.path,
        ...(server === undefined ? {} : { server }),
        ...(key === undefined ? {} : { key }),
        ...(location ?? {}),
      },
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses JSON-with-comments text; malformed text is `CONFIG_INVALID` with line and column. */
export function parseJsonDocument(text: string, path: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = locationOf(text, first.offset);
    const code = printParseErrorCode(first.error);
    throw new McpCliError(
      "CONFIG_INVALID",
      `${path}:${line}:${column}: malformed JSON: ${PARSE_ERROR_TEXT[code] ?? code}`,
      { details: { file: path, line, column, problem: code } },
    );
  }
  return value;
}

/**
 * Parses one configuration file. Accepts `{"mcpServers": {...}}` (Claude, Cursor) and
 * `{"servers": {...}}` (VS Code); for `~/.claude.json` also `projects[cwd].mcpServers`, whose
 * entries override top-level ones of the same name.
 */
export function parseConfigFile(
  text: string,
  path: string,
  options: ParseConfigOptions = {},
): ParsedConfigFile {
  const dialect = options.dialect ?? "mcp-json";
  const document = options.document === undefined ? parseJsonDocument(text, path) : options.document;
  const file = new FileReader(path, text, options.document === undefined);
  if (!isRecord(document)) {
    throw file.error(
      `the top level must be ${options.document === undefined ? "a JSON object" : "a table"}`,
      [],
    );
  }

  const sections: { label: string; path: JsonPath; value: unknown; layer: "local" | "main" }[] = [];
  if (dialect !== "mcp-json") {
    const key = DIALECT_SECTION[dialect];
    if (document[key] !== undefined)
      sections.push({ label: key, path: [key], value: document[key], layer: "main" });
  } else {
    if (document.mcpServers !== undefined)
      sections.push({ label: "mcpServers", path: ["mcpServers"], value: document.mcpServers, layer: "main" });
    if (document.servers !== undefined) {
      if (document.mcpServers !== undefined) {
        file.warnings.push(`${path}: both "mcpServers" and "servers" are present; using "mcpServers"`);
      } else {
        sections.push({ label: "servers", path: ["servers"], value: document.servers, layer: "main" });
      }
    }
  }
  const projectKeys = options.projectKeys ?? (options.cwd === undefined ? [] : [options.cwd]);
  const projects = document.projects;
  if (dialect === "mcp-json" && isRecord(projects)) {
    // Claude Code keys its local scope by the folder it was started in; the nearest one applies.
    const key = projectKeys.find((folder) => {
      const project = Object.hasOwn(projects, folder) ? projects[folder] : undefined;
      return isRecord(project) && project.mcpServers !== undefined;
    });
    if (key !== undefined) {
      sections.push({
        label: `projects[${JSON.stringify(key)}].mcpServers`,
        path: ["projects", key, "mcpServers"],
        value: (projects[key] as Record<string, unknown>).mcpServers,
        layer: "local",
      });
    }
  }

  const byName = new Map<string, ServerConfig>();
  const parsedSections: ParsedConfigSection[] = [];
  for (const section of sections) {
    if (!isRecord(section.value))
      throw file.error(`"${section.label}" must be an object of servers`, section.path);
    const servers: ServerConfig[] = [];
    for (const [name, entry] of Object.entries(section.value)) {
      const server = parseEntry(file, name, translateEntry(dialect, entry), [...section.path, name]);
      servers.push(server);
      byName.set(name, server);
    }
    parsedSections.push({ label: section.label, layer: section.layer, servers });
  }
  const sandbox = document.sandbox === undefined ? undefined : parseSandbox(file, document.sandbox);
  return {
    path,
    servers: [...byName.values()],
    sections: parsedSections,
    ...(sandbox === undefined ? {} : { sandbox }),
    section: sections.length === 0 ? undefined : sections.map((section) => section.label).join(" + "),
    warnings: file.warnings,
  };
}

function parseSandbox(file: FileReader, value: unknown): SandboxSettings {
  if (!isRecord(value)) throw file.error('"sandbox" must be an object', ["sandbox"]);
  let profile: LimitProfileName | undefined;
  const overrides: Partial<Record<keyof SandboxLimits, number>> = {};
  for (const [key, setting] of Object.entries(value)) {
    if (key === "profile") {
      if (typeof setting !== "string" || !isLimitProfileName(setting)) {
        throw file.error(
          `"sandbox.profile" must be one of ${Object.keys(LIMIT_PROFILES).join(", ")}, got ${JSON.stringify(setting)}`,
          ["sandbox", "profile"],
        );
      }
      profile = setting;
      continue;
    }
    const known = SANDBOX_KEYS[key];
    if (known === undefined) {
      throw file.error(
        `unknown key "sandbox.${key}"; valid keys: profile, ${Object.keys(SANDBOX_KEYS).join(", ")}`,
        ["sandbox", key],
      );
    }
    if (typeof setting !== "number" || !Number.isSafeInteger(setting) || setting <= 0) {
      throw file.error(`"sandbox.${key}" must be a positive integer, got ${JSON.stringify(setting)}`, [
        "sandbox",
        key,
      ]);
    }
    overrides[known.limit] = setting * known.unit;
  }
  return profile === undefined ? { overrides } : { profile, overrides };
}

function parseEntry(file: FileReader, name: string, entry: unknown, at: JsonPath): ServerConfig {
  if (!isServerId(name)) {
    throw file.error(
      "invalid server name: use 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit",
      at,
      name,
    );
  }
  if (!isRecord(entry)) throw file.error("the entry must be an object", at, name);
  const fail = (key: string, message: string): McpCliError =>
    file.error(message, [...at, ...key.split(".")], name, key);

  const unknown = Object.keys(entry).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    file.warnings.push(
      `${file.path}: server "${name}": ignoring unknown keys ${unknown.map((k) => `"${k}"`).join(", ")}`,
    );
  }

  const string = (key: string): string | undefined => {
    const value = entry[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") throw fail(key, "must be a non-empty string");
    return value;
  };
  const positive = (key: string): number | undefined => {
    const value = entry[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw fail(key, `must be a positive number, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const stringRecord = (key: string): Record<string, string> => {
    const value = entry[key];
    if (value === undefined) return {};
    if (!isRecord(value)) throw fail(key, "must be an object of string values");
    for (const [inner, innerValue] of Object.entries(value)) {
      if (typeof innerValue !== "string") {
        throw file.error(
          `must be a string, got ${JSON.stringify(innerValue)}`,
          [...at, key, inner],
          name,
          `${key}.${inner}`,
        );
      }
    }
    return { ...(value as Record<string, string>) };
  };
  const stringArray = (key: string): string[] => {
    const value = entry[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw fail(key, "must be an array of strings");
    value.forEach((item, index) => {
      if (typeof item !== "string") {
        throw file.error(
          `must be a string, got ${JSON.stringify(item)}`,
          [...at, key, index],
          name,
          `${key}[${index}]`,
        );
      }
    });
    return [...(value as string[])];
  };

  // Tool globs (tool-policy.ts): bounded, since a cloned repository's config is untrusted input.
  const toolPatterns = (key: string): string[] => {
    const patterns = stringArray(key);
    if (patterns.length > MAX_TOOL_PATTERNS) throw fail(key, `has more than ${MAX_TOOL_PATTERNS} patterns`);
    patterns.forEach((pattern, index) => {
      if (pattern === "" || pattern.length > MAX_TOOL_PATTERN_LENGTH || /\p{Cc}/u.test(pattern)) {
        throw file.error(
          `must be a glob of 1 to ${MAX_TOOL_PATTERN_LENGTH} printable characters`,
          [...at, key, index],
          name,
          `${key}[${index}]`,
        );
      }
    });
    return patterns;
  };

  const rawType = entry.type ?? entry.transport;
  const typeKey = entry.type === undefined ? "transport" : "type";
  let type: RemoteTransport | "stdio" | undefined;
  if (rawType !== undefined) {
    type = typeof rawType === "string" ? TRANSPORT_ALIASES[rawType] : undefined;
    if (type === undefined) {
      throw fail(
        typeKey,
        `unknown type ${JSON.stringify(rawType)}; valid types: ${Object.keys(TRANSPORT_ALIASES).join(", ")}`,
      );
    }
  }

  const command = string("command");
  if (entry.url !== undefined && entry.serverUrl !== undefined) {
    throw fail("serverUrl", 'give either "url" or "serverUrl", not both');
  }
  const urlKey = entry.serverUrl !== undefined ? "serverUrl" : "url";
  const url = string(urlKey);
  if (command !== undefined && url !== undefined) {
    throw fail(urlKey, `give either "command" (a stdio server) or "${urlKey}" (a remote server), not both`);
  }
  if (command === undefined && url === undefined) {
    throw file.error('needs "command" (a stdio server) or "url" (a remote server)', at, name);
  }

  const disabledValue = entry.disabled;
  if (disabledValue !== undefined && typeof disabledValue !== "boolean")
    throw fail("disabled", "must be true or false");
  const common = {
    name,
    source: file.path,
    disabled: disabledValue === true,
    cache: stringArray("cache"),
    ...optional("timeoutMs", positive("timeout")),
    ...optional("startupTimeoutMs", positive("startupTimeout")),
    ...optional("rateLimit", positive("rateLimit")),
    ...optional("allowedTools", entry.allowedTools === undefined ? undefined : toolPatterns("allowedTools")),
    ...optional(
      "disabledTools",
      entry.disabledTools === undefined ? undefined : toolPatterns("disabledTools"),
    ),
    ...optional("protocol", oneOf("protocol", PROTOCOL_PREFERENCES, entry.protocol, fail)),
    ...optional("maxResponseBytes", positive("maxResponseBytes")),
    ...optional("lifecycle", oneOf("lifecycle", LIFECYCLES, entry.lifecycle, fail)),
  };

  if (command !== undefined) {
    if (type !== undefined && type !== "stdio") {
      throw fail(typeKey, `type ${JSON.stringify(rawType)} needs "url", but this entry has "command"`);
    }
    for (const key of ["headers"]) {
      if (entry[key] !== undefined)
        file.warnings.push(`${file.path}: server "${name}": "${key}" is ignored for a stdio server`);
    }
    return {
      ...common,
      transport: "stdio",
      command,
      args: stringArray("args"),
      env: stringRecord("env"),
      ...optional("cwd", string("cwd")),
    };
  }
  if (type === "stdio") throw fail(typeKey, 'type "stdio" needs "command", but this entry has a url');
  for (const key of ["args", "env", "cwd"]) {
    if (entry[key] !== undefined)
      file.warnings.push(`${file.path}: server "${name}": "${key}" is ignored for a remote server`);
  }
  return {
    ...common,
    transport: type ?? "auto",
    url: url as string,
    headers: stringRecord("headers"),
    ...optional("oauth", parseOAuth(entry.oauth, fail)),
  };
}

/** The `oauth` object of a remote entry: `clientId`, `clientSecret`, `scopes`, `clientMetadataUrl`. */
function parseOAuth(
  value: unknown,
  fail: (key: string, message: string) => McpCliError,
): OAuthSettings | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value))
    throw fail("oauth", "must be an object with clientId, clientSecret, scopes or clientMetadataUrl");
  for (const key of Object.keys(value)) {
    if (!OAUTH_KEYS.includes(key))
      throw fail(`oauth.${key}`, `unknown key; valid keys: ${OAUTH_KEYS.join(", ")}`);
  }
  const text = (key: string): string | undefined => {
    const field = value[key];
    if (field === undefined) return undefined;
    if (typeof field !== "string" || field === "") throw fail(`oauth.${key}`, "must be a non-empty string");
    return field;
  };
  const scopes = value.scopes;
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) ||
      !scopes.every((scope) => typeof scope === "string" && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)))
  ) {
    throw fail("oauth.scopes", "must be an array of scope names (printable ASCII, no spaces or quotes)");
  }
  const clientMetadataUrl = text("clientMetadataUrl");
  if (clientMetadataUrl !== undefined && !/^https:\/\/[^/]+\/./.test(clientMetadataUrl)) {
    throw fail("oauth.clientMetadataUrl", "must be an https URL with a path");
  }
  const clientSecret = text("clientSecret");
  const clientId = text("clientId");
  if (clientSecret !== undefined && clientId === undefined) {
    throw fail("oauth.clientSecret", 'needs "clientId" beside it');
  }
  return {
    ...optional("clientId", clientId),
    ...optional("clientSecret", clientSecret),
    ...optional("scopes", scopes === undefined ? undefined : [...(scopes as string[])]),
    ...optional("clientMetadataUrl", clientMetadataUrl),
  };
}

const PROTOCOL_PREFERENCES: readonly ProtocolPreference[] = ["auto", "legacy", "modern"];
const LIFECYCLES: readonly ServerLifecycle[] = ["ephemeral", "keep-alive"];

function oneOf<T extends string>(
  key: string,
  values: readonly T[],
  value: unknown,
  fail: (key: string, message: string) => McpCliError,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
  throw fail(key, `must be one of ${values.join(", ")}, got ${JSON.stringify(value)}`);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
