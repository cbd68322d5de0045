/**
 * The public contract of a connection: what callers pass in and what they get back. The SDK
 * types stay out of it (except the OAuth provider, which is the SDK's own extension point).
 */
import type {
  ContentBlock,
  DiagnosticListener,
  McpCliError,
  PromptDescriptor,
  ProtocolEra,
  ProtocolPreference,
  ResourceDescriptor,
  ResourceReadResult,
  ResourceTemplateDescriptor,
  ServerCapabilities,
  ServerInfo,
  ToolDescriptor,
} from "@mcp-execution/core";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../bounded-fetch.js";
import type { EnvironmentInheritance } from "../environment.js";
import type { OAuthClientProvider } from "./sdk.js";

export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_KILL_GRACE_MS = 2_000;
export const DEFAULT_STDERR_TAIL_CHARS = 8_192;
/** A message (stdio line, HTTP body, SSE event) larger than this closes the connection with `LIMIT_SIZE`. */
export const DEFAULT_MAX_MESSAGE_BYTES = DEFAULT_MAX_RESPONSE_BYTES;

/** A form-mode `elicitation/create` request from a server, as the SDK validated it. */
export interface ElicitationRequest {
  readonly server: string;
  readonly message: string;
  /** The flat JSON Schema (object of primitive properties) the answer must follow. */
  readonly requestedSchema: { readonly [key: string]: unknown };
}

/** The user's answer: `accept` with content, `decline` or `cancel`. */
export type ElicitationAnswer =
  | {
      readonly action: "accept";
      readonly content: { readonly [key: string]: string | number | boolean | string[] };
    }
  | { readonly action: "decline" | "cancel" };

/** Answers elicitation requests (the CLI asks on a TTY). */
export type ElicitationHandler = (request: ElicitationRequest) => Promise<ElicitationAnswer>;

/** One root offered to servers that ask (`roots/list`). */
export interface Root {
  readonly uri: string;
  readonly name?: string;
}

