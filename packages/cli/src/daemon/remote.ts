/**
 * The daemon's side of the fast client (fast-client.ts): runs an `execute` or `call` command line
 * with the CLI's own `main`, in the client's folder, environment, home and terminal, so that
 * parsing, configuration, trust, limits, output and exit codes are exactly the in-process ones.
 *
 * The one difference is the decision point in daemon/use.ts: where the in-process CLI would
 * compute the configuration fingerprint and knock on a daemon, this run compares it with the
 * daemon's own and either takes the command (`served`: the request goes to this daemon's warm
 * runtime, the same requests and answers as over the socket) or declines it. Until then nothing
 * the command prints leaves the daemon (it is held back), and anything that would need the
 * client's process (standard input, a question on its terminal) declines as well, so a declined
 * command is run by the client from the start and prints only what it prints there.
 *
 * Only command lines that fast-argv.ts accepts are run, and a file that would be a WebAssembly
 * component (run in-process by execute) is declined first: nothing runs here by another path.
 */
import { closeSync, constants, openSync, readSync } from "node:fs";
import { extname, isAbsolute, resolve } from "node:path";
import { type LogEntry, McpCliError, toErrorDocument } from "@mcp-execution/core";
import type { DaemonConnection } from "./client.js";
import { daemonCommandLine } from "./fast-argv.js";
import { type RemoteRun, remoteRuns } from "./remote-run.js";

/** One daemon request as the socket handler runs it (server.ts). */
export type Dispatch = (
  method: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
  onLog?: (entry: LogEntry) => void,
) => Promise<unknown>;

export interface RemoteCliParams {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly home: string;
  readonly terminal: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
}

/** The params of a `cli` request, checked; undefined when they are not what fast-client.ts sends. */
export function remoteCliParams(params: Record<string, unknown>): RemoteCliParams | undefined {
  const { argv, env, cwd, home, terminal } = params as Partial<Record<keyof RemoteCliParams, unknown>>;
  if (!Array.isArray(argv) || !argv.every((word) => typeof word === "string")) return undefined;
  if (typeof env !== "object" || env === null || Array.isArray(env)) return undefined;
  if (!Object.values(env).every((value) => typeof value === "string")) return undefined;
  if (typeof cwd !== "string" || !isAbsolute(cwd) || typeof home !== "string") return undefined;
  const tty = terminal as Record<string, unknown> | null | undefined;
  if (typeof tty !== "object" || tty === null) return undefined;
  return {
    argv: argv as string[],
    env: env as Record<string, string>,
    cwd,
    home,
    terminal: { stdin: tty.stdin === true, stdout: tty.stdout === true, stderr: tty.stderr === true },
  };
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** True when `execute <file>` would run a WebAssembly component (commands/execute.ts runs those in-process). */
function mayBeComponent(path: string): boolean {
  if (extname(path) === ".wasm") return true;
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(4);
    const length = readSync(descriptor, head, 0, 4, 0);
    return length === 4 && WASM_MAGIC.every((byte, index) => head[index] === byte);
  } catch {
    return true;
  } finally {
    closeSync(descriptor);
  }
}

class Declined extends Error {}

/** Errors cross the local connection as they cross the socket: as documents. */
function asReceived(error: unknown): McpCliError {
  const document = toErrorDocument(error);
  return new McpCliError(document.code, document.message, { details: document.details ?? {} });
}

