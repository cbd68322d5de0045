/**
 * Connecting with fallbacks: the transport (Streamable HTTP, then SSE), the protocol era
 * (`server/discover`, then `initialize`, ADR-009) and a stdio server that exits on the version
 * probe (started again and initialized directly). The whole attempt is bounded by the startup
 * timeout.
 */
import {
  McpCliError,
  maskUrl,
  type ProtocolPreference,
  type RemoteServerConfig,
  type ResolvedServerConfig,
  type StdioServerConfig,
} from "@mcp-execution/core";
import { StoredOAuthProvider } from "../auth/provider.js";
import { boundedFetch } from "../bounded-fetch.js";
import { redactorFor } from "../redact.js";
import { declaredCapabilities, handleClientRequests, listChangedHandlers } from "./client-capabilities.js";
import { type Attempt, Connection, closeQuietly } from "./connection.js";
import {
  type ConnectedTransport,
  type ConnectOptions,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  type ListKind,
  type ServerConnection,
} from "./contract.js";
import {
  ConnectionState,
  type Credentials,
  cancelledError,
  type ErrorContext,
  timeoutError,
  translate,
} from "./errors.js";
import { ProcessTransport } from "./process-transport.js";
import { loadSdk, resolveClientInfo, type SdkModule, type SdkTransport } from "./sdk.js";

/** The 2026 revision `modern` pins. */
const MODERN_REVISION = "2026-07-28";
/** JSON-RPC error of a server that does not speak the requested revision. */
const UNSUPPORTED_PROTOCOL_VERSION = -32022;
/** How long a stdio server may stay silent on `server/discover` before it counts as a 2025 server. */
const STDIO_PROBE_TIMEOUT_MS = 5_000;

export function describeTarget(config: ResolvedServerConfig): string {
  return config.transport === "stdio"
    ? `server "${config.name}"`
    : `server "${config.name}" at ${redactorFor(config).text(maskUrl((config as RemoteServerConfig).url))}`;
}

function credentialsOf(config: ResolvedServerConfig, options: ConnectOptions): Credentials {
  return {
    header:
      config.transport !== "stdio" &&
      Object.keys((config as RemoteServerConfig).headers).some(
        (name) => name.toLowerCase() === "authorization",
      ),
    oauth: options.authProvider !== undefined && config.transport !== "stdio",
  };
}

/**
 * Connects to a server and completes the MCP handshake.
 *
 * Stdio servers are spawned in their own process group with the environment of ADR-002. Remote
 * servers with `transport: "auto"` get Streamable HTTP first and, when that attempt receives an
 * HTTP answer other than 401/403 (or an unusable answer), SSE on a fresh client. The protocol
 * era follows `options.protocol`, else the configuration's `protocol`, else `auto`.
 *
 * Errors: `CONNECT_FAILED` (cannot start or reach the server, it exited or refused, or it does
 * not speak the pinned era; the message carries its stderr tail), `TIMEOUT` (startup timeout),
 * `PROTOCOL_ERROR` (it wrote something other than JSON-RPC and never initialized),
 * `AUTH_REQUIRED`, `AUTH_REFUSED`, `CANCELLED`, `CONFIG_INVALID` (a URL that is not http(s)).
 */
