/**
 * The main thread's handle on one QuickJS sandbox worker thread (whose entry point is
 * `quickjs-worker-entry.ts`): spawning it sealed with its resource limits, the two message
 * channels, one run at a time, and termination. The executor owns these handles.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import type { LogLevel } from "@mcp-execution/core";
import type {
  MainToWorker,
  RunJob,
  SyncAnswer,
  SyncEnvelope,
  SyncRequest,
  ToolCallRequest,
  WorkerOutcome,
  WorkerToMain,
} from "./protocol.js";
import { startSealedWorker, workerScript } from "./threads/sealed-worker.js";
import { SyncChannelHost } from "./threads/sync-channel.js";
import { compileForShortRuns } from "./wasm-tiering.js";
import { type WasmModule, wasm } from "./wasm-types.js";

/**
 * V8 stack of the worker thread. QuickJS's own limit (at most 4 MiB of its C stack) must trip
 * before V8's stack overflows under the nested wasm frames; 64 MiB leaves that margin for deep
 * `JSON.parse` and recursion at the largest allowed stack limit (measured, see docs/sandbox.md).
 */
const WORKER_STACK_MB = 64;
/**
 * V8 heap of the worker: its own code, messages and strings copied out of the guest (logs, the
 * result, file text). Guest memory is wasm memory and capped apart. A worker that exceeds this
 * is ended by V8 and reported as `LIMIT_MEMORY`.
 */
const WORKER_HEAP_MB = 256;

export interface RunHooks {
  onLog(level: LogLevel, text: string): void;
  onToolCalls(calls: readonly ToolCallRequest[]): void;
  /**
   * Answers a synchronous guest request. It may answer later (a promise) when it must load
   * something first: the worker waits for the answer either way, up to the run's deadline.
   */
  onSync(request: SyncRequest): SyncAnswer | Promise<SyncAnswer>;
}

export type WorkerRunResult =
  | { readonly kind: "done"; readonly outcome: WorkerOutcome }
  | { readonly kind: "exited"; readonly error: Error | undefined };

interface ActiveRun {
  readonly runId: number;
  readonly hooks: RunHooks;
  readonly resolve: (result: WorkerRunResult) => void;
}

let compiled: Promise<WasmModule> | undefined;
let shortRuns = false;

/**
 * Makes this process compile QuickJS for short runs (wasm-tiering.ts): for a program that runs one
 * execution and exits, such as the CLI's `execute`. Call it before the first worker starts; a
 * module already compiled stays as it is. Long-lived hosts (serve, the daemon) keep V8's defaults.
 */
export function compileQuickJsForShortRuns(): void {
  shortRuns = true;
}

