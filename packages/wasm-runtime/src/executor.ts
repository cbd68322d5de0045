/**
 * The QuickJS sandbox executor: a small pool of worker threads, each holding a capped QuickJS
 * interpreter, a wall-clock watchdog per run, and the host half of the guest API (tool calls
 * through the bridge, files through the VFS, session state). See docs/sandbox.md and ADR-005.
 */
import { setMaxListeners } from "node:events";
import { availableParallelism } from "node:os";
import {
  type CodeExecutor,
  type DiagnosticListener,
  disposedError,
  type ErrorDocument,
  type ExecutionOutcome,
  type ExecutionRequest,
  type GuestFileSystem,
  isMcpCliError,
  type LogEntry,
  McpCliError,
  type SandboxLimits,
  type SessionId,
  type ToolBridge,
  toErrorDocument,
} from "@mcp-execution/core";
import { boundErrorDocument } from "./guest-errors.js";
import { tripError } from "./limit-errors.js";
import { checkModuleSize, resolveModule } from "./module-resolution.js";
import { adoptPrestartedWorker } from "./prestart.js";
import {
  errorEnvelope,
  okEnvelope,
  type RunJob,
  type SyncAnswer,
  type SyncRequest,
  type ToolCallRequest,
} from "./protocol.js";
import { QuickJsWorkerHandle, type RunHooks, type WorkerRunResult } from "./quickjs-worker-handle.js";
import {
  LOG_ENTRY_OVERHEAD_BYTES,
  MAX_MEMORY_BYTES,
  MAX_STACK_BYTES,
  MAX_TIMEOUT_MS,
  MIN_MEMORY_BYTES,
  MIN_STACK_BYTES,
  WARM_MEMORY_BYTES,
} from "./sandbox-constants.js";
import { SessionState } from "./session-state.js";
import { armWatchdog } from "./threads/watchdog.js";
import { languageOf } from "./transpile.js";

type VfsModule = typeof import("@mcp-execution/vfs");

export interface QuickJsExecutorOptions {
  /**
   * Worker threads that may run at once; further executions wait in a queue. Default: the number
   * of CPUs, at most 4.
   */
  readonly maxWorkers?: number;
  /**
   * How long after a run's deadline (or a cancellation) the watchdog waits for the worker to
   * answer before it terminates the thread. Default 250 ms. The run ends as `LIMIT_TIME` (or
   * `CANCELLED`) either way; the grace only decides whether the warm worker survives.
   */
  readonly watchdogGraceMs?: number;
  /**
   * Workers kept started and idle for the next executions ({@link QuickJsExecutor.warmUp} starts
   * them; later executions keep them). Each prepares its next runtime while idle; with two, back-to-
   * back executions alternate and each finds a prepared runtime. Default 1; at most `maxWorkers`.
   */
  readonly warmWorkers?: number;
  /** Idle workers beyond `warmWorkers` are stopped after this long. Default 30 s. */
  readonly idleWorkerTimeoutMs?: number;
  /** Worker start-up problems and stray output from the interpreter. */
  readonly onDiagnostic?: DiagnosticListener;
}

interface Waiter {
  readonly resolve: (worker: QuickJsWorkerHandle) => void;
  readonly reject: (error: unknown) => void;
}

let vfsLoading: Promise<VfsModule> | undefined;
let vfsModule: VfsModule | undefined;
/** The VFS package (memfs) loads on the first file call or import, not with every execution. */
function loadVfs(): Promise<VfsModule> {
  vfsLoading ??= import("@mcp-execution/vfs").then((module) => {
    vfsModule = module;
    return module;
  });
  return vfsLoading;
}

const LIMIT_NAMES = [
  "memoryBytes",
  "timeoutMs",
  "fuel",
  "stackBytes",
  "maxToolCalls",
  "maxOutputBytes",
  "workspaceBytes",
] as const satisfies readonly (keyof SandboxLimits)[];

function usage(message: string, details: Record<string, unknown>): ErrorDocument {
  return { code: "USAGE", message, details };
}

