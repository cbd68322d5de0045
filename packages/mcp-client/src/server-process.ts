/**
 * A stdio MCP server as an operating-system process: spawning it in its own process group,
 * splitting its stdout into lines, keeping a tail of its stderr, and terminating it (and anything
 * it started) without leaving orphans. Knows nothing about MCP; `connection/process-transport.ts` speaks the
 * protocol over it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import { McpCliError } from "@mcp-execution/core";
import { StderrTail } from "./stderr-tail.js";
import { type GroupSupervisor, superviseGroup } from "./supervisor.js";

export interface ServerProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment of the child (see `environment.ts`). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** How long each termination step waits before the next, harder one. */
  readonly killGraceMs: number;
  /** Characters of stderr kept for error messages. */
  readonly stderrTailChars: number;
  /** A line longer than this closes the process: it would otherwise be buffered without bound. */
  readonly maxLineBytes: number;
  /** Each complete stdout line, without its line ending. */
  readonly onLine: (line: string) => void;
  /** Each stderr line, as it arrives. */
  readonly onStderrLine?: (line: string) => void;
  /** The process exited or could not be started; called once. */
  readonly onExit: (exit: ProcessExit) => void;
  /**
   * Whether a watcher kills the process group when this process dies without closing it
   * (`supervisor.ts`; POSIX only). Default true; benches turn it off for a baseline.
   */
  readonly supervise?: boolean;
}

export interface ProcessExit {
  /** Exit status, or null when a signal ended the process or it never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started (for example ENOENT) or was closed by us. */
  readonly error?: McpCliError;
}

/** Process groups still alive, killed synchronously if the host exits without closing them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A last resort for hosts that exit without awaiting close(): a well-behaved server would stop
  // on stdin EOF anyway, but one that ignores it must not outlive us.
  process.once("exit", () => {
    for (const group of liveGroups) signalGroup(group, "SIGKILL");
    liveGroups.clear();
  });
}

const usesProcessGroups = process.platform !== "win32";

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(usesProcessGroups ? -pid : pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group (or the process itself on Windows) is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(usesProcessGroups ? -pid : pid, 0);
    return true;
  } catch (error) {
    // EPERM: something alive that we may not signal; treat as alive so we keep trying.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A spawned server. Owns the child process and its process group; {@link terminate} must be
 * called (it is idempotent) to release them.
 */
export class ServerProcess {
  readonly #child: ChildProcess;
  readonly #options: ServerProcessOptions;
  readonly #stderr: StderrTail;
  /** What onExit reported: the real exit, or an earlier fatal error such as an oversized line. */
  #exit: ProcessExit | undefined;
  /** Set when the OS process has really ended (or never started). */
  #closed = false;
  readonly #exited: Promise<void>;
  #terminating: Promise<void> | undefined;
  #pendingChunks: Buffer[] = [];
  #pendingBytes = 0;
  #stderrPartial = "";
  #started: Promise<void>;
  /** Kills the group if we die before {@link terminate} has finished with it. */
  #supervisor: GroupSupervisor | undefined;

