/**
 * The one module that talks to `@modelcontextprotocol/sdk` (ADR-002): connecting over stdio,
 * Streamable HTTP or SSE, the requests mcp-execution makes, and the translation of every SDK,
 * transport and process failure into a coded {@link McpCliError}. Moving to the SDK's v2
 * packages touches this file only.
 *
 * The SDK costs about 180 ms to import, so it is loaded with `import()` on the first connection.
 */
import { createRequire } from "node:module";
import {
  type ContentBlock,
  type DiagnosticListener,
  type ErrorCode,
  type ErrorDetails,
  McpCliError,
  maskUrl,
  type PromptDescriptor,
  type RemoteServerConfig,
  type ResolvedServerConfig,
  type ResourceDescriptor,
  type ResourceTemplateDescriptor,
  type ServerCapabilities,
  type ServerInfo,
  type StdioServerConfig,
  type ToolAnnotations,
  type ToolDescriptor,
} from "@mcp-execution/core";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { boundedFetch, DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-fetch.js";
import { type EnvironmentInheritance, serverEnvironment } from "./environment.js";
import { type Redactor, redactorFor } from "./redact.js";
import { type ProcessExit, ServerProcess } from "./server-process.js";
import { StdoutNoise } from "./stdout-noise.js";

export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_KILL_GRACE_MS = 2_000;
export const DEFAULT_STDERR_TAIL_CHARS = 8_192;
/** A message (stdio line, HTTP body, SSE event) larger than this closes the connection with `LIMIT_SIZE`. */
export const DEFAULT_MAX_MESSAGE_BYTES = DEFAULT_MAX_RESPONSE_BYTES;

/** How long close() waits for an HTTP session to be terminated (DELETE) before giving up. */
const SESSION_TERMINATE_TIMEOUT_MS = 1_000;
/** How much of the stderr tail goes into an error message (details carry all of it). */
const STDERR_IN_MESSAGE_CHARS = 1_500;

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
  /** Spawn/connect plus `initialize`; overrides the configuration's `startupTimeoutMs`. */
  readonly startupTimeoutMs?: number;
  /** Default per-request timeout; overrides the configuration's `timeoutMs`. */
  readonly requestTimeoutMs?: number;
  /** Aborting cancels the connection attempt (`CANCELLED`). Not kept after connecting. */
  readonly signal?: AbortSignal;
  /** Receives server stderr lines (`info`), ignored stdout lines (`warn`) and progress (`debug`). */
  readonly diagnostics?: DiagnosticListener;
  /** Sent in `initialize`; defaults to `mcp-cli` and this package's version. */
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
}

export interface RequestOptions {
  /** Aborting sends `notifications/cancelled` to the server and rejects with `CANCELLED`. */
  readonly signal?: AbortSignal;
  /** Overrides the connection's request timeout for this request. */
  readonly timeoutMs?: number;
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
  readonly structuredContent?: { readonly [key: string]: unknown };
  readonly isError: boolean;
}

/**
 * An initialized MCP session. The caller owns it and must close it; closing a stdio connection
 * stops the server process and its process group (stdin end, SIGTERM, SIGKILL). `close()` is
 * idempotent. Requests after close, or after the server went away, reject with
 * `CONNECTION_CLOSED`.
 */
export interface ServerConnection extends AsyncDisposable {
  /** The configured name of the server. */
  readonly server: string;
  readonly transport: ConnectedTransport;
  readonly serverInfo: ServerInfo;
  readonly protocolVersion: string;
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
  /** Called once when the connection ends; `error` is set when it was lost rather than closed. */
  onClose(listener: (error: McpCliError | undefined) => void): () => void;
  /** Called on `notifications/tools/list_changed`. */
  onToolsChanged(listener: () => void): () => void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Loading the SDK

interface Sdk {
  readonly Client: typeof import("@modelcontextprotocol/sdk/client/index.js").Client;
  readonly StreamableHTTPClientTransport: typeof import("@modelcontextprotocol/sdk/client/streamableHttp.js").StreamableHTTPClientTransport;
  readonly StreamableHTTPError: typeof import("@modelcontextprotocol/sdk/client/streamableHttp.js").StreamableHTTPError;
  readonly SSEClientTransport: typeof import("@modelcontextprotocol/sdk/client/sse.js").SSEClientTransport;
  readonly SseError: typeof import("@modelcontextprotocol/sdk/client/sse.js").SseError;
  readonly UnauthorizedError: typeof import("@modelcontextprotocol/sdk/client/auth.js").UnauthorizedError;
  readonly types: typeof import("@modelcontextprotocol/sdk/types.js");
}

let sdkLoading: Promise<Sdk> | undefined;

function loadSdk(): Promise<Sdk> {
  sdkLoading ??= Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/client/sse.js"),
    import("@modelcontextprotocol/sdk/client/auth.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]).then(([client, streamableHttp, sse, auth, types]) => ({
    Client: client.Client,
    StreamableHTTPClientTransport: streamableHttp.StreamableHTTPClientTransport,
    StreamableHTTPError: streamableHttp.StreamableHTTPError,
    SSEClientTransport: sse.SSEClientTransport,
    SseError: sse.SseError,
    UnauthorizedError: auth.UnauthorizedError,
    types,
  }));
  return sdkLoading;
}