/** A server's progress report for a running request. */
export interface ProgressUpdate {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** Which list a `notifications/*\/list_changed` was about. */
export type ListKind = "tools" | "resources" | "prompts";

export interface ConnectOptions {
  /**
   * The host environment stdio servers inherit from, filtered by {@link inheritEnvironment}
   * (the CLI passes `process.env`). Without it a stdio server gets only its configured `env`.
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Which host variables a stdio server receives; `default` per ADR-002. */
  readonly inheritEnvironment?: EnvironmentInheritance;
  /** Working directory for a stdio server whose configuration has no `cwd`. */
  readonly cwd?: string;
  /** Spawn/connect plus the handshake; overrides the configuration's `startupTimeoutMs`. */
  readonly startupTimeoutMs?: number;
  /** Default per-request timeout; overrides the configuration's `timeoutMs`. */
  readonly requestTimeoutMs?: number;
  /** Aborting cancels the connection attempt (`CANCELLED`). Not kept after connecting. */
  readonly signal?: AbortSignal;
  /** Receives server stderr lines (`info`), ignored stdout lines (`warn`) and progress (`debug`). */
  readonly diagnostics?: DiagnosticListener;
  /** Sent in the handshake; defaults to `mcp-cli` and this package's version. */
  readonly clientInfo?: { readonly name: string; readonly version: string };
  /** Each step of stopping a stdio server (stdin end, SIGTERM, SIGKILL) waits this long. */
  readonly killGraceMs?: number;
  /** Characters of stderr kept for error messages. */
  readonly stderrTailChars?: number;
  /**
   * Largest single message accepted: a stdio line, an HTTP body, one SSE event. Overrides the
   * configuration's `maxResponseBytes`.
   */
  readonly maxMessageBytes?: number;
  /**
   * The protocol era (ADR-009): `auto` (default) probes `server/discover` and falls back to
   * `initialize`; `legacy` only initializes; `modern` requires 2026-07-28. Overrides the
   * configuration's `protocol`.
   */
  readonly protocol?: ProtocolPreference;
  /** OAuth for Streamable HTTP and SSE (see `src/auth/`); a 401 then becomes `AUTH_REQUIRED`. */
  readonly authProvider?: OAuthClientProvider;
  /**
   * Declares the elicitation capability (form mode) and answers with this handler. Without it
   * the capability is still declared and every request is declined with a `warn` diagnostic,
   * so servers see a clear "no" instead of a missing feature.
   */
  readonly elicitation?: ElicitationHandler;
  /**
   * Declares the roots capability with these roots, to stdio servers only unless
   * {@link rootsForRemoteServers} is set: a remote server has no business knowing local paths.
   * Absent: roots are not offered.
   */
  readonly roots?: readonly Root[];
  /** Offer {@link roots} to remote (HTTP, SSE) servers too. Default false. */
  readonly rootsForRemoteServers?: boolean;
}

export interface RequestOptions {
  /** Aborting sends `notifications/cancelled` to the server and rejects with `CANCELLED`. */
  readonly signal?: AbortSignal;
  /** Overrides the connection's request timeout for this request. */
  readonly timeoutMs?: number;
  /** Asks the server for progress notifications and receives them. */
  readonly onProgress?: (update: ProgressUpdate) => void;
}

/** The transport a connection ended up using. */
export type ConnectedTransport = "stdio" | "streamable-http" | "sse";

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** A `tools/call` answer as the server sent it, before any normalization. */
export interface RawToolResult {
  readonly content: readonly ContentBlock[];
  readonly structuredContent?: unknown;
  readonly isError: boolean;
}

/** A `prompts/get` answer. */
export interface PromptResult {
  readonly description?: string;
  readonly messages: readonly { readonly role: string; readonly content: ContentBlock }[];
}

/**
 * An MCP session. The caller owns it and must close it; closing a stdio connection stops the
 * server process and its process group (stdin end, SIGTERM, SIGKILL). `close()` is idempotent.
 * Requests after close, or after the server went away, reject with `CONNECTION_CLOSED`.
 */
export interface ServerConnection extends AsyncDisposable {
  /** The configured name of the server. */
  readonly server: string;
  readonly transport: ConnectedTransport;
  readonly serverInfo: ServerInfo;
  readonly protocolVersion: string;
  /** `modern` after `server/discover` (2026-07-28+), `legacy` after `initialize`. */
  readonly protocolEra: ProtocolEra;
  readonly capabilities: ServerCapabilities;
  readonly instructions: string | undefined;
  /** The server process for stdio connections. */
  readonly pid: number | undefined;
  /** True once closed by the caller or lost (crash, exit, fatal protocol error). */
  readonly closed: boolean;
  /** The server's recent stderr (stdio only; empty otherwise). */
  stderrTail(): string;
  /** One page of `tools/list`; schemas as the server sent them. */
  listTools(cursor?: string, options?: RequestOptions): Promise<Page<ToolDescriptor>>;
  listResources(cursor?: string, options?: RequestOptions): Promise<Page<ResourceDescriptor>>;
  listResourceTemplates(cursor?: string, options?: RequestOptions): Promise<Page<ResourceTemplateDescriptor>>;
  listPrompts(cursor?: string, options?: RequestOptions): Promise<Page<PromptDescriptor>>;
  /**
   * `tools/call`. Resolves with `isError: true` results (the caller decides what they mean);
   * rejects with `TIMEOUT`, `CANCELLED`, `CONNECTION_CLOSED`, `PROTOCOL_ERROR` (invalid answer),
   * `TOOL_ERROR` (the server answered with a JSON-RPC error), `LIMIT_SIZE` or `AUTH_*`.
   */
  callTool(
    name: string,
    args: Readonly<Record<string, unknown>>,
    options?: RequestOptions,
  ): Promise<RawToolResult>;
  /**
   * `resources/read`. Rejects with `RESOURCE_NOT_FOUND`-style server errors as `PROTOCOL_ERROR`
   * (details carry `rpcCode`), and the request errors of {@link callTool}.
   */
  readResource(uri: string, options?: RequestOptions): Promise<ResourceReadResult>;
  /** `prompts/get` with string arguments. */
  getPrompt(
    name: string,
    args: Readonly<Record<string, string>>,
    options?: RequestOptions,
  ): Promise<PromptResult>;
  /** Called once when the connection ends; `error` is set when it was lost rather than closed. */
  onClose(listener: (error: McpCliError | undefined) => void): () => void;
  /** Called on `notifications/tools/list_changed`. */
  onToolsChanged(listener: () => void): () => void;
  /**
   * Called on any `list_changed` notification (tools, resources, prompts): a cached manifest
   * of this server is stale from then on.
   */
  onListChanged(listener: (kind: ListKind) => void): () => void;
  close(): Promise<void>;
}
