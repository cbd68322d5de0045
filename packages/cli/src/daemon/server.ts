/**
 * `mcp-cli daemon run`: the warm runtime of `serve` behind a Unix socket for the CLI's own
 * `execute` and `call`. The socket is created inside a 0700 directory and made 0600; a path that
 * exists and is not a socket is refused, never replaced. The daemon exits when told to stop, on
 * SIGTERM/SIGINT (draining in-flight work), or after `idleMs` without a request.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { type LogEntry, McpCliError, toErrorDocument } from "@mcp-execution/core";
import { type ServeOptions, ServeRuntime } from "../commands/serve.js";
import type { CommandContext } from "../context.js";
import { readFrames, writeFrame } from "./frames.js";
import { locatorFileName, readRecord } from "./paths.js";
import { type DaemonStatus, MAX_FRAME_BYTES } from "./protocol.js";
import { type RemoteCli, remoteCliParams, runRemoteCli } from "./remote.js";

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

/**
 * Points fast clients in this folder at this daemon (paths.ts): the fingerprint, written to a new
 * 0600 file renamed over the record, so a reader never sees half of it and a link planted at the
 * record's name is replaced, not written through.
 */
async function writeRecord(path: string, fingerprint: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(`${fingerprint}\n`, "utf8");
  } finally {
    await handle.close();
  }
  await rename(temporary, path).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => {});
    throw error;
  });
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

  /** One request against the warm runtime; `client` names the caller in the audit log. */
  const dispatch = async (
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    client: string,
    onLog?: (entry: LogEntry) => void,
  ): Promise<unknown> => {
    switch (method) {
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
            ...(onLog === undefined ? {} : { onLog }),
          },
          signal,
          client,
        );
      default:
        throw new McpCliError("UNSUPPORTED", `unknown daemon method ${JSON.stringify(method)}`, {
          details: { method },
        });
    }
  };

  /**
   * One request from a socket: `cli` and `interrupt` come from fast clients (remote.ts; `running`
   * holds this connection's command lines by request id), everything else goes to {@link dispatch}.
   */
  const handle = (
    socket: Socket,
    request: Request,
    signal: AbortSignal,
    running: Map<number, RemoteCli>,
  ): Promise<unknown> => {
    const params = request.params ?? {};
    const client = `daemon:${socket.remoteAddress ?? "unix"}`;
    if (request.method === "cli") {
      const cli = remoteCliParams(params);
      if (cli === undefined) return Promise.resolve({ fallback: true });
      const remote = runRemoteCli(
        cli,
        {
          fingerprint: options.fingerprint,
          version: context.environment.version,
          dispatch: (method, innerParams, innerSignal, onLog) =>
            dispatch(method, innerParams, innerSignal, client, onLog),
        },
        (frame) => writeFrame(socket, { id: request.id, ...frame }),
        signal,
      );
      running.set(request.id, remote);
      return remote.done.finally(() => running.delete(request.id));
    }
    if (request.method === "interrupt") {
      running.get(Number(params.request))?.interrupt();
      return Promise.resolve({ interrupted: true });
    }
    // Log lines stream back as they happen, so a human watching the CLI sees them live.
    const onLog =
      params.streamLogs === true
        ? (entry: LogEntry) => writeFrame(socket, { id: request.id, log: entry })
        : undefined;
    return dispatch(request.method, params, signal, client, onLog);
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
    const running = new Map<number, RemoteCli>();
    readFrames(socket, MAX_FRAME_BYTES, (frame) => {
      const request = frame as Request;
      if (typeof request !== "object" || request === null || typeof request.id !== "number") {
        socket.destroy();
        return;
      }
      busy++;
      clearTimeout(idleTimer);
      handle(socket, request, gone.signal, running)
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
  const record = join(
    dirname(options.socket),
    locatorFileName(context.environment.version, context.cwd, context.globals.config),
  );
  await writeRecord(record, options.fingerprint);
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
  // Another daemon for the same folder may have taken the record over since: leave its record alone.
  if (readRecord(record) === options.fingerprint) await unlink(record).catch(() => {});
  return 0;
}