let defaultClientInfo: { name: string; version: string } | undefined;

function clientInfo(options: ConnectOptions): { name: string; version: string } {
  if (options.clientInfo !== undefined) return { ...options.clientInfo };
  if (defaultClientInfo === undefined) {
    const manifest = createRequire(import.meta.url)("../package.json") as { version: string };
    defaultClientInfo = { name: "mcp-cli", version: manifest.version };
  }
  return defaultClientInfo;
}

// ---------------------------------------------------------------------------------------------
// Error translation

/** What we know about where an error happened, for its message and details. */
interface ErrorContext {
  readonly server: string;
  readonly phase: "startup" | "request";
  /** The JSON-RPC method, e.g. `tools/call`. */
  readonly method?: string;
  readonly tool?: string;
  readonly timeoutMs?: number;
  readonly where: string;
  readonly state?: ConnectionState;
}

/** Facts about a connection that explain failures: the process exit, stderr, ignored output. */
class ConnectionState {
  constructor(readonly redactor: Redactor) {}
  exit: ProcessExit | undefined;
  /** An error that ended the connection (for example an oversized message). */
  fatal: McpCliError | undefined;
  /** Non-JSON-RPC lines on stdout: counted, and warned about boundedly. */
  readonly noise = new StdoutNoise();
  get ignoredLines(): number {
    return this.noise.count;
  }
  get firstIgnoredLine(): string | undefined {
    return this.noise.first === undefined ? undefined : this.redactor.text(this.noise.first);
  }
  receivedMessages = 0;
  process: ServerProcess | undefined;

  stderrTail(): string {
    return this.redactor.text(this.process?.stderrTail() ?? "");
  }
}

function stripSdkPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+: /, "");
}

function describeExit(exit: ProcessExit | undefined): string | undefined {
  if (exit === undefined || exit.error !== undefined) return undefined;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return undefined;
}

function stderrSuffix(tail: string): string {
  if (tail.trim() === "") return "";
  const shown = tail.length > STDERR_IN_MESSAGE_CHARS ? `...${tail.slice(-STDERR_IN_MESSAGE_CHARS)}` : tail;
  return `\nserver stderr (last lines):\n${shown.replace(/\s+$/, "")}`;
}

function baseDetails(context: ErrorContext): Record<string, unknown> {
  const state = context.state;
  const stderr = state?.stderrTail() ?? "";
  return {
    server: context.server,
    ...(context.tool === undefined ? {} : { tool: context.tool }),
    ...(context.method === undefined ? {} : { method: context.method }),
    ...(state?.exit?.code === undefined || state.exit.code === null ? {} : { exitCode: state.exit.code }),
    ...(state?.exit?.signal === undefined || state.exit.signal === null ? {} : { signal: state.exit.signal }),
    ...(stderr === "" ? {} : { stderr }),
  };
}

function coded(
  code: ErrorCode,
  message: string,
  context: ErrorContext,
  cause: unknown,
  extra: ErrorDetails = {},
): McpCliError {
  return new McpCliError(code, message, { cause, details: { ...baseDetails(context), ...extra } });
}

/** The HTTP status of a transport error, when it has one. */
function httpStatus(sdk: Sdk, error: unknown): number | undefined {
  if (error instanceof sdk.StreamableHTTPError || error instanceof sdk.SseError) {
    return typeof error.code === "number" && error.code > 0 ? error.code : undefined;
  }
  return undefined;
}

/** A network failure from fetch: `TypeError: fetch failed` with the errno in `cause`. */
function networkFailure(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== "fetch failed") return undefined;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? "network error";
}

