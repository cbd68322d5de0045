/**
 * `serve --http`: the code-mode server over Streamable HTTP (both protocol eras through SDK v2's
 * `createMcpHandler`, reached through serve's own Node adapter, web-handler.ts), safe by default.
 *
 * - Binds to loopback unless told otherwise; any other address requires a bearer token.
 * - `Host` is checked against loopback names (or the names allowed) and a browser `Origin` against
 *   loopback origins (or those allowed): DNS rebinding from a web page cannot reach the server.
 * - The token is compared in constant time; it is never logged or echoed.
 * - Request bodies are capped before they are parsed (413).
 * - `GET /health` answers without a token (no secrets, no tool data); `GET /metrics` (Prometheus)
 *   needs the token when one is set.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpCliError } from "@mcp-execution/core";
// The validators come from the server package: @modelcontextprotocol/node wraps the same two
// functions, and importing it loads a web-framework adapter serve does not use (about 5 MiB and
// 100-200 ms of start-up).
import {
  createMcpHandler,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  type McpServerFactory,
  validateHostHeader,
  validateOriginHeader,
} from "@modelcontextprotocol/server";
import type { ServeMetrics } from "./metrics.js";
import { jsonRpcError, serveWebHandler } from "./web-handler.js";

export interface HttpServeOptions {
  readonly host: string;
  /** 0 picks a free port (see {@link HttpServe.url}). */
  readonly port: number;
  /** Required unless `host` is a loopback address. */
  readonly token?: string | undefined;
  /** Host names accepted in the `Host` header besides loopback names. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Origin host names accepted from browsers besides loopback. */
  readonly allowedOrigins?: readonly string[] | undefined;
  readonly maxRequestBytes: number;
  /**
   * How long a client may take to send a whole request, headers and body (408 after it). Bounds a
   * body trickled a byte at a time; the answer (an execution's event stream) is not covered.
   */
  readonly requestTimeoutMs?: number | undefined;
  readonly factory: McpServerFactory;
  readonly metrics: ServeMetrics;
  readonly health: () => Record<string, unknown>;
  /** Out-of-band errors of the MCP handler (reporting only). */
  readonly onError?: ((error: Error) => void) | undefined;
}

export interface HttpServe extends AsyncDisposable {
  /** `http://host:port/mcp`. */
  readonly url: string;
  /** Stops accepting connections and closes the handler; in-flight requests finish first. */
  close(): Promise<void>;
}

/** The default of {@link HttpServeOptions.requestTimeoutMs}: a capped body arrives well within it. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Headers must arrive within this (or the request timeout, when that is shorter). */
const HEADERS_TIMEOUT_MS = 10_000;

/** How long close() waits for responses already being written before it cuts connections. */
const CLOSE_GRACE_MS = 2_000;

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

export async function startHttpServe(options: HttpServeOptions): Promise<HttpServe> {
  if (!isLoopback(options.host) && (options.token === undefined || options.token.length === 0)) {
    throw new McpCliError(
      "USAGE",
      `serve --http on ${options.host} is reachable from other machines and needs a bearer token: pass --token-file FILE or set MCP_CLI_SERVE_TOKEN`,
      { details: { host: options.host } },
    );
  }
  const expected = options.token === undefined ? undefined : digest(options.token);
  const authorized = (request: IncomingMessage): boolean => {
    if (expected === undefined) return true;
    const header = request.headers.authorization;
    if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
    return timingSafeEqual(digest(header.slice("Bearer ".length)), expected);
  };

  const allowedHosts =
    options.allowedHosts !== undefined && options.allowedHosts.length > 0
      ? [...localhostAllowedHostnames(), ...options.allowedHosts]
      : isLoopback(options.host)
        ? localhostAllowedHostnames()
        : undefined;
  const allowedOrigins = [...localhostAllowedOrigins(), ...(options.allowedOrigins ?? [])];

  const handler = createMcpHandler(options.factory, {
    maxRequestBodySize: options.maxRequestBytes,
    ...(options.onError === undefined ? {} : { onerror: options.onError }),
  });
  const adapter = {
    maxRequestBytes: options.maxRequestBytes,
    onTooLarge: () => options.metrics.errors.inc({ code: "LIMIT_SIZE" }),
    onError: options.onError,
  };

  // Requests whose response is not finished yet: close() lets them end before it cuts connections.
  let active = 0;
  let onIdle: (() => void) | undefined;
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const server: Server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      // Node looks for overdue requests this often (30 s by default, longer than the timeout).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeout / 4))),
    },
    (request, response) => {
      active++;
      response.once("close", () => {
        active--;
        if (active === 0) onIdle?.();
      });
      const path = (request.url ?? "/").split("?")[0];
      const host =
        allowedHosts === undefined
          ? ({ ok: true } as const)
          : validateHostHeader(request.headers.host, allowedHosts);
      if (!host.ok) {
        options.metrics.errors.inc({ code: "HOST_REFUSED" });
        jsonRpcError(response, 403, -32000, host.message);
        return;
      }
      const origin = validateOriginHeader(request.headers.origin, allowedOrigins);
      if (!origin.ok) {
        options.metrics.errors.inc({ code: "ORIGIN_REFUSED" });
        jsonRpcError(response, 403, -32000, origin.message);
        return;
      }
      if (path === "/health" && request.method === "GET") {
        json(response, 200, { ok: true, ...options.health() });
        return;
      }
      if (!authorized(request)) {
        options.metrics.errors.inc({ code: "AUTH_REQUIRED" });
        json(
          response,
          401,
          { error: "a bearer token is required" },
          { "www-authenticate": 'Bearer realm="mcp-cli"' },
        );
        return;
      }
      if (path === "/metrics" && request.method === "GET") {
        options.metrics.registry
          .metrics()
          .then((body) => {
            response.writeHead(200, { "content-type": options.metrics.registry.contentType });
            response.end(body);
          })
          .catch((error: Error) => json(response, 500, { error: error.message }));
        return;
      }
      if (path !== "/mcp") {
        json(response, 404, { error: "not found; the MCP endpoint is /mcp" });
        return;
      }
      const declared = Number(request.headers["content-length"] ?? 0);
      if (Number.isFinite(declared) && declared > options.maxRequestBytes) {
        options.metrics.errors.inc({ code: "LIMIT_SIZE" });
        json(response, 413, { error: `request body over ${options.maxRequestBytes} bytes` });
        request.resume();
        return;
      }
      serveWebHandler(handler, request, response, adapter).catch((error: Error) => {
        options.onError?.(error);
        if (!response.headersSent) json(response, 500, { error: "internal error" });
        else response.destroy();
      });
    },
  );
  // Slow-loris bounds (with the timeouts above): idle keep-alive sockets do not pile up either.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Answers already being written (an execution that just finished) get to finish; open
      // subscription streams never do, so the wait is bounded before the handler ends them.
      if (active > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            onIdle = resolve;
          }),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, CLOSE_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
      }
      await handler.close();
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  return { url: `http://${hostForUrl}:${address.port}/mcp`, close, [Symbol.asyncDispose]: close };
}