  constructor(options: ServerProcessOptions) {
    this.#options = options;
    this.#stderr = new StderrTail(options.stderrTailChars);
    installExitHook();
    let resolveExited: () => void = () => {};
    this.#exited = new Promise((resolve) => {
      resolveExited = resolve;
    });
    const child = spawn(options.command, [...options.args], {
      env: { ...options.env },
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
      // Its own process group, so terminate() reaches wrappers' children (npx, uv run, sh -c).
      detached: usesProcessGroups,
    });
    this.#child = child;
    const finish = (exit: ProcessExit): void => {
      this.#closed = true;
      resolveExited();
      this.#report(exit);
    };
    this.#started = new Promise((resolve, reject) => {
      child.once("spawn", () => {
        if (child.pid !== undefined && usesProcessGroups) {
          liveGroups.add(child.pid);
          if (options.supervise !== false) this.#supervisor = superviseGroup(child.pid);
        }
        resolve();
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        const failure = spawnError(options, error);
        if (child.pid === undefined) {
          reject(failure);
          finish({ code: null, signal: null, error: failure });
        }
      });
    });
    // Avoid an unhandled rejection when nobody awaits start() (the error reaches onExit too).
    this.#started.catch(() => {});
    child.once("close", (code, signal) => {
      this.#flushStderr();
      // A group that ended with its leader needs no guard: unregister now, not at terminate(),
      // which keeps the window for pid reuse (see supervisor.ts) as short as it can be.
      if (child.pid !== undefined && usesProcessGroups && !groupAlive(child.pid)) this.#supervisor?.release();
      finish({ code, signal });
    });
    child.stdin?.on("error", () => {
      // EPIPE after the server exited; the exit is reported through onExit.
    });
    child.stdout?.on("data", (chunk: Buffer) => this.#onStdout(chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.#onStderr(chunk));
  }

  /** Resolves once the process runs; rejects with `CONNECT_FAILED` when it cannot be started. */
  start(): Promise<void> {
    return this.#started;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The exit, once the process has exited. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /** Resolves when the process has exited (or failed to start). */
  get exited(): Promise<void> {
    return this.#exited;
  }

  #report(exit: ProcessExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    this.#options.onExit(exit);
  }

  /** The last bytes the server wrote to stderr (whole lines where possible). */
  stderrTail(): string {
    return this.#stderr.text(this.#stderrPartial);
  }

  /** Writes to stdin; resolves when the data is handed to the OS (honouring backpressure). */
  write(data: string): Promise<void> {
    const stdin = this.#child.stdin;
    if (stdin === null || stdin.destroyed || !stdin.writable || this.#exit !== undefined) {
      return Promise.reject(
        new McpCliError("CONNECTION_CLOSED", "the server process is no longer running", {
          details: { command: this.#options.command },
        }),
      );
    }
    return new Promise((resolve, reject) => {
      stdin.write(data, (error) => {
        if (error === null || error === undefined) {
          resolve();
          return;
        }
        reject(
          new McpCliError("CONNECTION_CLOSED", "the server process stopped reading its input", {
            cause: error,
            details: { command: this.#options.command, errno: (error as NodeJS.ErrnoException).code ?? null },
          }),
        );
      });
    });
  }

  /**
   * Stops the server and everything in its process group: close stdin and wait, then SIGTERM
   * and wait, then SIGKILL. Idempotent; resolves when nothing of the group is left.
   */
  terminate(): Promise<void> {
    this.#terminating ??= this.#terminate();
    return this.#terminating;
  }

  async #terminate(): Promise<void> {
    const pid = this.#child.pid;
    try {
      await this.#started;
    } catch {
      return; // never started: nothing to stop
    }
    if (pid === undefined) return;
    const grace = this.#options.killGraceMs;
    const gone = (): boolean => this.#closed && !groupAlive(pid);
    const waitUntilGone = async (ms: number): Promise<boolean> => {
      const deadline = Date.now() + ms;
      while (!gone()) {
        if (Date.now() >= deadline) return false;
        await Promise.race([this.#exited, delay(Math.min(25, Math.max(1, deadline - Date.now())))]);
      }
      return true;
    };
    try {
      if (!this.#closed) {
        this.#child.stdin?.end();
        if (await waitUntilGone(grace)) return;
      } else if (!groupAlive(pid)) {
        return;
      }
      signalGroup(pid, "SIGTERM");
      if (await waitUntilGone(grace)) return;
      signalGroup(pid, "SIGKILL");
      await waitUntilGone(grace);
    } finally {
      // Released only now: until the group is gone, our death must still take it along.
      this.#supervisor?.release();
      liveGroups.delete(pid);
      this.#child.stdout?.destroy();
      this.#child.stderr?.destroy();
    }
  }

  #onStdout(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      let line: Buffer;
      if (this.#pendingChunks.length === 0) {
        line = chunk.subarray(start, newline);
      } else {
        this.#pendingChunks.push(chunk.subarray(start, newline));
        line = Buffer.concat(this.#pendingChunks);
        this.#pendingChunks = [];
        this.#pendingBytes = 0;
      }
      if (!this.#checkLineSize(line.length)) return;
      const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
      this.#options.onLine(line.toString("utf8", 0, end));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#pendingChunks.push(rest);
      this.#pendingBytes += rest.length;
      this.#checkLineSize(this.#pendingBytes);
    }
  }

  /** A line over the limit means a broken or hostile server: stop reading and stop it. */
  #checkLineSize(bytes: number): boolean {
    if (bytes <= this.#options.maxLineBytes) return true;
    this.#pendingChunks = [];
    this.#pendingBytes = 0;
    this.#child.stdout?.removeAllListeners("data");
    this.#child.stdout?.resume();
    const error = new McpCliError(
      "LIMIT_SIZE",
      `the server sent a message larger than ${this.#options.maxLineBytes} bytes on stdout`,
      { details: { limitBytes: this.#options.maxLineBytes } },
    );
    this.#report({ code: null, signal: null, error });
    void this.terminate();
    return false;
  }

  #onStderr(chunk: Buffer): void {
    const text = this.#stderrPartial + chunk.toString("utf8");
    const lines = text.split("\n");
    this.#stderrPartial = lines.pop() ?? "";
    if (this.#stderrPartial.length > this.#options.stderrTailChars) {
      // A server that never ends its line: keep only the tail of it.
      this.#stderrPartial = this.#stderrPartial.slice(-this.#options.stderrTailChars);
    }
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      this.#stderr.push(line);
      this.#options.onStderrLine?.(line);
    }
  }

  #flushStderr(): void {
    if (this.#stderrPartial === "") return;
    const line = this.#stderrPartial;
    this.#stderrPartial = "";
    this.#stderr.push(line);
    this.#options.onStderrLine?.(line);
  }
}

function spawnError(options: ServerProcessOptions, error: NodeJS.ErrnoException): McpCliError {
  // Arguments may hold expanded secrets, so only the command is shown.
  let reason: string;
  if (error.code === "ENOENT") {
    reason =
      options.cwd !== undefined && !isDirectory(options.cwd)
        ? `its working directory ${JSON.stringify(options.cwd)} does not exist`
        : `command not found (is it installed and on the server's PATH?)`;
  } else if (error.code === "EACCES") {
    reason = "permission denied";
  } else {
    reason = error.message;
  }
  return new McpCliError("CONNECT_FAILED", `could not start \`${options.command}\`: ${reason}`, {
    cause: error,
    details: {
      command: options.command,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      errno: error.code ?? null,
    },
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