function isAuthorizationFailure(sdk: Sdk, error: unknown): boolean {
  const status = httpStatus(sdk, error);
  return error instanceof sdk.UnauthorizedError || status === 401 || status === 403;
}

/**
 * Translates anything thrown by the SDK, a transport or a process into a coded error with the
 * server (and tool) named. Already-coded errors gain the context in their details.
 */
function translate(sdk: Sdk, error: unknown, context: ErrorContext, hasCredentials: boolean): McpCliError {
  // Every message and detail built from what the SDK, fetch or the server said is masked here.
  const translated = translateUnmasked(sdk, error, context, hasCredentials);
  return context.state === undefined ? translated : context.state.redactor.error(translated);
}

function translateUnmasked(
  sdk: Sdk,
  error: unknown,
  context: ErrorContext,
  hasCredentials: boolean,
): McpCliError {
  const subject = context.tool === undefined ? context.where : `${context.where}, tool "${context.tool}"`;
  if (error instanceof McpCliError) {
    return new McpCliError(error.code, error.message, {
      cause: error.cause ?? error,
      details: { ...baseDetails(context), ...error.details },
    });
  }
  const state = context.state;
  if (state?.fatal !== undefined) {
    return new McpCliError(state.fatal.code, `${subject}: ${state.fatal.message}`, {
      cause: error,
      details: { ...baseDetails(context), ...state.fatal.details },
    });
  }
  if (isAuthorizationFailure(sdk, error)) {
    const status = httpStatus(sdk, error);
    if (status === 403 || (status === 401 && hasCredentials)) {
      return coded(
        "AUTH_REFUSED",
        `${subject} refused the credentials (HTTP ${status}); check the Authorization header in its configuration`,
        context,
        error,
        { status },
      );
    }
    return coded(
      "AUTH_REQUIRED",
      `${subject} requires authentication (HTTP 401); add an Authorization header to its configuration` +
        ` (for example "headers": {"Authorization": "Bearer \${TOKEN}"})`,
      context,
      error,
      status === undefined ? {} : { status },
    );
  }
  if (error instanceof sdk.types.McpError) {
    const code = error.code;
    if (code === sdk.types.ErrorCode.ConnectionClosed) {
      const exit = describeExit(state?.exit);
      const ignored = protocolNoise(state);
      if (context.phase === "startup" && ignored !== undefined && (state?.receivedMessages ?? 0) === 0) {
        return coded("PROTOCOL_ERROR", `${subject}: ${ignored}`, context, error, ignoredDetails(state));
      }
      return coded(
        context.phase === "startup" ? "CONNECT_FAILED" : "CONNECTION_CLOSED",
        `${subject} ${context.phase === "startup" ? "closed the connection while starting" : "closed the connection"}` +
          `${exit === undefined ? "" : ` (the server ${exit})`}${stderrSuffix(state?.stderrTail() ?? "")}`,
        context,
        error,
      );
    }
    if (code === sdk.types.ErrorCode.RequestTimeout) {
      return timeoutError(context, error);
    }
    const text = stripSdkPrefix(error.message);
    if (context.method === "tools/call") {
      return coded("TOOL_ERROR", `${subject} failed: ${text}`, context, error, {
        content: [{ type: "text", text }],
        rpcCode: code,
      });
    }
    return coded(
      context.phase === "startup" ? "CONNECT_FAILED" : "PROTOCOL_ERROR",
      `${subject} answered ${context.method ?? "a request"} with an error: ${text}`,
      context,
      error,
      { rpcCode: code },
    );
  }
  if (error instanceof Error && error.name === "ZodError") {
    return coded(
      "PROTOCOL_ERROR",
      `${subject} sent an answer to ${context.method ?? "a request"} that does not follow the MCP schema: ${error.message.slice(0, 500)}`,
      context,
      error,
    );
  }
  const network = networkFailure(error);
  if (network !== undefined) {
    return coded(
      context.phase === "startup" ? "CONNECT_FAILED" : "CONNECTION_CLOSED",
      `${subject}: could not reach the server (${network})`,
      context,
      error,
      { errno: network },
    );
  }
  const status = httpStatus(sdk, error);
  const message = error instanceof Error ? error.message : String(error);
  if (context.phase === "startup") {
    return coded(
      "CONNECT_FAILED",
      `could not connect to ${subject}: ${message}${stderrSuffix(state?.stderrTail() ?? "")}`,
      context,
      error,
      status === undefined ? {} : { status },
    );
  }
  if (status !== undefined || message === "Not connected") {
    return coded(
      "CONNECTION_CLOSED",
      `${subject}: ${message}`,
      context,
      error,
      status === undefined ? {} : { status },
    );
  }
  return coded("PROTOCOL_ERROR", `${subject}: ${message}`, context, error);
}