/** What is wrong with `limits` for this sandbox, or undefined when they can be enforced. */
export function checkSandboxLimits(limits: SandboxLimits): ErrorDocument | undefined {
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      return usage(`sandbox limit ${name} must be a positive integer, got ${String(value)}`, {
        limit: name,
        value: String(value),
      });
    }
  }
  if (limits.memoryBytes < MIN_MEMORY_BYTES || limits.memoryBytes > MAX_MEMORY_BYTES) {
    return usage(
      `sandbox memory limit must be between ${MIN_MEMORY_BYTES / 1048576} MiB and ${MAX_MEMORY_BYTES / 1048576} MiB, got ${limits.memoryBytes} bytes (the interpreter itself takes 16 MiB)`,
      { limit: "memoryBytes", value: limits.memoryBytes, min: MIN_MEMORY_BYTES, max: MAX_MEMORY_BYTES },
    );
  }
  if (limits.stackBytes < MIN_STACK_BYTES || limits.stackBytes > MAX_STACK_BYTES) {
    return usage(
      `sandbox stack limit must be between ${MIN_STACK_BYTES / 1024} KiB and ${MAX_STACK_BYTES / 1024} KiB, got ${limits.stackBytes} bytes (the interpreter's C stack is 5 MiB)`,
      { limit: "stackBytes", value: limits.stackBytes, min: MIN_STACK_BYTES, max: MAX_STACK_BYTES },
    );
  }
  if (limits.timeoutMs > MAX_TIMEOUT_MS) {
    return usage(`sandbox time limit must be at most ${MAX_TIMEOUT_MS} ms, got ${limits.timeoutMs}`, {
      limit: "timeoutMs",
      value: limits.timeoutMs,
    });
  }
  return undefined;
}

/**
 * The outcome for a result's JSON text. The worker checked it; it is parsed here again, on the
 * host's side of the boundary, and refused rather than trusted if it does not parse.
 */
function resultOutcome(
  json: string,
  finish: (
    result:
      | { readonly ok: true; readonly result: unknown }
      | { readonly ok: false; readonly error: ErrorDocument },
  ) => ExecutionOutcome,
): ExecutionOutcome {
  try {
    return finish({ ok: true, result: JSON.parse(json) as unknown });
  } catch {
    return finish({
      ok: false,
      error: { code: "RESULT_UNSERIALIZABLE", message: "the result did not arrive as valid JSON" },
    });
  }
}

/** Read through a function so that TypeScript does not keep an earlier check's narrowing. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function safeErrorEnvelope(error: ErrorDocument): string {
  try {
    return errorEnvelope(error);
  } catch {
    return errorEnvelope({ code: error.code, message: error.message });
  }
}

/**
 * The sandbox. `execute()` runs guest TypeScript or JavaScript in a fresh QuickJS runtime and
 * context on a worker thread and resolves with `{ ok, result | error, logs, stats }`; it never
 * rejects for anything the guest does (limits, errors, unserializable results, crashes of the
 * worker). It rejects only when the executor is closed (`DISPOSED`) or the sandbox itself cannot
 * start (`INTERNAL`).
 *
 * Error codes in outcomes: `GUEST_ERROR`, `GUEST_SYNTAX`, `RESULT_UNSERIALIZABLE`, `LIMIT_TIME`,
 * `LIMIT_FUEL`, `LIMIT_MEMORY`, `LIMIT_STACK`, `LIMIT_OUTPUT`, `LIMIT_CALLS`, `CANCELLED`, `USAGE`
 * (limits this sandbox cannot enforce), `STATE_INVALID`, and the codes of host APIs the guest
 * left uncaught (`TOOL_ERROR`, `FILE_NOT_FOUND`, `PATH_INVALID`, `UNSUPPORTED`, ...).
 *
 * The owner calls {@link close}, which terminates every worker.
 */
export class QuickJsExecutor implements CodeExecutor {
  readonly #maxWorkers: number;
  readonly #graceMs: number;
  readonly #idleTimeoutMs: number;
  readonly #warmWorkers: number;
  readonly #onDiagnostic: DiagnosticListener | undefined;
  readonly #workers = new Set<QuickJsWorkerHandle>();
  readonly #idle: QuickJsWorkerHandle[] = [];
  readonly #waiters: Waiter[] = [];
  #idleTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  /** Workers spawned but not ready yet; each goes to a waiter or the idle list when ready. */
  #starting = 0;
  #runIds = 0;
  #warmMemoryBytes: number | undefined;

  constructor(options: QuickJsExecutorOptions = {}) {
    this.#maxWorkers = Math.max(1, options.maxWorkers ?? Math.min(4, availableParallelism()));
    this.#graceMs = options.watchdogGraceMs ?? 250;
    this.#idleTimeoutMs = options.idleWorkerTimeoutMs ?? 30_000;
    this.#warmWorkers = Math.min(this.#maxWorkers, Math.max(1, options.warmWorkers ?? 1));
    this.#onDiagnostic = options.onDiagnostic;
  }

