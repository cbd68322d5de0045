/**
 * Runs a WebAssembly component guest: prepare (check, transpile or reuse the cache), then run
 * it in a fresh sealed Worker under the sandbox limits, serving `call-tool` from the bridge.
 * {@link ComponentExecutor} is the `CodeExecutor` for components; {@link executeComponent} runs one.
 * The worker plumbing (sealed start, synchronous channel, deadline watchdog) is the QuickJS
 * sandbox's own (src/threads/).
 */
import { performance } from "node:perf_hooks";
import type { Worker } from "node:worker_threads";
import {
  type CodeExecutor,
  type DiagnosticListener,
  disposedError,
  type ErrorDocument,
  type ExecutionOutcome,
  type ExecutionRequest,
  type LogEntry,
  McpCliError,
  type SandboxLimits,
  type ToolBridge,
  toErrorDocument,
} from "@mcp-execution/core";
import { boundErrorDocument } from "../guest-errors.js";
import { tripError } from "../limit-errors.js";
import { LOG_ENTRY_OVERHEAD_BYTES, WASM_PAGE_BYTES } from "../sandbox-constants.js";
import { startSealedWorker, workerScript } from "../threads/sealed-worker.js";
import { SyncChannelHost } from "../threads/sync-channel.js";
import { armWatchdog } from "../threads/watchdog.js";
import type { CallMessage, CallReply, WorkerInput, WorkerMessage } from "./protocol.js";
import { type PreparedComponent, prepareComponent } from "./transpile-cache.js";

/** What to run and under which limits. */
export interface ComponentExecutionRequest {
  /** The component's bytes (a `.wasm` file targeting world `mcp:tools/guest`). */
  readonly component: Uint8Array;
  /** Shown in error messages, for example the path the bytes were read from. */
  readonly filename?: string;
  /**
   * Directory for transpiled components, one subdirectory per blake3 digest; created when
   * missing. The caller picks it (the CLI uses its cache directory).
   */
  readonly cacheDir: string;
  /** `memoryBytes`, `timeoutMs`, `maxToolCalls` and `maxOutputBytes` apply; see docs/components.md. */
  readonly limits: SandboxLimits;
  /** Serves `call-tool`; without it every call returns err with `SERVER_UNKNOWN`. */
  readonly bridge?: ToolBridge;
  /** Aborting ends the run with `CANCELLED`. */
  readonly signal?: AbortSignal | undefined;
  /** Receives anything the Worker itself printed (never the guest's output, which is in `logs`). */
  readonly onDiagnostic?: DiagnosticListener;
  /** Called with each log line as it happens (also in the outcome's `logs`). */
  readonly onLog?: (entry: LogEntry) => void;
}

/** How the component was prepared; beside the usual outcome fields. */
export interface ComponentRunInfo {
  /** blake3 of the component's bytes. */
  readonly digest: string;
  /** True when the transpiled component came from the cache. */
  readonly fromCache: boolean;
  /** Hashing plus (on a cache miss) transpiling, in milliseconds. */
  readonly prepareMs: number;
}

/** {@link ExecutionOutcome} plus `component`, present once the component was prepared. */
export type ComponentExecutionOutcome = ExecutionOutcome & { readonly component?: ComponentRunInfo };

const MIB = 1024 * 1024;
/** Heap for the bindings' JavaScript, beside the guest's linear memory (which is capped apart). */
const WORKER_HEAP_MB = 64;
const WORKER_STACK_MB = 4;

const ENTRY = "./component-worker-entry.js";
/**
 * How long after the deadline the watchdog waits before ending the Worker. None: a component's
 * Worker is thrown away after every run anyway, so there is no warm thread to save.
 */