function timeoutError(context: ErrorContext, cause: unknown): McpCliError {
  const subject = context.tool === undefined ? context.where : `${context.where}, tool "${context.tool}"`;
  const ms = context.timeoutMs;
  const message =
    context.phase === "startup"
      ? `${subject} did not finish starting within ${ms} ms` +
        " (raise startupTimeout in its configuration if it is just slow)"
      : `${subject} did not answer ${context.method ?? "a request"} within ${ms} ms`;
  const ignored = protocolNoise(context.state);
  if (context.phase === "startup" && ignored !== undefined && (context.state?.receivedMessages ?? 0) === 0) {
    return coded("PROTOCOL_ERROR", `${subject}: ${ignored}`, context, cause, ignoredDetails(context.state));
  }
  return coded(
    "TIMEOUT",
    `${message}${context.phase === "startup" ? stderrSuffix(context.state?.stderrTail() ?? "") : ""}`,
    context,
    cause,
    { phase: context.phase, timeoutMs: ms },
  );
}

function protocolNoise(state: ConnectionState | undefined): string | undefined {
  if (state === undefined || state.ignoredLines === 0) return undefined;
  return (
    `the server wrote ${state.ignoredLines} line(s) to stdout that are not JSON-RPC messages` +
    ` and never answered initialize (first: ${JSON.stringify(state.firstIgnoredLine)});` +
    " stdio servers must keep stdout for protocol messages and log to stderr"
  );
}

function ignoredDetails(state: ConnectionState | undefined): ErrorDetails {
  return { ignoredLines: state?.ignoredLines ?? 0, firstIgnoredLine: state?.firstIgnoredLine ?? null };
}

function cancelledError(context: ErrorContext, reason: unknown): McpCliError {
  const subject = context.tool === undefined ? context.where : `${context.where}, tool "${context.tool}"`;
  return new McpCliError(
    "CANCELLED",
    context.phase === "startup"
      ? `connecting to ${subject} was cancelled`
      : `${subject}: the call was cancelled`,
    {
      cause: reason,
      details: { server: context.server, ...(context.tool === undefined ? {} : { tool: context.tool }) },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The stdio transport

/**
 * The SDK's Transport over a {@link ServerProcess}. Unlike the SDK's own stdio transport it
 * starts the server in its own process group (so closing also stops what a wrapper such as
 * `npx` started), keeps a stderr tail, reports lines that are not JSON-RPC instead of failing on
 * them, and bounds message size.
 */
class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  #process: ServerProcess | undefined;
  #closedNotified = false;

  constructor(
    private readonly sdk: Sdk,
    private readonly config: StdioServerConfig,
    private readonly options: ConnectOptions,
    private readonly state: ConnectionState,
  ) {}

  async start(): Promise<void> {
    const diagnostics = this.options.diagnostics;
    const source = `server:${this.config.name}`;
    const cwd = this.config.cwd ?? this.options.cwd;
    const process = new ServerProcess({
      command: this.config.command,
      args: this.config.args,
      env: serverEnvironment({
        host: this.options.environment ?? {},
        config: this.config.env,
        ...(this.options.inheritEnvironment === undefined
          ? {}
          : { inherit: this.options.inheritEnvironment }),
      }),
      ...(cwd === undefined ? {} : { cwd }),
      killGraceMs: this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      stderrTailChars: this.options.stderrTailChars ?? DEFAULT_STDERR_TAIL_CHARS,
      maxLineBytes: this.options.maxMessageBytes ?? this.config.maxResponseBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      onLine: (line) => this.#onLine(line),
      ...(diagnostics === undefined
        ? {}
        : {
            onStderrLine: (line: string) =>
              diagnostics({ level: "info", message: this.state.redactor.text(line), source }),
          }),
      onExit: (exit) => {
        this.state.exit = exit;
        if (exit.error !== undefined && exit.error.code !== "CONNECT_FAILED") this.state.fatal = exit.error;
        this.#warn(this.state.noise.summary());
        this.#notifyClosed();
      },
    });
    this.#process = process;
    this.state.process = process;
    await process.start();
  }

  #onLine(line: string): void {
    if (line.trim() === "") return;
    let message: JSONRPCMessage | undefined;
    try {
      const parsed = this.sdk.types.JSONRPCMessageSchema.safeParse(JSON.parse(line));
      if (parsed.success) message = parsed.data;
    } catch {
      // not JSON: reported below
    }
    if (message === undefined) {
      this.#warn(this.state.noise.record(line));
      return;
    }
    this.state.receivedMessages += 1;
    this.onmessage?.(message);
  }

  #warn(message: string | undefined): void {
    if (message === undefined) return;
    const source = `server:${this.config.name}`;
    this.options.diagnostics?.({ level: "warn", message: this.state.redactor.text(message), source });
  }

  #notifyClosed(): void {
    if (this.#closedNotified) return;
    this.#closedNotified = true;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    const process = this.#process;
    if (process === undefined) return Promise.reject(new Error("Not connected"));
    return process.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    await this.#process?.terminate();
    this.#notifyClosed();
  }
}

