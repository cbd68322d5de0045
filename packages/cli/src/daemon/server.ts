/**
 * `mcp-cli daemon run`: the warm runtime of `serve` behind a Unix socket for the CLI's own
 * `execute` and `call`. The socket is created inside a 0700 directory and made 0600; a path that
 * exists and is not a socket is refused, never replaced. The daemon exits when told to stop, on
 * SIGTERM/SIGINT (draining in-flight work), or after `idleMs` without a request.
 */
import { chmod, lstat, mkdir, unlink } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { dirname } from "node:path";
import { type LogEntry, McpCliError, toErrorDocument } from "@mcp-execution/core";
import { type ServeOptions, ServeRuntime } from "../commands/serve.js";
import type { CommandContext } from "../context.js";
import { readFrames, writeFrame } from "./frames.js";
import { type DaemonStatus, MAX_FRAME_BYTES } from "./protocol.js";

interface Request {
  readonly id: number;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/** Makes the socket's directory (0700) and clears a stale socket of ours; refuses anything else. */
async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  const existing = await lstat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new McpCliError("PATH_INVALID", `${path} exists and is not a socket; remove it yourself`, {
      details: { path },
    });
  }
  await unlink(path);
}

export interface DaemonRunOptions extends ServeOptions {
  readonly socket: string;
  readonly fingerprint: string;
  readonly idleMs: number;
  readonly configuration: string | null;
}

export async function runDaemon(context: CommandContext, options: DaemonRunOptions): Promise<number> {
  const runtime = await ServeRuntime.start(context, options);
  await prepareSocketPath(options.socket);
  const startedAt = new Date().toISOString();
  let executions = 0;
  let calls = 0;
  const stopped = new AbortController();
  const sockets = new Set<Socket>();
  let idleTimer: NodeJS.Timeout | undefined;
  let busy = 0;
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (busy === 0) idleTimer = setTimeout(() => stopped.abort(), options.idleMs);
  };

  const status = (): DaemonStatus => ({
    pid: process.pid,
    fingerprint: options.fingerprint,
    version: context.environment.version,
    configuration: options.configuration,
    servers: runtime.state.servers,
    tools: runtime.state.catalog.size,
    startedAt,
    executions,
    calls,
  });

  const handle = async (socket: Socket, request: Request, signal: AbortSignal): Promise<unknown> => {
    const params = request.params ?? {};
    switch (request.method) {
      case "status":
        return status();
      case "stop":
        setImmediate(() => stopped.abort());
        return { stopping: true };
      case "tools":
        return runtime.tools(String(params.server));
      case "call":
        calls++;
        return runtime.callTool(
          String(params.server),
          String(params.tool),
          (params.args ?? {}) as Record<string, unknown>,
          signal,
        );
      case "execute":
        executions++;
        return runtime.execute(
          {
            source: String(params.source),
            mode: params.mode === "module" ? "module" : "snippet",
            filename: typeof params.filename === "string" ? params.filename : "execute.ts",
            ...(params.language === "javascript" || params.language === "typescript"
              ? { language: params.language }
              : {}),
            ...(typeof params.limits === "object" && params.limits !== null
              ? { limits: params.limits as never }
              : {}),
            ...(Array.isArray(params.servers) ? { servers: params.servers.map(String) } : {}),
            // Log lines stream back as they happen, so a human watching the CLI sees them live.
            ...(params.streamLogs === true
              ? { onLog: (entry: LogEntry) => writeFrame(socket, { id: request.id, log: entry }) }
              : {}),
          },
          signal,
          `daemon:${socket.remoteAddress ?? "unix"}`,
        );
      default:
        throw new McpCliError("UNSUPPORTED", `unknown daemon method ${JSON.stringify(request.method)}`, {
          details: { method: request.method },
        });
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    // A client that disconnects cancels what it asked for.
    const gone = new AbortController();
    socket.once("close", () => {
      sockets.delete(socket);
      gone.abort(new McpCliError("CANCELLED", "the client disconnected", { details: {} }));
    });
    socket.on("error", () => {});
    readFrames(socket, MAX_FRAME_BYTES, (frame) => {
      const request = frame as Request;
      if (typeof request !== "object" || request === null || typeof request.id !== "number") {
        socket.destroy();
        return;
      }
      busy++;
      clearTimeout(idleTimer);
      handle(socket, request, gone.signal)
        .then(
          (result) => writeFrame(socket, { id: request.id, result }),
          (error: unknown) => writeFrame(socket, { id: request.id, error: toErrorDocument(error) }),
        )
        .finally(() => {
          busy--;
          armIdle();
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socket, () => {
      server.off("error", reject);
      resolve();
    });
  });
  await chmod(options.socket, 0o600);
  armIdle();
  const onSignal = () => stopped.abort();
  process.once("SIGTERM", onSignal);
  context.signal.addEventListener("abort", onSignal, { once: true });
  context.output.stderr(
    `mcp-cli daemon: serving ${runtime.state.servers.join(", ") || "no servers"} on ${options.socket}`,
  );

  await new Promise<void>((resolve) => {
    if (stopped.signal.aborted) resolve();
    else stopped.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  process.off("SIGTERM", onSignal);
  clearTimeout(idleTimer);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.drain(options.drainTimeout ?? 30_000);
  for (const socket of sockets) socket.end();
  await closed;
  await unlink(options.socket).catch(() => {});
  return 0;
}