/** Values cross it as JSON, as over the socket, so the command sees the same shapes. */
function throughJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * The daemon's runtime seen as a {@link DaemonConnection}: what client.ts does over the socket,
 * without the socket. Aborting `signal` (the command's) is the client closing its connection.
 */
function localConnection(dispatch: Dispatch, signal: AbortSignal): DaemonConnection {
  const closed = new AbortController();
  const close = () => closed.abort(new McpCliError("CANCELLED", "the client disconnected", { details: {} }));
  if (signal.aborted) close();
  else signal.addEventListener("abort", close, { once: true });
  return {
    request<T>(method: string, params: Record<string, unknown> = {}, onLog?: (entry: LogEntry) => void) {
      return new Promise<T>((resolvePromise, reject) => {
        const lost = () =>
          reject(
            new McpCliError("CONNECTION_CLOSED", "the mcp-cli daemon closed the connection", { details: {} }),
          );
        if (closed.signal.aborted) {
          lost();
          return;
        }
        closed.signal.addEventListener("abort", lost, { once: true });
        dispatch(
          method,
          throughJson(params),
          closed.signal,
          onLog === undefined ? undefined : (entry) => onLog(throughJson(entry)),
        ).then(
          (result) => {
            closed.signal.removeEventListener("abort", lost);
            resolvePromise(throughJson(result) as T);
          },
          (error: unknown) => {
            closed.signal.removeEventListener("abort", lost);
            reject(asReceived(error));
          },
        );
      });
    },
    close() {
      signal.removeEventListener("abort", close);
      close();
    },
  };
}

export interface RemoteCli {
  readonly done: Promise<{ exit: number } | { fallback: true }>;
  /** The client's Ctrl-C. */
  interrupt(): void;
}

/**
 * Runs `params.argv` for a fast client. `send` writes a frame of this request (`served`, `out`);
 * `gone` aborts when the client disconnects.
 */
export function runRemoteCli(
  params: RemoteCliParams,
  daemon: { readonly fingerprint: string; readonly version: string; readonly dispatch: Dispatch },
  send: (frame: Record<string, unknown>) => void,
  gone: AbortSignal,
): RemoteCli {
  const controller = new AbortController();
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    controller.abort(new McpCliError("CANCELLED", "interrupted (SIGINT)", { details: { signal: "SIGINT" } }));
  };
  const done = (async (): Promise<{ exit: number } | { fallback: true }> => {
    const line = daemonCommandLine(params.argv);
    if (line === undefined) return { fallback: true };
    if (line.file !== undefined && mayBeComponent(resolve(params.cwd, line.file))) return { fallback: true };

    let served = false;
    let declined = false;
    // Set when main returned: a command body still running after a Ctrl-C (main stops waiting for
    // it after a grace period) must not start anything any more.
    let finished = false;
    let held: [string, string][] = [];
    const flush = () => {
      served = true;
      send({ served: true });
      for (const [out, text] of held) send({ out, text });
      held = [];
    };
    const sink = (out: "stdout" | "stderr", isTTY: boolean) => ({
      isTTY,
      write(text: string) {
        if (finished) return;
        if (served) send({ out, text });
        else if (!declined) held.push([out, text]);
      },
    });
    const run: RemoteRun = {
      fingerprint: daemon.fingerprint,
      serve(signal) {
        if (declined || finished) throw new Declined("the command has ended");
        flush();
        return localConnection(daemon.dispatch, signal);
      },
      decline(reason) {
        if (!served) declined = true;
        return new Declined(`the daemon does not run this command: ${reason}`);
      },
    };
    const onGone = () =>
      controller.abort(new McpCliError("CANCELLED", "the client disconnected", { details: {} }));
    gone.addEventListener("abort", onGone, { once: true });
    try {
      const { main } = await import("../main.js");
      const exit = await remoteRuns.run(run, () =>
        main(params.argv, {
          cwd: params.cwd,
          home: params.home,
          env: params.env,
          platform: process.platform,
          version: daemon.version,
          readStdin: () => Promise.reject(run.decline("it reads standard input")),
          ...(params.terminal.stdin && params.terminal.stderr
            ? { ask: () => Promise.reject(run.decline("it asks a question on the terminal")) }
            : {}),
          stdout: sink("stdout", params.terminal.stdout),
          stderr: sink("stderr", params.terminal.stderr),
          signal: controller.signal,
        }),
      );
      finished = true;
      // Ctrl-C before the decision: the command ends as it would in-process (CANCELLED, 130).
      if (!served && interrupted && !declined) flush();
      return served ? { exit } : { fallback: true };
    } finally {
      gone.removeEventListener("abort", onGone);
    }
  })();
  return { done, interrupt };
}