// ---------------------------------------------------------------------------------------------
// Connecting

interface Attempt {
  readonly client: Client;
  readonly transport: Transport;
  readonly kind: ConnectedTransport;
  readonly state: ConnectionState;
  protocolVersion: string | undefined;
}

function describeTarget(config: ResolvedServerConfig): string {
  return config.transport === "stdio"
    ? `server "${config.name}"`
    : `server "${config.name}" at ${redactorFor(config).text(maskUrl((config as RemoteServerConfig).url))}`;
}

function hasAuthorizationHeader(config: ResolvedServerConfig): boolean {
  return (
    config.transport !== "stdio" &&
    Object.keys((config as RemoteServerConfig).headers).some((name) => name.toLowerCase() === "authorization")
  );
}

/**
 * Connects to a server and completes MCP initialization.
 *
 * Stdio servers are spawned in their own process group with the environment of ADR-002. Remote
 * servers with `transport: "auto"` get Streamable HTTP first and, when that attempt receives an
 * HTTP answer other than 401/403 (or an unusable answer), SSE on a fresh client. The whole
 * attempt is bounded by the startup timeout.
 *
 * Errors: `CONNECT_FAILED` (cannot start or reach the server, it exited or refused; the message
 * carries its stderr tail), `TIMEOUT` (startup timeout), `PROTOCOL_ERROR` (it wrote something
 * other than JSON-RPC and never initialized), `AUTH_REQUIRED`, `AUTH_REFUSED`, `CANCELLED`,
 * `CONFIG_INVALID` (a URL that is not http(s)).
 */
export async function connectServer(
  config: ResolvedServerConfig,
  options: ConnectOptions = {},
): Promise<ServerConnection> {
  const where = describeTarget(config);
  const startupTimeoutMs = options.startupTimeoutMs ?? config.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? config.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const baseContext = { server: config.name, phase: "startup" as const, where, method: "initialize" };
  if (options.signal?.aborted) throw cancelledError(baseContext, options.signal.reason);
  let url: URL | undefined;
  if (config.transport !== "stdio") {
    url = parseServerUrl(config as RemoteServerConfig);
  }
  const sdk = await loadSdk();
  const deadline = Date.now() + startupTimeoutMs;
  const credentials = hasAuthorizationHeader(config);
  const redactor = redactorFor(config);

  const attempt = async (kind: ConnectedTransport): Promise<Attempt> => {
    const state = new ConnectionState(redactor);
    const transport = createTransport(sdk, config, kind, url, options, state);
    const client = new sdk.Client(clientInfo(options), { capabilities: {} });
    const result: Attempt = { client, transport, kind, state, protocolVersion: undefined };
    const setVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (version: string) => {
      result.protocolVersion = version;
      setVersion?.(version);
    };
    client.onerror = (error) => {
      const message = redactor.text(error.message);
      options.diagnostics?.({ level: "debug", message, source: `server:${config.name}` });
    };
    const remaining = Math.max(1, deadline - Date.now());
    const context: ErrorContext = { ...baseContext, timeoutMs: startupTimeoutMs, state };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("startup timeout"));
    }, remaining);
    const onCallerAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    try {
      await Promise.race([
        client.connect(transport, { signal: controller.signal, timeout: remaining }),
        aborted,
      ]);
      return result;
    } catch (error) {
      await closeQuietly(client, transport);
      if (options.signal?.aborted) throw cancelledError(context, options.signal.reason);
      if (timedOut) throw timeoutError(context, error);
      throw translate(sdk, error, context, credentials);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onCallerAbort);
    }
  };

  let connected: Attempt;
  if (config.transport === "stdio") {
    connected = await attempt("stdio");
  } else if (config.transport === "streamable-http") {
    connected = await attempt("streamable-http");
  } else if (config.transport === "sse") {
    connected = await attempt("sse");
  } else {
    try {
      connected = await attempt("streamable-http");
    } catch (first) {
      if (!shouldFallBackToSse(first)) throw first;
      options.diagnostics?.({
        level: "debug",
        message: `Streamable HTTP failed (${(first as Error).message}); trying SSE`,
        source: `server:${config.name}`,
      });
      try {
        connected = await attempt("sse");
      } catch (second) {
        const error = second as McpCliError;
        if (error.code !== "CONNECT_FAILED") throw error;
        throw new McpCliError(
          "CONNECT_FAILED",
          `could not connect to ${where} with Streamable HTTP (${(first as Error).message}) or SSE (${error.message})`,
          {
            cause: second,
            details: {
              server: config.name,
              streamableHttp: (first as McpCliError).toJSON(),
              sse: error.toJSON(),
            },
          },
        );
      }
    }
  }
  return new Connection(sdk, config, connected, requestTimeoutMs, options.diagnostics, credentials);
}