const COMPONENT_GRACE_MS = 0;

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Runs one component and resolves to `{ ok, result | error, logs, stats, component }`. It
 * resolves for every guest failure; it rejects with `PATH_INVALID` when the cache directory
 * cannot be written, and otherwise only for host bugs. `stats.durationMs` covers preparing
 * (hashing, and transpiling on a cache miss) and running; `component.prepareMs` is the first part.
 *
 * Error codes: `COMPONENT_INVALID` (not a component, malformed, wrong world), `GUEST_ERROR`
 * (run returned err, trapped, called exit, or touched a denied interface), `RESULT_UNSERIALIZABLE`
 * (run's ok text is not JSON), `LIMIT_TIME`, `LIMIT_MEMORY`, `LIMIT_STACK`, `LIMIT_CALLS`,
 * `LIMIT_OUTPUT`, `CANCELLED`.
 */
export async function executeComponent(
  request: ComponentExecutionRequest,
): Promise<ComponentExecutionOutcome> {
  const started = performance.now();
  const filename = request.filename ?? "component.wasm";
  const logs: LogEntry[] = [];
  const stats = (toolCalls: number, memoryBytes: number) => ({
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    toolCalls,
    memoryBytes,
  });
  if (request.signal?.aborted) {
    return { ok: false, error: cancelled(), logs, stats: stats(0, 0) };
  }
  let prepared: PreparedComponent;
  try {
    prepared = await prepareComponent({ bytes: request.component, cacheDir: request.cacheDir, filename });
  } catch (error) {
    if (error instanceof McpCliError && error.code === "COMPONENT_INVALID") {
      return { ok: false, error: error.toJSON(), logs, stats: stats(0, 0) };
    }
    throw error;
  }
  const component: ComponentRunInfo = {
    digest: prepared.digest,
    fromCache: prepared.fromCache,
    prepareMs: Math.round(prepared.prepareMs * 100) / 100,
  };
  const run = await runInWorker(prepared, request, logs);
  const base = { logs, stats: stats(run.toolCalls, run.memoryBytes), component };
  const outcome = run.ok
    ? finishResult(run.resultText, logs, request.limits, base)
    : { ok: false as const, error: run.error, ...base };
  if (outcome.ok) return outcome;
  // Every byte a run prints counts against the output limit, the error document too.
  const logBytes = logs.reduce((sum, entry) => sum + byteLength(entry.text) + LOG_ENTRY_OVERHEAD_BYTES, 0);
  return { ...outcome, error: boundErrorDocument(outcome.error, request.limits.maxOutputBytes - logBytes) };
}

function finishResult(
  resultText: string,
  logs: readonly LogEntry[],
  limits: SandboxLimits,
  base: Omit<Extract<ComponentExecutionOutcome, { ok: true }>, "ok" | "result">,
): ComponentExecutionOutcome {
  const outputBytes = logs.reduce((sum, entry) => sum + byteLength(entry.text), 0) + byteLength(resultText);
  if (outputBytes > limits.maxOutputBytes) return { ok: false, error: tripError("output", limits), ...base };
  let result: unknown;
  try {
    result = JSON.parse(resultText);
  } catch (error) {
    return {
      ok: false,
      error: {
        code: "RESULT_UNSERIALIZABLE",
        message: `run returned ok with text that is not JSON (${(error as Error).message}); return JSON text, for example JSON.stringify(value) or "\\"plain text\\""`,
        details: { text: resultText.slice(0, 200) },
      },
      ...base,
    };
  }
  return { ok: true, result, ...base };
}

function cancelled(): ErrorDocument {
  return tripError("cancelled", {
    timeoutMs: 0,
    fuel: 0,
    memoryBytes: 0,
    maxOutputBytes: 0,
    maxToolCalls: 0,
  });
}

type WorkerRun =
  | { ok: true; resultText: string; toolCalls: number; memoryBytes: number }
  | { ok: false; error: ErrorDocument; toolCalls: number; memoryBytes: number };

function runInWorker(
  prepared: PreparedComponent,
  request: ComponentExecutionRequest,
  logs: LogEntry[],
): Promise<WorkerRun> {
  const { limits } = request;
  const sync = new SyncChannelHost();
  const input: WorkerInput = {
    directory: prepared.directory,
    moduleFile: prepared.moduleFile,
    memoryPages: Math.max(1, Math.floor(limits.memoryBytes / WASM_PAGE_BYTES)),
    limits,
    sync: sync.workerEnd,
  };
  const worker: Worker = startSealedWorker(
    workerScript(new URL(ENTRY, import.meta.url), new URL(`../../dist/component/${ENTRY}`, import.meta.url)),
    {
      name: "mcp-execution-component",
      workerData: input,
      transferList: [sync.workerEnd.port],
      heapMb: WORKER_HEAP_MB + Math.ceil(limits.memoryBytes / MIB),
      stackMb: WORKER_STACK_MB,
    },
  );
  for (const stream of [worker.stdout, worker.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (text: string) =>
      request.onDiagnostic?.({ level: "debug", message: text.trimEnd(), source: "component-worker" }),
    );
  }
  const callAbort = new AbortController();
  let toolCalls = 0;

  return new Promise<WorkerRun>((resolve) => {
    let settled = false;
    const settle = (run: WorkerRun): void => {
      if (settled) return;
      settled = true;
      watchdog.disarm();
      callAbort.abort();
      sync.close();
      void worker.terminate().then(() => resolve(run));
    };
    const fail = (error: ErrorDocument, memoryBytes = 0): void =>
      settle({ ok: false, error, toolCalls, memoryBytes });
    const watchdog = armWatchdog({
      timeoutMs: limits.timeoutMs,
      graceMs: COMPONENT_GRACE_MS,
      signal: request.signal,
      onDeadline: () => fail(tripError("time", limits)),
      onCancel: () => fail(cancelled()),
    });

    const answer = (reply: CallReply): void => {
      if (!settled) sync.answer(reply);
    };
    const serveCall = async (call: CallMessage): Promise<void> => {
      toolCalls += 1;
      answer(await callThroughBridge(call, request.bridge, callAbort.signal));
    };

    worker.on("message", (message: WorkerMessage) => {
      switch (message.type) {
        case "log": {
          const entry: LogEntry = { level: message.level, text: message.text };
          logs.push(entry);
          try {
            request.onLog?.(entry);
          } catch (error) {
            request.onDiagnostic?.({
              level: "debug",
              message: `the log listener failed: ${toErrorDocument(error).message}`,
              source: "component",
            });
          }
          return;
        }
        case "call":
          void serveCall(message);
          return;
        case "done":
          if (message.ok) {
            settle({ ok: true, resultText: message.resultText, toolCalls, memoryBytes: message.memoryBytes });
          } else {
            fail(message.error, message.memoryBytes);
          }
      }
    });
    // A message that cannot be received must not leave the run waiting for the deadline.
    worker.on("messageerror", (error) =>
      fail({
        code: "INTERNAL",
        message: `a message from the component worker could not be received: ${error.message}`,
      }),
    );
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
        const limit = tripError("memory", limits);
        fail({
          code: "LIMIT_MEMORY",
          message: "the component's host-side heap ran out of memory",
          details: { ...limit.details, reason: error.message },
        });
        return;
      }
      fail({
        code: "INTERNAL",
        message: `the component worker failed: ${error.message}`,
        details: { stack: error.stack },
      });
    });
    worker.on("exit", (exitCode) =>
      fail({ code: "INTERNAL", message: `the component worker exited (code ${exitCode}) without a result` }),
    );
  });
}

