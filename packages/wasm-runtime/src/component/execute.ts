/**
 * Runs a WebAssembly component guest: prepare (check, transpile or reuse the cache), then run
 * it in a fresh Worker under the sandbox limits, serving `call-tool` from the bridge.
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import {
  type DiagnosticListener,
  type ErrorDocument,
  type ExecutionOutcome,
  type LogEntry,
  McpCliError,
  type SandboxLimits,
  type ToolBridge,
  toErrorDocument,
} from "@mcp-execution/core";
import { WASM_PAGE_BYTES } from "./memory-cap.js";
import {
  CALL_ANSWERED,
  CALL_STATE_INDEX,
  type CallMessage,
  type CallReply,
  type WorkerInput,
  type WorkerMessage,
} from "./protocol.js";
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
  readonly signal?: AbortSignal;
  /** Receives anything the Worker itself printed (never the guest's output, which is in `logs`). */
  readonly onDiagnostic?: DiagnosticListener;
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

/**
 * The Worker script. Built code runs it from beside this file; when this module runs from
 * source (vitest transforms `src/` on the fly), the built copy in `dist/` is used, so tests of
 * the source need `tsc -b` first, like every cross-package test.
 */
function workerUrl(): URL {
  const sibling = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL("../../dist/component/worker.js", import.meta.url);
}

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
  if (!run.ok) return { ok: false, error: run.error, ...base };
  return finishResult(run.resultText, logs, request.limits, base);
}

function finishResult(
  resultText: string,
  logs: readonly LogEntry[],
  limits: SandboxLimits,
  base: Omit<Extract<ComponentExecutionOutcome, { ok: true }>, "ok" | "result">,
): ComponentExecutionOutcome {
  const outputBytes = logs.reduce((sum, entry) => sum + byteLength(entry.text), 0) + byteLength(resultText);
  if (outputBytes > limits.maxOutputBytes) {
    return {
      ok: false,
      error: {
        code: "LIMIT_OUTPUT",
        message: `the component's result and logs (${outputBytes} bytes) exceed the output limit of ${limits.maxOutputBytes} bytes`,
        details: { outputBytes, limitBytes: limits.maxOutputBytes },
      },
      ...base,
    };
  }
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
  return { code: "CANCELLED", message: "the execution was cancelled" };
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
  const state = new SharedArrayBuffer(4);
  const flag = new Int32Array(state);
  const channel = new MessageChannel();
  const input: WorkerInput = {
    directory: prepared.directory,
    moduleFile: prepared.moduleFile,
    memoryPages: Math.max(1, Math.floor(limits.memoryBytes / WASM_PAGE_BYTES)),
    maxToolCalls: limits.maxToolCalls,
    maxOutputBytes: limits.maxOutputBytes,
    state,
    replyPort: channel.port2,
  };
  const worker = new Worker(workerUrl(), {
    workerData: input,
    transferList: [channel.port2],
    // The bindings must not see the host's environment (jco's reads JCO_DEBUG), and nothing the
    // Worker prints may reach the host's stdout or stderr.
    env: {},
    // Nor inherit the host's Node flags: `--input-type` (as in `node --input-type=module -e`)
    // makes a Worker refuse its own file, and `--import`/`--require` would preload host code.
    execArgv: [],
    stdout: true,
    stderr: true,
    resourceLimits: {
      maxOldGenerationSizeMb: WORKER_HEAP_MB + Math.ceil(limits.memoryBytes / MIB),
      stackSizeMb: WORKER_STACK_MB,
    },
  });
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
      clearTimeout(deadline);
      request.signal?.removeEventListener("abort", onAbort);
      callAbort.abort();
      channel.port1.close();
      void worker.terminate().then(() => resolve(run));
    };
    const fail = (error: ErrorDocument, memoryBytes = 0): void =>
      settle({ ok: false, error, toolCalls, memoryBytes });
    const deadline = setTimeout(
      () =>
        fail({
          code: "LIMIT_TIME",
          message: `the component ran longer than the time limit of ${limits.timeoutMs} ms`,
          details: { limitMs: limits.timeoutMs },
        }),
      limits.timeoutMs,
    );
    const onAbort = (): void => fail(cancelled());
    request.signal?.addEventListener("abort", onAbort, { once: true });

    const answer = (reply: CallReply): void => {
      if (settled) return;
      channel.port1.postMessage(reply);
      Atomics.store(flag, CALL_STATE_INDEX, CALL_ANSWERED);
      Atomics.notify(flag, CALL_STATE_INDEX);
    };
    const serveCall = async (call: CallMessage): Promise<void> => {
      toolCalls += 1;
      answer(await callThroughBridge(call, request.bridge, callAbort.signal));
    };

    worker.on("message", (message: WorkerMessage) => {
      switch (message.type) {
        case "log":
          logs.push({ level: message.level, text: message.text });
          return;
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
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
        fail({
          code: "LIMIT_MEMORY",
          message: "the component's host-side heap ran out of memory",
          details: { reason: error.message },
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