  /** Number of live worker threads (for tests and diagnostics). */
  get workerCount(): number {
    return this.#workers.size;
  }

  /**
   * Starts `warmWorkers` workers (QuickJS compiled and instantiated, the next runtime prepared for
   * `memoryBytes`; each loads the TypeScript transpiler in its first idle moment after that), so
   * that the next executions are warm. Resolves once the workers are ready, not once sucrase is.
   * Throws `DISPOSED` after close, `INTERNAL` when a worker cannot start.
   */
  async warmUp(memoryBytes = WARM_MEMORY_BYTES): Promise<void> {
    this.#assertOpen();
    this.#warmMemoryBytes = memoryBytes;
    const pending: Promise<unknown>[] = [];
    while (this.#workers.size < this.#warmWorkers) pending.push(this.#spawnIdle(memoryBytes));
    await Promise.all(pending);
  }

  async execute(request: ExecutionRequest): Promise<ExecutionOutcome> {
    this.#assertOpen();
    const started = performance.now();
    const logs: LogEntry[] = [];
    const stats = { toolCalls: 0, memoryBytes: 0 };
    const finish = (
      result:
        | { readonly ok: true; readonly result: unknown }
        | { readonly ok: false; readonly error: ErrorDocument },
    ): ExecutionOutcome => ({
      ...result,
      logs,
      stats: {
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        toolCalls: stats.toolCalls,
        memoryBytes: stats.memoryBytes,
      },
    });
    // The error document counts against the output limit with the logs (at least 1 KiB of it).
    let logBytes = 0;
    const fail = (error: ErrorDocument): ExecutionOutcome =>
      finish({
        ok: false,
        error: boundErrorDocument(
          error,
          (request.limits.maxOutputBytes ?? Number.MAX_SAFE_INTEGER) - logBytes,
        ),
      });
    const cancelled: ErrorDocument = { code: "CANCELLED", message: "the execution was cancelled" };

    const limits = request.limits;
    const limitsProblem = checkSandboxLimits(limits);
    if (limitsProblem !== undefined) return fail(limitsProblem);
    if (request.component !== undefined) {
      return fail({
        code: "UNSUPPORTED",
        message:
          "the QuickJS sandbox runs TypeScript and JavaScript; run components with the component executor",
      });
    }
    if (request.signal?.aborted === true) return fail(cancelled);
    // A cold start: boot a worker while the session state loads.
    // (A start-up failure reaches this execution through #acquire.)
    if (this.#workers.size === 0) void this.#spawnIdle(limits.memoryBytes).catch(() => {});

    // The guest's source goes to the worker as it is (wrapped and transpiled there, under the
    // deadline); only its size is checked here, before it is copied anywhere.
    const language = languageOf(request.filename, request.language);
    try {
      checkModuleSize(request.source, request.filename ?? (request.mode === "snippet" ? "snippet" : "main"));
    } catch (error) {
      if (isMcpCliError(error, "LIMIT_SIZE")) return fail(error.toJSON());
      throw error;
    }

    // Session state: persisted with a session, for this run only without one.
    let state: SessionState;
    try {
      state = await this.#loadState(request);
    } catch (error) {
      return fail(toErrorDocument(error));
    }

    let files: GuestFileSystem | undefined = request.files;
    // Set when the worker's run is over: a file request still waiting for the VFS module then gets
    // no access, since the caller may already reuse `request.files` (serve keeps clean ones).
    let runOver = false;
    const guestFiles = (vfs: VfsModule): GuestFileSystem => {
      files ??= new vfs.VirtualFileSystem({ workspaceQuotaBytes: limits.workspaceBytes });
      return files;
    };

    const job: RunJob = {
      runId: ++this.#runIds,
      main: {
        source: request.source,
        mode: request.mode,
        language,
        ...(request.filename === undefined ? {} : { filename: request.filename }),
      },
      limits: {
        memoryBytes: limits.memoryBytes,
        timeoutMs: limits.timeoutMs,
        fuel: limits.fuel,
        stackBytes: limits.stackBytes,
        maxToolCalls: limits.maxToolCalls,
        maxOutputBytes: limits.maxOutputBytes,
        workspaceBytes: limits.workspaceBytes,
      },
    };

    const serveSync = (body: SyncRequest): SyncAnswer | Promise<SyncAnswer> => {
      if (body.op === "get-state" || body.op === "set-state") return serveState(body);
      const vfs = vfsModule;
      // Loaded on first use; the worker waits for the answer meanwhile.
      if (vfs === undefined) {
        return loadVfs().then(() => (runOver ? { ok: false, error: cancelled } : serveSync(body)));
      }
      try {
        switch (body.op) {
          case "resolve":
            return {
              ok: true,
              value: resolveModule(
                { files: guestFiles(vfs), normalize: vfs.normalizeVfsPath },
                body.specifier,
                body.importer,
              ),
            };
          case "read":
            return {
              ok: true,
              value: guestFiles(vfs).readFile(vfs.normalizeVfsPath(body.path, { base: "/workspace" }).path),
            };
          case "write":
            guestFiles(vfs).writeFile(
              vfs.normalizeVfsPath(body.path, { base: "/workspace" }).path,
              body.text,
            );
            return { ok: true };
          case "room": {
            const target = guestFiles(vfs);
            if (!(target instanceof vfs.VirtualFileSystem)) return { ok: true, value: null };
            const path = vfs.normalizeVfsPath(body.path, { base: "/workspace" }).path;
            const usage = target.usage();
            let own = 0;
            try {
              if (target.exists(path)) own = target.stat(path).size;
            } catch {
              own = 0;
            }
            return { ok: true, value: usage.workspaceQuotaBytes - usage.workspaceBytes + own };
          }
          case "list":
            return {
              ok: true,
              value: guestFiles(vfs).listFiles(vfs.normalizeVfsPath(body.path, { base: "/workspace" }).path),
            };
        }
      } catch (error) {
        return { ok: false, error: toErrorDocument(error) };
      }
    };
    const serveState = (body: SyncRequest & { op: "get-state" | "set-state" }): SyncAnswer => {
      try {
        if (body.op === "get-state") return { ok: true, value: state.getJson(body.key) };
        state.setJson(body.key, body.valueJson);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: toErrorDocument(error) };
      }
    };

    let worker: QuickJsWorkerHandle;
    try {
      worker = await this.#acquire(limits.memoryBytes, request.signal);
    } catch (error) {
      if (isMcpCliError(error, "CANCELLED")) return fail(cancelled);
      throw error;
    }
    // Aborted while the source was prepared or the state loaded: the signal's event has passed.
    if (isAborted(request.signal)) {
      this.#release(worker);
      return fail(cancelled);
    }

    const toolAbort = new AbortController();
    // Every call of the run listens to this one signal.
    setMaxListeners(limits.maxToolCalls + 10, toolAbort.signal);
    const hooks: RunHooks = {
      onLog: (level, text) => {
        const entry: LogEntry = { level, text };
        logs.push(entry);
        logBytes += Buffer.byteLength(text, "utf8") + LOG_ENTRY_OVERHEAD_BYTES;
        if (request.onLog !== undefined) {
          try {
            request.onLog(entry);
          } catch (error) {
            this.#diagnostic(`the log listener failed: ${toErrorDocument(error).message}`);
          }
        }
      },
      onToolCalls: (calls) => {
        for (const call of calls) {
          stats.toolCalls++;
          this.#callTool(request.bridge, call, toolAbort.signal).then((envelope) =>
            worker.sendToolResult(job.runId, call.callId, envelope),
          );
        }
      },
      onSync: serveSync,
    };
    // The worker enforces the deadline itself; the watchdog ends it when it cannot (a long
    // built-in, a transpile on hostile input) and turns the signal into a cancellation.
    const watchdog = armWatchdog({
      timeoutMs: limits.timeoutMs,
      graceMs: this.#graceMs,
      signal: request.signal,
      onDeadline: () => void worker.terminate(),
      onCancel: () => worker.requestCancel(job.runId),
      onCancelGraceOver: () => void worker.terminate(),
    });

    let result: WorkerRunResult;
    try {
      result = await worker.run(job, hooks);
    } finally {
      runOver = true;
      watchdog.disarm();
      toolAbort.abort();
      this.#release(worker);
    }

    let outcome: ExecutionOutcome;
    if (result.kind === "done") {
      const done = result.outcome;
      stats.memoryBytes = done.memoryBytes;
      stats.toolCalls = done.toolCalls;
      if (done.error !== undefined) outcome = fail(done.error);
      else outcome = resultOutcome(done.resultJson ?? "null", finish);
    } else if (watchdog.fired === "deadline") {
      outcome = fail(tripError("time", limits));
    } else if (watchdog.fired === "cancelled") {
      outcome = fail(cancelled);
    } else if (this.#closing !== undefined) {
      outcome = fail({ code: "CANCELLED", message: "the sandbox was closed while the code ran" });
    } else {
      outcome = fail(this.#crashError(result.error, limits));
    }

    if (request.session !== undefined && state.changed) {
      try {
        await request.session.store.save(request.session.id, state.toJSON());
      } catch (error) {
        if (outcome.ok) outcome = fail(toErrorDocument(error));
        else this.#diagnostic(`could not save session state: ${toErrorDocument(error).message}`);
      }
    }
    return outcome;
  }

  /**
   * The session's state, checked like every write to it. A state that cannot be loaded fails
   * the run with `STATE_INVALID` and a way out, or, with `resetSession`, is forgotten with a
   * warning so the session starts fresh.
   */
  async #loadState(request: ExecutionRequest): Promise<SessionState> {
    const maxBytes = request.limits.workspaceBytes;
    const session = request.session;
    if (session === undefined) return new SessionState({}, maxBytes);
    try {
      return new SessionState(
        await session.store.load(session.id),
        maxBytes,
        `the state of session ${session.id}`,
      );
    } catch (error) {
      if (!isMcpCliError(error, "STATE_INVALID")) throw error;
      if (request.resetSession !== true) {
        throw new McpCliError(
          "STATE_INVALID",
          `${error.message}. Nothing was run; start the session fresh with --reset-session (its stored state is then discarded)`,
          { details: { ...error.details, session: session.id, resettable: true }, cause: error },
        );
      }
      this.#onDiagnostic?.({
        level: "warn",
        message: `session ${session.id}: ${error.message}; starting with an empty state (--reset-session)`,
        source: "sandbox",
      });
      const store = session.store as { remove?: (id: SessionId) => Promise<void> };
      if (typeof store.remove === "function") await store.remove(session.id);
      return new SessionState({}, maxBytes);
    }
  }

  /** Terminates every worker. Running executions end as `CANCELLED`; waiting ones reject `DISPOSED`. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      clearTimeout(this.#idleTimer);
      for (const waiter of this.#waiters.splice(0)) waiter.reject(disposedError("QuickJsExecutor"));
      this.#idle.length = 0;
      this.#closing = Promise.all([...this.#workers].map((worker) => worker.terminate())).then(() => {
        this.#workers.clear();
      });
    }
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ------------------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closing !== undefined) throw disposedError("QuickJsExecutor");
  }

  #diagnostic(message: string): void {
    this.#onDiagnostic?.({ level: "debug", message, source: "sandbox" });
  }

  #crashError(error: Error | undefined, limits: SandboxLimits): ErrorDocument {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ERR_WORKER_OUT_OF_MEMORY") {
      return {
        code: "LIMIT_MEMORY",
        message:
          "the execution exhausted the sandbox worker's host memory (large strings crossing to the host)",
        details: { limit: "memoryBytes", memoryBytes: limits.memoryBytes },
      };
    }
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return {
        code: "LIMIT_STACK",
        message: "the execution overflowed the sandbox worker's stack",
        details: { limit: "stackBytes", stackBytes: limits.stackBytes },
      };
    }
    return {
      code: "INTERNAL",
      message: `the sandbox worker stopped unexpectedly: ${error?.message ?? "no reason given"}`,
    };
  }

  /** One guest call (a tool, or a resource read) through the bridge, as the guest's envelope. */
  async #callTool(
    bridge: ToolBridge | undefined,
    call: ToolCallRequest,
    signal: AbortSignal,
  ): Promise<string> {
    const { server, tool } = call;
    const what =
      call.kind === "resource"
        ? `readResource(${JSON.stringify(server)}, ${JSON.stringify(tool)})`
        : `callTool(${JSON.stringify(server)}, ${JSON.stringify(tool)})`;
    const identity = call.kind === "resource" ? { server, uri: tool } : { server, tool };
    if (bridge === undefined) {
      return safeErrorEnvelope({
        code: "SERVER_UNKNOWN",
        message: `no MCP server is available to this execution (${what})`,
        details: identity,
      });
    }
    try {
      let value: unknown;
      if (call.kind === "resource") {
        if (bridge.readResource === undefined) {
          throw new McpCliError("UNSUPPORTED", `this execution's bridge cannot read resources (${what})`, {
            details: identity,
          });
        }
        const result = await bridge.readResource(server, tool, { signal });
        value = { contents: result.contents };
      } else {
        const args = JSON.parse(call.argsJson) as Readonly<Record<string, unknown>>;
        value = (await bridge.callTool(server, tool, args, { signal })).value;
      }
      try {
        return okEnvelope(value);
      } catch (error) {
        return safeErrorEnvelope({
          code: "RESULT_INVALID",
          message: `the result of ${what} cannot be passed to the sandbox: ${error instanceof Error ? error.message : String(error)}`,
          details: identity,
        });
      }
    } catch (error) {
      return safeErrorEnvelope(toErrorDocument(error));
    }
  }

  #spawn(memoryBytes: number): QuickJsWorkerHandle {
    const onDiagnostic = (message: string): void => this.#diagnostic(message);
    // A worker the program started before this executor existed (prestart.ts), else a new one.
    const worker = adoptPrestartedWorker(onDiagnostic) ?? new QuickJsWorkerHandle(memoryBytes, onDiagnostic);
    this.#workers.add(worker);
    return worker;
  }

  #discard(worker: QuickJsWorkerHandle): void {
    this.#workers.delete(worker);
    const index = this.#idle.indexOf(worker);
    if (index >= 0) this.#idle.splice(index, 1);
    void worker.terminate();
  }

  async #acquire(memoryBytes: number, signal: AbortSignal | undefined): Promise<QuickJsWorkerHandle> {
    this.#warmMemoryBytes ??= memoryBytes;
    for (;;) {
      // Oldest idle first: it has had the longest to prepare its next runtime.
      const idle = this.#idle.shift();
      if (idle === undefined) break;
      if (idle.alive) return idle;
      this.#workers.delete(idle);
    }
    if (this.#workers.size < this.#maxWorkers && this.#starting <= this.#waiters.length) {
      void this.#spawnIdle(memoryBytes).catch(() => {});
    }
    if (isAborted(signal)) throw new McpCliError("CANCELLED", "the execution was cancelled");
    return new Promise<QuickJsWorkerHandle>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new McpCliError("CANCELLED", "the execution was cancelled while waiting for a sandbox"));
      };
      const waiter: Waiter = {
        resolve: (worker) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(worker);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Starts a worker that, once ready, goes to the first waiter or the idle list. Rejects with
   * `INTERNAL` (and fails the first waiter) when it cannot start.
   */
  #spawnIdle(memoryBytes: number): Promise<void> {
    const worker = this.#spawn(memoryBytes);
    this.#starting++;
    return worker.ready().then(
      () => {
        this.#starting--;
        this.#release(worker);
      },
      (error: unknown) => {
        this.#starting--;
        this.#discard(worker);
        const failure = new McpCliError(
          "INTERNAL",
          `the sandbox could not start: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
        this.#diagnostic(failure.message);
        this.#waiters.shift()?.reject(failure);
        throw failure;
      },
    );
  }

  /** Gives a worker back after a run: to the next waiter, to the idle list, or (if dead) replaces it. */
  #release(worker: QuickJsWorkerHandle): void {
    if (this.#closing !== undefined) return;
    if (!worker.alive) {
      this.#workers.delete(worker);
      this.#replenish();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(worker);
      return;
    }
    this.#idle.push(worker);
    this.#scheduleIdleTrim();
  }

  /** After a worker was terminated: start a replacement for waiters, or to keep the warm ones. */
  #replenish(): void {
    if (this.#closing !== undefined) return;
    if (this.#waiters.length === 0 && this.#workers.size >= this.#warmWorkers) return;
    if (this.#workers.size >= this.#maxWorkers) return;
    void this.#spawnIdle(this.#warmMemoryBytes ?? MIN_MEMORY_BYTES).catch(() => {});
  }

  #scheduleIdleTrim(): void {
    if (this.#idle.length <= this.#warmWorkers || this.#idleTimer !== undefined) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      while (this.#idle.length > this.#warmWorkers) {
        const worker = this.#idle.shift();
        if (worker !== undefined) this.#discard(worker);
      }
    }, this.#idleTimeoutMs);
    this.#idleTimer.unref();
  }
}
