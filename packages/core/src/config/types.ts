/**
 * Server configuration entries after parsing (docs/conventions.md section 2).
 *
 * Parsing keeps `${VAR}` references as written ({@link ServerConfig}); {@link expandServerConfig}
 * produces a {@link ResolvedServerConfig} with every reference replaced, just before a connection
 * is made, so a missing variable for one server never stops another from working.
 */

/** Which MCP protocol era to speak: `auto` probes `server/discover` and falls back to `initialize`. */
export type ProtocolPreference = "auto" | "legacy" | "modern";

/** `auto`: Streamable HTTP first, SSE when the server does not speak it. */
export type RemoteTransport = "auto" | "streamable-http" | "sse";

interface ServerConfigCommon {
  /** The key the server is listed under. Validated as a `ServerId` when the file is parsed. */
  readonly name: string;
  /** Absolute path of the file the entry came from, or a description such as `command line`. */
  readonly source: string;
  /** Milliseconds per request. */
  readonly timeoutMs?: number;
  /** Milliseconds to spawn/connect and initialize. */
  readonly startupTimeoutMs?: number;
  readonly disabled: boolean;
  /** Tools whose results may be cached even without `readOnlyHint`. */
  readonly cache: readonly string[];
  /** Calls per second. */
  readonly rateLimit?: number;
  /** Globs of the tools that may be called (see `tool-policy.ts`); absent: every tool. */
  readonly allowedTools?: readonly string[];
  /** Globs of the tools that may not be called; they win over `allowedTools`. */
  readonly disabledTools?: readonly string[];
  /** MCP protocol era; absent means `auto`. */
  readonly protocol?: ProtocolPreference;
  /** Largest single answer (message, HTTP body or SSE event) accepted from the server, in bytes. */
  readonly maxResponseBytes?: number;
  /**
   * `keep-alive`: `execute` and `call` start the local daemon for this configuration when it does
   * not run, so the server stays warm between commands. Absent means `ephemeral`.
   */
  readonly lifecycle?: ServerLifecycle;
}

export type ServerLifecycle = "ephemeral" | "keep-alive";

export interface StdioServerConfig extends ServerConfigCommon {
  readonly transport: "stdio";
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/**
 * OAuth client settings for a remote server (the `oauth` key). Every field is optional: without
 * `clientId` mcp-cli uses `clientMetadataUrl` (a client ID metadata document) when the
 * authorization server supports it, and dynamic client registration otherwise.
 */
export interface OAuthSettings {
  /** A client registered with the authorization server beforehand. */
  readonly clientId?: string;
  /** Its secret, for a confidential client; `${VAR}` references are expanded. */
  readonly clientSecret?: string;
  /** Scopes to request in addition to those the server names in its challenge. */
  readonly scopes?: readonly string[];
  /** An https URL of a client ID metadata document describing mcp-cli. */
  readonly clientMetadataUrl?: string;
}

export interface RemoteServerConfig extends ServerConfigCommon {
  readonly transport: RemoteTransport;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly oauth?: OAuthSettings;
}

/** A parsed entry, `${VAR}` references not yet expanded. */
export type ServerConfig = StdioServerConfig | RemoteServerConfig;

declare const resolved: unique symbol;
/** An entry whose `${VAR}` references are expanded: ready to connect, never to print. */
export type ResolvedServerConfig = ServerConfig & {
  readonly [resolved]: true;
  /** Values that came from variable expansion (defaults included): masked wherever text is printed. */
  readonly redact?: readonly string[] | undefined;
};

export function isStdioServerConfig(config: ServerConfig): config is StdioServerConfig {
  return config.transport === "stdio";
}
