/**
 * Translation of every SDK, transport and process failure into a coded {@link McpCliError}.
 * SDK errors are recognised by their classes (`ProtocolError`, `SdkError`, `SdkHttpError`,
 * `UnauthorizedError`, `SseError`, which the v2 SDK brands so `instanceof` works across copies)
 * and their codes, never by message text.
 */
import { type ErrorCode, type ErrorDetails, McpCliError } from "@mcp-execution/core";
import type { Redactor } from "../redact.js";
import type { ProcessExit, ServerProcess } from "../server-process.js";
import { StdoutNoise } from "../stdout-noise.js";
import type { SdkModule } from "./sdk.js";

/** How much of the stderr tail goes into an error message (details carry all of it). */
const STDERR_IN_MESSAGE_CHARS = 1_500;

/** What we know about where an error happened, for its message and details. */
export interface ErrorContext {
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
export class ConnectionState {
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
  /** Host variables the environment policy kept from a stdio server (names only). */
  withheld: readonly string[] = [];

  stderrTail(): string {
    return this.redactor.text(this.process?.stderrTail() ?? "");
  }
}

export function describeExit(exit: ProcessExit | undefined): string | undefined {
  if (exit === undefined || exit.error !== undefined) return undefined;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return undefined;
}

export function stderrSuffix(tail: string): string {
  if (tail.trim() === "") return "";
  const shown = tail.length > STDERR_IN_MESSAGE_CHARS ? `...${tail.slice(-STDERR_IN_MESSAGE_CHARS)}` : tail;
  return `\nserver stderr (first and last lines):\n${shown.replace(/\s+$/, "")}`;
}

/** Names that look like credentials or settings a server may need. */
const LIKELY_NEEDED =
  /(^|_)(TOKEN|KEY|SECRET|PASSWORD|PASS|API|AUTH|CREDENTIALS?|URL|HOST|ENDPOINT|PROJECT|ORG|ACCOUNT|REGION)(_|$)/i;
const WITHHELD_SHOWN = 10;

/**
 * The host variables the environment policy kept from a server that then failed: those its stderr
 * names, then those that look like credentials or settings (names only, never values).
 */
export function withheldSuffix(state: ConnectionState | undefined): string {
  if (state === undefined || state.withheld.length === 0) return "";
  const stderr = state.stderrTail();
  const mentioned = (name: string): boolean =>
    name.length >= 3 && new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(stderr);
  const named = state.withheld.filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && mentioned(name));
  const likely = state.withheld.filter((name) => !named.includes(name) && LIKELY_NEEDED.test(name));
  const shown = [...named, ...likely].slice(0, WITHHELD_SHOWN);
  if (shown.length === 0) return "";
  return `\nwithheld from the server by mcp-cli's environment policy: ${shown.join(", ")} (pass what it needs in its "env", e.g. "env": {"${shown[0]}": "\${${shown[0]}}"})`;
}

/** Why a stdio server failed, as far as we can tell: its stderr, and the variables it did not get. */
export function failureSuffix(state: ConnectionState | undefined): string {
  return `${stderrSuffix(state?.stderrTail() ?? "")}${withheldSuffix(state)}`;
}

export function baseDetails(context: ErrorContext): Record<string, unknown> {
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

function subjectOf(context: ErrorContext): string {
  return context.tool === undefined ? context.where : `${context.where}, tool "${context.tool}"`;
}

/** The error and its causes, outermost first (bounded: causes can form a cycle). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    const next = (current as { cause?: unknown }).cause;
    const dataCause = (current as { data?: { cause?: unknown } }).data?.cause;
    current = next ?? dataCause;
  }
  return chain;
}

/** The HTTP status of a transport error, when it has one. */
function httpStatus(sdk: SdkModule, error: unknown): number | undefined {
  for (const link of causeChain(error)) {
    if (link instanceof sdk.SdkHttpError) return link.status;
    if (link instanceof sdk.SseError) {
      return typeof link.code === "number" && link.code > 0 ? link.code : undefined;
    }
  }
  return undefined;
}

/** A network failure from fetch: `TypeError: fetch failed` with the errno in `cause`. */
function networkFailure(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    if (link instanceof TypeError && link.message === "fetch failed") {
      const cause = (link as { cause?: { code?: string; message?: string } }).cause;
      return cause?.code ?? cause?.message ?? "network error";
    }
  }
  return undefined;
}

function authorizationFailure(sdk: SdkModule, error: unknown): { status: number | undefined } | undefined {
  const status = httpStatus(sdk, error);
  for (const link of causeChain(error)) {
    if (link instanceof sdk.UnauthorizedError) return { status: status ?? 401 };
    if (
      link instanceof sdk.SdkError &&
      (link.code === sdk.SdkErrorCode.ClientHttpAuthentication ||
        link.code === sdk.SdkErrorCode.ClientHttpForbidden)
    ) {
      return { status: status ?? (link.code === sdk.SdkErrorCode.ClientHttpForbidden ? 403 : 401) };
    }
  }
  return status === 401 || status === 403 ? { status } : undefined;
}

export interface Credentials {
  /** An Authorization header is configured. */
  readonly header: boolean;
  /** An OAuth provider is in use. */
  readonly oauth: boolean;
}