/**
 * Fall back only when Streamable HTTP got an answer that says "not here" (an HTTP status other than
 * 401/403, or an unusable answer); not on auth, timeouts, cancellation or an unreachable host,
 * where SSE cannot do better.
 */
function shouldFallBackToSse(error: unknown): boolean {
  if (!(error instanceof McpCliError) || error.code !== "CONNECT_FAILED") return false;
  return error.details?.errno === undefined;
}

function parseServerUrl(config: RemoteServerConfig): URL {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new McpCliError(
      "CONFIG_INVALID",
      `${config.source}: server "${config.name}": url is not a valid URL`,
      {
        details: { server: config.name, file: config.source, key: "url" },
      },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new McpCliError(
      "CONFIG_INVALID",
      `${config.source}: server "${config.name}": url must start with http:// or https:// (got ${url.protocol})`,
      { details: { server: config.name, file: config.source, key: "url" } },
    );
  }
  return url;
}

function createTransport(
  sdk: Sdk,
  config: ResolvedServerConfig,
  kind: ConnectedTransport,
  url: URL | undefined,
  options: ConnectOptions,
  state: ConnectionState,
): Transport {
  if (kind === "stdio") return new ProcessTransport(sdk, config as StdioServerConfig, options, state);
  const headers = { ...(config as RemoteServerConfig).headers };
  const target = url as URL;
  // Bodies are bounded while they stream in; going over closes the connection with LIMIT_SIZE.
  let transport: Transport | undefined;
  const fetch = boundedFetch({
    maxBytes: options.maxMessageBytes ?? config.maxResponseBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    onLimit: (error) => {
      state.fatal ??= error;
      void transport?.close().catch(() => {});
    },
  });
  transport =
    kind === "streamable-http"
      ? new sdk.StreamableHTTPClientTransport(target, { requestInit: { headers }, fetch })
      : new sdk.SSEClientTransport(target, { requestInit: { headers }, fetch });
  return transport;
}

async function closeQuietly(client: Client, transport: Transport): Promise<void> {
  try {
    await client.close();
  } catch {
    // already broken
  }
  try {
    await transport.close();
  } catch {
    // already closed
  }
}

// ---------------------------------------------------------------------------------------------
// The connection

function toToolDescriptor(tool: {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema: object;
  outputSchema?: object | undefined;
  annotations?: object | undefined;
}): ToolDescriptor {
  const annotations = tool.annotations as ToolAnnotations | undefined;
  const title = tool.title ?? annotations?.title;
  return {
    name: tool.name,
    ...(title === undefined ? {} : { title }),
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: tool.inputSchema as ToolDescriptor["inputSchema"],
    ...(tool.outputSchema === undefined
      ? {}
      : { outputSchema: tool.outputSchema as ToolDescriptor["inputSchema"] }),
    ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
  };
}