/** The QuickJS wasm, compiled once per process and shared with every worker. */
function compiledQuickJs(): Promise<WasmModule> {
  compiled ??= (async () => {
    const require = createRequire(import.meta.url);
    const path = require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
    const bytes = await readFile(path);
    return (shortRuns ? compileForShortRuns(bytes) : undefined) ?? wasm.compile(bytes);
  })();
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

/**
 * The worker's entry file, beside this module. The installed CLI's bundle ships it as CommonJS
 * (`./quickjs-worker-entry.cjs`, named here by scripts/pack-cli.mjs): a worker whose entry is an ES
 * module first starts Node's ES module loader, which a cold `execute` waits for.
 */
declare const __MCP_SANDBOX_WORKER_ENTRY__: string | undefined;
const ENTRY =
  typeof __MCP_SANDBOX_WORKER_ENTRY__ === "string"
    ? __MCP_SANDBOX_WORKER_ENTRY__
    : "./quickjs-worker-entry.js";

export interface QuickJsWorkerOptions {
  /**
   * Whether the worker loads sucrase in its first idle moment once it is ready (default true: a
   * worker that serves many runs), or only when a run needs TypeScript transpiled. False suits a
   * program whose one run is likely plain code and waits for the worker (a cold `execute -e`):
   * sucrase's load would otherwise delay that run (see protocol.ts).
   */
  readonly preloadTranspiler?: boolean;
}

/** The main thread's handle on one QuickJS worker thread. */
export class QuickJsWorkerHandle {
  readonly #worker: Worker;
  readonly #sync: SyncChannelHost;
  readonly #ready: Promise<void>;
  readonly #onDiagnostic: (message: string) => void;
  #active: ActiveRun | undefined;
  #results: [number, string][] = [];
  #exitError: Error | undefined;
  #exited = false;
  #terminating = false;
  #exitPromise: Promise<void>;

  constructor(
    initialMemoryBytes: number,
    onDiagnostic: (message: string) => void,
    options: QuickJsWorkerOptions = {},
  ) {
    this.#onDiagnostic = onDiagnostic;
    this.#sync = new SyncChannelHost();
    this.#worker = startSealedWorker(
      workerScript(new URL(ENTRY, import.meta.url), new URL(`../dist/${ENTRY}`, import.meta.url)),
      {
        name: "mcp-execution-sandbox",
        workerData: this.#sync.workerEnd,
        transferList: [this.#sync.workerEnd.port],
        heapMb: WORKER_HEAP_MB,
        stackMb: WORKER_STACK_MB,
      },
    );
    // Nothing in the worker prints (QuickJS's own printing goes to diagnostics). The worker's stdio
    // is captured so that nothing unexpected reaches the process's stdout or stderr, and read only
    // when the worker exits: a stdio stream that is being read keeps the process alive even when
    // the worker is unreferenced.

    let readyResolve: () => void = () => {};
    let readyReject: (error: Error) => void = () => {};
    this.#ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.#ready.catch(() => {});
    this.#exitPromise = new Promise<void>((resolve) => {
      this.#worker.once("exit", () => resolve());
    });

    this.#worker.on("message", (message: WorkerToMain) => {
      switch (message.type) {
        case "ready":
          readyResolve();
          // Referenced while starting, so that a caller awaiting ready() keeps the process alive.
          if (this.#active === undefined) this.#idle();
          return;
        case "fatal":
          this.#exitError = new Error(`the sandbox worker could not start: ${message.message}`);
          readyReject(this.#exitError);
          void this.terminate();
          return;
        case "diagnostic":
          this.#onDiagnostic(message.message);
          return;
        case "log":
          if (this.#active?.runId === message.runId) this.#active.hooks.onLog(message.level, message.text);
          return;
        case "tool-calls":
          if (this.#active?.runId === message.runId) this.#active.hooks.onToolCalls(message.calls);
          return;
        case "done": {
          const active = this.#active;
          if (active?.runId !== message.outcome.runId) return;
          this.#finishRun({ kind: "done", outcome: message.outcome });
          return;
        }
      }
    });
    this.#worker.on("error", (error) => {
      this.#exitError ??= error;
    });
    // A message that cannot be received (too deep to clone, for example) must not leave the run
    // waiting for it until the deadline: the worker is ended and the run reports why.
    this.#worker.on("messageerror", (error) => {
      this.#exitError ??= new Error(
        `a message from the sandbox worker could not be received: ${error.message}`,
      );
      this.#onDiagnostic(this.#exitError.message);
      void this.terminate();
    });
    this.#worker.on("exit", (code) => {
      this.#exited = true;
      for (const [name, stream] of [
        ["stdout", this.#worker.stdout],
        ["stderr", this.#worker.stderr],
      ] as const) {
        const text = stream.read() as Buffer | string | null;
        if (text !== null && text.length > 0) onDiagnostic(`sandbox worker ${name}: ${String(text)}`);
      }
      this.#exitError ??= code === 0 ? undefined : new Error(`the sandbox worker exited with code ${code}`);
      readyReject(this.#exitError ?? new Error("the sandbox worker exited before it was ready"));
      this.#sync.close();
      this.#finishRun({ kind: "exited", error: this.#exitError });
    });

    this.#sync.port.on("messageerror", (error) => {
      this.#exitError ??= new Error(
        `a request from the sandbox worker could not be received: ${error.message}`,
      );
      this.#onDiagnostic(this.#exitError.message);
      void this.terminate();
    });
    this.#sync.port.on("message", (envelope: SyncEnvelope<SyncRequest>) => {
      const answer = (body: SyncAnswer): void => {
        if (this.#exited) return;
        this.#sync.answer({
          seq: envelope.seq,
          runId: envelope.runId,
          body,
        } satisfies SyncEnvelope<SyncAnswer>);
      };
      const failed = (error: unknown): SyncAnswer => ({
        ok: false,
        error: { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) },
      });
      const active = this.#active;
      if (active === undefined || active.runId !== envelope.runId) {
        answer({ ok: false, error: { code: "CANCELLED", message: "the execution is over" } });
        return;
      }
      let body: SyncAnswer | Promise<SyncAnswer>;
      try {
        body = active.hooks.onSync(envelope.body);
      } catch (error) {
        body = failed(error);
      }
      if (body instanceof Promise) body.then(answer, (error: unknown) => answer(failed(error)));
      else answer(body);
    });

    compiledQuickJs().then(
      (wasmModule) => {
        this.#post({
          type: "init",
          wasmModule,
          memoryBytes: initialMemoryBytes,
          preloadTranspiler: options.preloadTranspiler ?? true,
        });
      },
      (error: unknown) => {
        this.#exitError = error instanceof Error ? error : new Error(String(error));
        readyReject(this.#exitError);
        void this.terminate();
      },
    );
  }

  /** Resolves once the worker has an interpreter loaded; rejects if it died first. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** False from the moment termination starts, so a dying worker is never handed another run. */
  get alive(): boolean {
    return !this.#exited && !this.#terminating;
  }

  get busy(): boolean {
    return this.#active !== undefined;
  }

  /**
   * Runs one job. Resolves with the worker's outcome, or with `exited` when the worker died or was
   * terminated (by the watchdog, for example) before it answered. One run at a time.
   */
  run(job: RunJob, hooks: RunHooks): Promise<WorkerRunResult> {
    if (this.#active !== undefined) throw new Error("a sandbox worker runs one job at a time");
    if (!this.alive) return Promise.resolve({ kind: "exited", error: this.#exitError });
    this.#sync.setCancelRun(0);
    return new Promise<WorkerRunResult>((resolve) => {
      this.#active = { runId: job.runId, hooks, resolve };
      this.#worker.ref();
      this.#sync.port.ref();
      this.#post({ type: "run", job });
    });
  }

  /**
   * Answers a tool call. Answers that settle in the same microtask checkpoint (several responses
   * read from one chunk of a server's output) go to the worker in one message.
   */
  sendToolResult(runId: number, callId: number, envelope: string): void {
    if (this.#active?.runId !== runId) return;
    this.#results.push([callId, envelope]);
    if (this.#results.length > 1) return;
    queueMicrotask(() => {
      const results = this.#results;
      this.#results = [];
      if (this.#active?.runId === runId) this.#post({ type: "tool-results", runId, results });
    });
  }

  /** Asks the run to stop: seen by the interrupt handler mid-loop, or by the event loop when idle. */
  requestCancel(runId: number): void {
    if (this.#active?.runId !== runId) return;
    this.#sync.setCancelRun(runId);
    this.#post({ type: "cancel", runId });
  }

  /** Ends the thread at once, whatever it is doing. Idempotent. */
  async terminate(): Promise<void> {
    this.#terminating = true;
    // An idle worker is unreferenced, and one being terminated does not hold the event loop open by
    // itself: a process with nothing else to do could drain its loop before the exit arrives, and
    // whoever awaits this would never resume (the CLI then exits with Node's code 13 instead of its
    // own). A referenced timer keeps the loop alive until the worker is gone.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      if (!this.#exited) await this.#worker.terminate();
      await this.#exitPromise;
    } finally {
      clearInterval(keepAlive);
    }
  }

  #post(message: MainToWorker): void {
    if (!this.#exited) this.#worker.postMessage(message);
  }

  #finishRun(result: WorkerRunResult): void {
    const active = this.#active;
    this.#active = undefined;
    this.#idle();
    active?.resolve(result);
  }

  /** An idle worker must not keep the process alive. */
  #idle(): void {
    if (this.#exited) return;
    this.#worker.unref();
    this.#sync.port.unref();
  }
}