/**
 * Translates anything thrown by the SDK, a transport or a process into a coded error with the
 * server (and tool) named. Already-coded errors gain the context in their details.
 */
export function translate(
  sdk: SdkModule,
  error: unknown,
  context: ErrorContext,
  credentials: Credentials,
): McpCliError {
  // Every message and detail built from what the SDK, fetch or the server said is masked here.
  const translated = translateUnmasked(sdk, error, context, credentials);
  return context.state === undefined ? translated : context.state.redactor.error(translated);
}

function translateUnmasked(
  sdk: SdkModule,
  error: unknown,
  context: ErrorContext,
  credentials: Credentials,
): McpCliError {
  const subject = subjectOf(context);
  // A server that exits while starting makes our write of `initialize` fail before the SDK sees the
  // close: on a loaded machine that wins the race about as often as the close itself. Both are the
  // same failure, so both are CONNECT_FAILED with the exit and stderr (and both get the era retry).
  if (error instanceof McpCliError && error.code === "CONNECTION_CLOSED" && context.phase === "startup") {
    return closedError(error, context);
  }
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
  const oauth = causeChain(error).find(
    (link) => link instanceof sdk.OAuthClientFlowError || link instanceof sdk.OAuthError,
  );
  if (oauth !== undefined) {
    // The OAuth flow itself failed (discovery, registration, token exchange): a login is needed.
    return coded(
      "AUTH_REQUIRED",
      `${subject} requires authentication, and the OAuth flow failed: ${(oauth as Error).message.slice(0, 300)};` +
        ` run \`mcp-cli auth login ${context.server}\``,
      context,
      error,
      { oauthError: (oauth as Error).name },
    );
  }
  const auth = authorizationFailure(sdk, error);
  if (auth !== undefined) {
    const { status } = auth;
    if (status === 403 || (status === 401 && credentials.header && !credentials.oauth)) {
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
      `${subject} requires authentication (HTTP 401); run \`mcp-cli auth login ${context.server}\`` +
        ` or add an Authorization header to its configuration` +
        ` (for example "headers": {"Authorization": "Bearer \${TOKEN}"})`,
      context,
      error,
      status === undefined ? {} : { status },
    );
  }
  if (error instanceof sdk.ProtocolError) {
    return protocolError(sdk, error, context);
  }
  if (error instanceof sdk.SdkError) {
    const code = error.code;
    if (code === sdk.SdkErrorCode.ConnectionClosed || code === sdk.SdkErrorCode.NotConnected) {
      return closedError(error, context);
    }
    if (code === sdk.SdkErrorCode.RequestTimeout) return timeoutError(context, error);
    if (code === sdk.SdkErrorCode.InvalidResult) {
      return coded(
        "PROTOCOL_ERROR",
        `${subject} sent an answer to ${context.method ?? "a request"} that does not follow the MCP schema: ${error.message.slice(0, 500)}`,
        context,
        error,
      );
    }
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
      `could not connect to ${subject}: ${message}${failureSuffix(state)}`,
      context,
      error,
      status === undefined ? {} : { status },
    );
  }
  if (status !== undefined) {
    return coded("CONNECTION_CLOSED", `${subject}: ${message}`, context, error, { status });
  }
  return coded("PROTOCOL_ERROR", `${subject}: ${message}`, context, error);
}

/** A JSON-RPC error answer from the server. */
function protocolError(
  sdk: SdkModule,
  error: InstanceType<SdkModule["ProtocolError"]>,
  context: ErrorContext,
): McpCliError {
  const subject = subjectOf(context);
  const code = error.code;
  const text = error.message.replace(/^MCP error -?\d+: /, "");
  if (code === sdk.ProtocolErrorCode.UnsupportedProtocolVersion) {
    return coded(
      "CONNECT_FAILED",
      `${subject} does not speak the requested MCP protocol revision (${text});` +
        ' try "protocol": "auto" in its configuration or --protocol auto',
      context,
      error,
      { rpcCode: code, ...(error.data === undefined ? {} : { supported: error.data as never }) },
    );
  }
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

function closedError(error: unknown, context: ErrorContext): McpCliError {
  const state = context.state;
  const subject = subjectOf(context);
  const exit = describeExit(state?.exit);
  const ignored = protocolNoise(state);
  if (context.phase === "startup" && ignored !== undefined && (state?.receivedMessages ?? 0) === 0) {
    return coded("PROTOCOL_ERROR", `${subject}: ${ignored}`, context, error, ignoredDetails(state));
  }
  return coded(
    context.phase === "startup" ? "CONNECT_FAILED" : "CONNECTION_CLOSED",
    `${subject} ${context.phase === "startup" ? "closed the connection while starting" : "closed the connection"}` +
      `${exit === undefined ? "" : ` (the server ${exit})`}${failureSuffix(state)}`,
    context,
    error,
  );
}

export function timeoutError(context: ErrorContext, cause: unknown): McpCliError {
  const subject = subjectOf(context);
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
    `${message}${context.phase === "startup" ? failureSuffix(context.state) : ""}`,
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

export function cancelledError(context: ErrorContext, reason: unknown): McpCliError {
  const subject = subjectOf(context);
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