function pick<T extends object>(value: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

class Connection implements ServerConnection {
  readonly server: string;
  readonly transport: ConnectedTransport;
  readonly serverInfo: ServerInfo;
  readonly protocolVersion: string;
  readonly capabilities: ServerCapabilities;
  readonly instructions: string | undefined;
  readonly #sdk: Sdk;
  readonly #client: Client;
  readonly #transport: Transport;
  readonly #state: ConnectionState;
  readonly #requestTimeoutMs: number;
  readonly #where: string;
  readonly #credentials: boolean;
  readonly #closeListeners = new Set<(error: McpCliError | undefined) => void>();
  readonly #toolsChangedListeners = new Set<() => void>();
  #closing: Promise<void> | undefined;
  #lost: McpCliError | undefined;
  #ended = false;

  constructor(
    sdk: Sdk,
    config: ResolvedServerConfig,
    attempt: Attempt,
    requestTimeoutMs: number,
    diagnostics: DiagnosticListener | undefined,
    credentials: boolean,
  ) {
    this.#sdk = sdk;
    this.#client = attempt.client;
    this.#transport = attempt.transport;
    this.#state = attempt.state;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#credentials = credentials;
    this.#where = describeTarget(config);
    this.server = config.name;
    this.transport = attempt.kind;
    const info = this.#client.getServerVersion();
    this.serverInfo = {
      name: info?.name ?? "",
      version: info?.version ?? "",
      ...(info?.title === undefined ? {} : { title: info.title }),
    };
    this.protocolVersion = attempt.protocolVersion ?? "";
    this.capabilities = (this.#client.getServerCapabilities() ?? {}) as ServerCapabilities;
    this.instructions = this.#client.getInstructions();
    this.#client.onclose = () => this.#onTransportClosed();
    this.#client.setNotificationHandler(sdk.types.ToolListChangedNotificationSchema, () => {
      diagnostics?.({
        level: "debug",
        message: "the server's tool list changed",
        source: `server:${this.server}`,
      });
      for (const listener of this.#toolsChangedListeners) listener();
    });
  }

  get pid(): number | undefined {
    return this.#state.process?.pid;
  }

  get closed(): boolean {
    return this.#ended || this.#closing !== undefined;
  }

  stderrTail(): string {
    return this.#state.stderrTail();
  }

  #onTransportClosed(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#closing === undefined) {
      const context = this.#context("request");
      const exit = describeExit(this.#state.exit);
      this.#lost =
        this.#state.fatal !== undefined
          ? translate(this.#sdk, new Error(this.#state.fatal.message), context, this.#credentials)
          : new McpCliError(
              "CONNECTION_CLOSED",
              `${this.#where} closed the connection${exit === undefined ? "" : ` (the server ${exit})`}` +
                stderrSuffix(this.#state.stderrTail()),
              { details: baseDetails(context) },
            );
      // A lost stdio server may leave children behind: stop the whole group.
      void this.#transport.close().catch(() => {});
    }
    for (const listener of this.#closeListeners) listener(this.#lost);
    this.#closeListeners.clear();
  }

  #context(phase: "request", method?: string, tool?: string, timeoutMs?: number): ErrorContext {
    return {
      server: this.server,
      phase,
      where: this.#where,
      state: this.#state,
      ...(method === undefined ? {} : { method }),
      ...(tool === undefined ? {} : { tool }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
  }

  #closedError(method: string, tool?: string): McpCliError {
    if (this.#lost !== undefined) {
      return new McpCliError(this.#lost.code, this.#lost.message, {
        cause: this.#lost,
        details: { ...this.#lost.details, method, ...(tool === undefined ? {} : { tool }) },
      });
    }
    return new McpCliError("CONNECTION_CLOSED", `${this.#where}: the connection is closed`, {
      details: { server: this.server, method, ...(tool === undefined ? {} : { tool }) },
    });
  }

  async #request<T>(
    method: string,
    params: Record<string, unknown> | undefined,
    schema: Parameters<Client["request"]>[1],
    options: RequestOptions | undefined,
    tool?: string,
  ): Promise<T> {
    if (this.closed) throw this.#closedError(method, tool);
    const timeoutMs = options?.timeoutMs ?? this.#requestTimeoutMs;
    const signal = options?.signal;
    // A request-scoped controller: the SDK never removes its abort listener, so a long-lived
    // caller signal would collect one per request and, when aborted, cancel finished requests.
    let controller: AbortController | undefined;
    let onAbort: (() => void) | undefined;
    if (signal !== undefined) {
      if (signal.aborted) throw cancelledError(this.#context("request", method, tool), signal.reason);
      const linked = new AbortController();
      controller = linked;
      onAbort = () => linked.abort(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    }
    try {
      const request = params === undefined ? { method } : { method, params };
      return (await this.#client.request(request as never, schema, {
        timeout: timeoutMs,
        ...(controller === undefined ? {} : { signal: controller.signal }),
      })) as T;
    } catch (error) {
      const context = this.#context("request", method, tool, timeoutMs);
      if (signal?.aborted) throw cancelledError(context, signal.reason);
      if (this.#lost !== undefined) throw this.#closedError(method, tool);
      throw translate(this.#sdk, error, context, this.#credentials);
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
  }

  async listTools(cursor?: string, options?: RequestOptions): Promise<Page<ToolDescriptor>> {
    const result = await this.#request<{
      tools: Parameters<typeof toToolDescriptor>[0][];
      nextCursor?: string;
    }>(
      "tools/list",
      cursor === undefined ? undefined : { cursor },
      this.#sdk.types.ListToolsResultSchema,
      options,
    );
    return page(result.tools.map(toToolDescriptor), result.nextCursor);
  }

  async listResources(cursor?: string, options?: RequestOptions): Promise<Page<ResourceDescriptor>> {
    const result = await this.#request<{ resources: ResourceDescriptor[]; nextCursor?: string }>(
      "resources/list",
      cursor === undefined ? undefined : { cursor },
      this.#sdk.types.ListResourcesResultSchema,
      options,
    );
    return page(
      result.resources.map((resource) => pick(resource, ["uri", "name", "title", "description", "mimeType"])),
      result.nextCursor,
    ) as Page<ResourceDescriptor>;
  }

  async listResourceTemplates(
    cursor?: string,
    options?: RequestOptions,
  ): Promise<Page<ResourceTemplateDescriptor>> {
    const result = await this.#request<{
      resourceTemplates: ResourceTemplateDescriptor[];
      nextCursor?: string;
    }>(
      "resources/templates/list",
      cursor === undefined ? undefined : { cursor },
      this.#sdk.types.ListResourceTemplatesResultSchema,
      options,
    );
    return page(
      result.resourceTemplates.map((template) =>
        pick(template, ["uriTemplate", "name", "title", "description", "mimeType"]),
      ),
      result.nextCursor,
    ) as Page<ResourceTemplateDescriptor>;
  }

  async listPrompts(cursor?: string, options?: RequestOptions): Promise<Page<PromptDescriptor>> {
    const result = await this.#request<{ prompts: PromptDescriptor[]; nextCursor?: string }>(
      "prompts/list",
      cursor === undefined ? undefined : { cursor },
      this.#sdk.types.ListPromptsResultSchema,
      options,
    );
    return page(
      result.prompts.map((prompt) => {
        const out = pick(prompt, ["name", "title", "description"]) as PromptDescriptor;
        if (prompt.arguments === undefined) return out;
        return {
          ...out,
          arguments: prompt.arguments.map((argument) => pick(argument, ["name", "description", "required"])),
        } as PromptDescriptor;
      }),
      result.nextCursor,
    );
  }

  async callTool(
    name: string,
    args: Readonly<Record<string, unknown>>,
    options?: RequestOptions,
  ): Promise<RawToolResult> {
    const result = await this.#request<{
      content: ContentBlock[];
      structuredContent?: Record<string, unknown>;
      isError?: boolean;
    }>("tools/call", { name, arguments: args }, this.#sdk.types.CallToolResultSchema, options, name);
    return result.structuredContent === undefined
      ? { content: result.content, isError: result.isError === true }
      : {
          content: result.content,
          structuredContent: result.structuredContent,
          isError: result.isError === true,
        };
  }

  onClose(listener: (error: McpCliError | undefined) => void): () => void {
    if (this.#ended) {
      listener(this.#lost);
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  onToolsChanged(listener: () => void): () => void {
    this.#toolsChangedListeners.add(listener);
    return () => this.#toolsChangedListeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const transport = this.#transport as Transport & { terminateSession?: () => Promise<void> };
    if (!this.#ended && typeof transport.terminateSession === "function") {
      // Tell a Streamable HTTP server the session is over, without letting a slow server hold us.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        transport.terminateSession().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SESSION_TERMINATE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    await closeQuietly(this.#client, this.#transport);
    this.#onTransportClosed();
    this.#toolsChangedListeners.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function page<T>(items: readonly T[], nextCursor: string | undefined): Page<T> {
  return nextCursor === undefined ? { items } : { items, nextCursor };
}