export async function connectServer(
  config: ResolvedServerConfig,
  options: ConnectOptions = {},
): Promise<ServerConnection> {
  const where = describeTarget(config);
  const startupTimeoutMs = options.startupTimeoutMs ?? config.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? config.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const protocol: ProtocolPreference = options.protocol ?? config.protocol ?? "auto";
  const baseContext = { server: config.name, phase: "startup" as const, where, method: "initialize" };
  if (options.signal?.aborted) throw cancelledError(baseContext, options.signal.reason);
  let url: URL | undefined;
  if (config.transport !== "stdio") url = parseServerUrl(config as RemoteServerConfig);
  const sdk = await loadSdk();
  const deadline = Date.now() + startupTimeoutMs;
  const credentials = credentialsOf(config, options);
  const redactor = redactorFor(config);
  if (options.roots !== undefined && config.transport !== "stdio" && options.rootsForRemoteServers !== true) {
    const { roots: _withheld, ...rest } = options;
    options = rest;
  }

  const attempt = async (kind: ConnectedTransport, era: ProtocolPreference): Promise<Attempt> => {
    const state = new ConnectionState(redactor);
    const transport = createTransport(sdk, config, kind, url, options, state);
    const listChanged = { notify: (_kind: ListKind) => {} };
    const remaining = Math.max(1, deadline - Date.now());
    const client = new sdk.Client(resolveClientInfo(options.clientInfo), {
      capabilities: declaredCapabilities(options),
      versionNegotiation: negotiation(era, kind, remaining),
      listChanged: listChangedHandlers((changed) => listChanged.notify(changed)),
    });
    handleClientRequests(sdk, client, config.name, options, options.diagnostics);
    client.onerror = (error) => {
      const message = redactor.text(error.message);
      options.diagnostics?.({ level: "debug", message, source: `server:${config.name}` });
    };
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
      return { client, transport, kind, state, listChanged };
    } catch (error) {
      await closeQuietly(client, transport);
      if (options.signal?.aborted) throw cancelledError(context, options.signal.reason);
      if (timedOut) throw timeoutError(context, error);
      const translated = translate(sdk, error, context, credentials);
      throw Object.assign(translated, { [EXITED_DURING_PROBE]: era === "auto" && state.exit !== undefined });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onCallerAbort);
    }
  };

  /**
   * `auto` on stdio, second chances: a server that exited under the probe is started again and
   * initialized directly; a server that stayed silent on the probe (so we fell back to
   * `initialize`) and then refused the 2025 era is started again on 2026-07-28.
   */
  const attemptWithEraFallback = async (kind: ConnectedTransport): Promise<Attempt> => {
    // SSE predates the 2026 revision: nothing to probe there.
    const era = kind === "sse" && protocol === "auto" ? "legacy" : protocol;
    try {
      return await attempt(kind, era);
    } catch (error) {
      if (kind !== "stdio" || era !== "auto" || (error as McpCliError).code !== "CONNECT_FAILED") throw error;
      const refusedLegacy = (error as McpCliError).details?.rpcCode === UNSUPPORTED_PROTOCOL_VERSION;
      const exited = (error as { [EXITED_DURING_PROBE]?: boolean })[EXITED_DURING_PROBE] === true;
      if (!refusedLegacy && !exited) throw error;
      options.diagnostics?.({
        level: "debug",
        message: refusedLegacy
          ? "the server refused initialize after a silent version probe; starting it again on 2026-07-28"
          : "the server exited during the version probe; starting it again with initialize only",
        source: `server:${config.name}`,
      });
      return attempt(kind, refusedLegacy ? "modern" : "legacy");
    }
  };

  let connected: Attempt;
  if (config.transport === "stdio" || config.transport === "streamable-http" || config.transport === "sse") {
    connected = await attemptWithEraFallback(config.transport);
  } else {
    try {
      connected = await attemptWithEraFallback("streamable-http");
    } catch (first) {
      if (!shouldFallBackToSse(first)) throw first;
      options.diagnostics?.({
        level: "debug",
        message: `Streamable HTTP failed (${(first as Error).message}); trying SSE`,
        source: `server:${config.name}`,
      });
      try {
        connected = await attemptWithEraFallback("sse");
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
  const connection = new Connection(
    sdk,
    config,
    connected,
    requestTimeoutMs,
    options.diagnostics,
    credentials,
    where,
  );
  connected.listChanged.notify = (kind) => connection.notifyListChanged(kind);
  return connection;
}

const EXITED_DURING_PROBE = Symbol("exitedDuringProbe");

function negotiation(
  era: ProtocolPreference,
  kind: ConnectedTransport,
  remainingMs: number,
): { mode: "legacy" | "auto" | { pin: string }; probe?: { timeoutMs: number } } {
  if (era === "legacy") return { mode: "legacy" };
  if (era === "modern") return { mode: { pin: MODERN_REVISION }, probe: { timeoutMs: remainingMs } };
  // On stdio, silence on the probe means a 2025 server that ignores unknown requests: do not spend
  // the whole startup budget finding that out. Over HTTP silence is an outage, bounded by startup.
  const probeMs = kind === "stdio" ? Math.min(remainingMs, STDIO_PROBE_TIMEOUT_MS) : remainingMs;
  return { mode: "auto", probe: { timeoutMs: probeMs } };
}

/**
 * Fall back only when Streamable HTTP got an answer that says "not here" (an HTTP status other than
 * 401/403, or an unusable answer); not on auth, timeouts, cancellation or an unreachable host,
 * where SSE cannot do better.
 */
function shouldFallBackToSse(error: unknown): boolean {
  if (!(error instanceof McpCliError) || error.code !== "CONNECT_FAILED") return false;
  return error.details?.errno === undefined && error.details?.rpcCode === undefined;
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
  sdk: SdkModule,
  config: ResolvedServerConfig,
  kind: ConnectedTransport,
  url: URL | undefined,
  options: ConnectOptions,
  state: ConnectionState,
): SdkTransport {
  if (kind === "stdio") return new ProcessTransport(sdk, config as StdioServerConfig, options, state);
  const headers = { ...(config as RemoteServerConfig).headers };
  const target = url as URL;
  const auth = options.authProvider === undefined ? {} : { authProvider: options.authProvider };
  // Bodies are bounded while they stream in; going over closes the connection with LIMIT_SIZE.
  let transport: SdkTransport | undefined;
  const fetch = boundedFetch({
    maxBytes: options.maxMessageBytes ?? config.maxResponseBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    onLimit: (error) => {
      state.fatal ??= error;
      void transport?.close().catch(() => {});
    },
  });
  // A stored login's refresh on a 401 runs under its cross-process lock (auth/token-lock.ts).
  const guarded =
    options.authProvider instanceof StoredOAuthProvider ? options.authProvider.guardRefresh(fetch) : fetch;
  transport =
    kind === "streamable-http"
      ? new sdk.StreamableHTTPClientTransport(target, { requestInit: { headers }, fetch: guarded, ...auth })
      : new sdk.SSEClientTransport(target, { requestInit: { headers }, fetch: guarded, ...auth });
  return transport;
}
