/**
 * The CLI's side of the local daemon. `connectDaemon` finds the daemon started for exactly this
 * configuration (by fingerprint) and connects in a few hundred microseconds, or returns undefined
 * and the command runs in-process as before. Only `node:net` and `node:crypto` load on this path.
 */
import { lstat, unlink } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import {
  type ErrorDocument,
  type LogEntry,
  McpCliError,
  type ResolvedServerConfig,
} from "@mcp-execution/core";
import { loadConfiguration } from "../config-source.js";
import type { CommandContext } from "../context.js";
import { resolveForConnection } from "../server-target.js";
import { readFrames, writeFrame } from "./frames.js";
import { configurationFingerprint, MAX_FRAME_BYTES, socketPath } from "./protocol.js";

/** What identifies a configuration for the daemon: see protocol.ts. */
export async function daemonIdentity(
  context: CommandContext,
): Promise<{ fingerprint: string; configuration: string | null; servers: string[]; keepAlive: string[] }> {
  const config = await loadConfiguration(context);
  const servers: unknown[] = [];
  const names: string[] = [];
  const keepAlive: string[] = [];
  for (const server of config.servers) {
    if (server.disabled === true) continue;
    names.push(server.name);
    if (server.lifecycle === "keep-alive") keepAlive.push(server.name);
    let resolved: ResolvedServerConfig | typeof server = server;
    try {
      resolved = resolveForConnection(context, server);
    } catch {
      // A server whose variables are missing still identifies the configuration by its entry.
    }
    servers.push(resolved);
  }
  return {
    fingerprint: configurationFingerprint(context.environment.version, {
      configuration: config.path ?? null,
      cwd: context.cwd,
      servers,
      sandbox: config.sandbox ?? null,
    }),
    configuration: config.path ?? null,
    servers: names,
    keepAlive,
  };
}

export interface DaemonConnection {
  /** `onLog` receives the log lines an execution streams before its answer. */
  request<T>(method: string, params?: Record<string, unknown>, onLog?: (entry: LogEntry) => void): Promise<T>;
  close(): void;
}

function open(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => resolve(socket));
    socket.once("error", async (error: NodeJS.ErrnoException) => {
      // A daemon that died leaves its socket file behind: remove it if it is one.
      if (error.code === "ECONNREFUSED") {
        const stat = await lstat(path).catch(() => undefined);
        if (stat?.isSocket() === true) await unlink(path).catch(() => {});
      }
      resolve(undefined);
    });
  });
}

export async function connectDaemon(
  context: CommandContext,
  fingerprint: string,
): Promise<DaemonConnection | undefined> {
  const socket = await open(socketPath(context, fingerprint));
  if (socket === undefined) return undefined;
  let next = 1;
  const waiting = new Map<
    number,
    {
      resolve: (value: unknown) => void;
      reject: (error: Error) => void;
      onLog?: ((entry: LogEntry) => void) | undefined;
    }
  >();
  const fail = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  readFrames(socket, MAX_FRAME_BYTES, (frame) => {
    const answer = frame as { id: number; result?: unknown; error?: ErrorDocument; log?: LogEntry };
    const pending = waiting.get(answer.id);
    if (pending === undefined) return;
    if (answer.log !== undefined) {
      pending.onLog?.(answer.log);
      return;
    }
    waiting.delete(answer.id);
    if (answer.error !== undefined) {
      pending.reject(
        new McpCliError(answer.error.code, answer.error.message, { details: answer.error.details ?? {} }),
      );
    } else pending.resolve(answer.result);
  });
  socket.once("close", () =>
    fail(new McpCliError("CONNECTION_CLOSED", "the mcp-cli daemon closed the connection", { details: {} })),
  );
  socket.on("error", () => {});
  const onAbort = () => socket.destroy();
  context.signal.addEventListener("abort", onAbort, { once: true });
  return {
    request<T>(
      method: string,
      params: Record<string, unknown> = {},
      onLog?: (entry: LogEntry) => void,
    ): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, onLog });
        writeFrame(socket, { id, method, params });
      });
    },
    close() {
      context.signal.removeEventListener("abort", onAbort);
      socket.end();
    },
  };
}