/** Performs one `call-tool` and phrases the answer as the guest sees it. */
async function callThroughBridge(
  call: CallMessage,
  bridge: ToolBridge | undefined,
  signal: AbortSignal,
): Promise<CallReply> {
  const err = (error: ErrorDocument): CallReply => ({ ok: false, text: JSON.stringify(error) });
  let args: unknown;
  try {
    args = JSON.parse(call.argsJson);
  } catch (error) {
    return err({
      code: "ARGS_INVALID",
      message: `call-tool ${call.server}/${call.tool}: args-json is not JSON (${(error as Error).message})`,
      details: { server: call.server, tool: call.tool },
    });
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return err({
      code: "ARGS_INVALID",
      message: `call-tool ${call.server}/${call.tool}: args-json must be a JSON object, got ${Array.isArray(args) ? "an array" : JSON.stringify(args)}`,
      details: { server: call.server, tool: call.tool },
    });
  }
  if (bridge === undefined) {
    return err({
      code: "SERVER_UNKNOWN",
      message: `no server ${JSON.stringify(call.server)} is available to this execution (none was given)`,
      details: { server: call.server, tool: call.tool },
    });
  }
  try {
    const result = await bridge.callTool(call.server, call.tool, args as Record<string, unknown>, { signal });
    const text = JSON.stringify(result.value);
    return { ok: true, text: text === undefined ? "null" : text };
  } catch (error) {
    return err(toErrorDocument(error));
  }
}

export interface ComponentExecutorOptions {
  /** Directory for transpiled components (see {@link ComponentExecutionRequest.cacheDir}). */
  readonly cacheDir: string;
  /** Anything a component's Worker itself printed. */
  readonly onDiagnostic?: DiagnosticListener;
}

/**
 * The {@link CodeExecutor} for WebAssembly components: `execute(request)` runs
 * `request.component` (its bytes) under `request.limits` with `request.bridge`, `signal` and
 * `onLog`, like the QuickJS executor runs `request.source`. A request without `component` is
 * `UNSUPPORTED`. Each run gets a fresh Worker, so there is nothing to keep warm; `close()` only
 * refuses later runs (`DISPOSED`).
 */
export class ComponentExecutor implements CodeExecutor {
  readonly #options: ComponentExecutorOptions;
  #closed = false;

  constructor(options: ComponentExecutorOptions) {
    this.#options = options;
  }

  async execute(request: ExecutionRequest): Promise<ComponentExecutionOutcome> {
    if (this.#closed) throw disposedError("ComponentExecutor");
    if (request.component === undefined) {
      return {
        ok: false,
        error: {
          code: "UNSUPPORTED",
          message: "the component executor runs WebAssembly components: the request has no component bytes",
        },
        logs: [],
        stats: { durationMs: 0, toolCalls: 0, memoryBytes: 0 },
      };
    }
    const onDiagnostic = this.#options.onDiagnostic;
    return executeComponent({
      component: request.component,
      cacheDir: this.#options.cacheDir,
      limits: request.limits,
      ...(request.filename === undefined ? {} : { filename: request.filename }),
      ...(request.bridge === undefined ? {} : { bridge: request.bridge }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onLog === undefined ? {} : { onLog: request.onLog }),
      ...(onDiagnostic === undefined ? {} : { onDiagnostic }),
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
