/**
 * The QuickJS sandbox worker's entry point (runs inside a `worker_threads` Worker; the main
 * thread's handle on it is `quickjs-worker-handle.ts`). It holds one capped
 * QuickJS interpreter, runs one job at a time and replaces the interpreter after a run that hit a
 * limit or grew its memory. The main thread's watchdog may terminate this thread at any moment;
 * nothing here needs to survive that.
 */
import { parentPort, workerData } from "node:worker_threads";
import { GuestRun, type RunChannel } from "./guest-run.js";
import { type Interpreter, loadInterpreter } from "./interpreter.js";
import type {
  MainToWorker,
  RunJob,
  SyncAnswer,
  SyncEnvelope,
  SyncRequest,
  WorkerOutcome,
  WorkerToMain,
} from "./protocol.js";
import { capBytes, RETAIN_MEMORY_BYTES } from "./sandbox-constants.js";
import { type SyncChannelEnd, SyncChannelWorker } from "./threads/sync-channel.js";
import { loadTranspiler } from "./transpile.js";
import type { WasmModule } from "./wasm-types.js";

const port = parentPort;
if (port === null) throw new Error("the sandbox worker must run inside a worker thread");
const sync = new SyncChannelWorker(workerData as SyncChannelEnd);

function post(message: WorkerToMain): void {
  port?.postMessage(message);
}

function diagnostic(message: string): void {
  post({ type: "diagnostic", message });
}

let sequence = 0;

const channel: RunChannel = {
  post,
  request(runId: number, body: SyncRequest, timeoutMs: number): SyncAnswer | undefined {
    const seq = ++sequence;
    const answer = sync.request(
      () => sync.port.postMessage({ seq, runId, body } satisfies SyncEnvelope<SyncRequest>),
      (message): message is SyncEnvelope<SyncAnswer> => (message as SyncEnvelope<SyncAnswer>).seq === seq,
      timeoutMs,
    );
    return answer?.body;
  },
  cancelRequested: (runId: number) => sync.cancelRequested(runId),
};

let wasmModule: WasmModule | undefined;
let interpreter: Interpreter | undefined;
/** The next run's runtime and context, prepared while the worker is idle. */
let prepared: GuestRun | undefined;
let current: GuestRun | undefined;
let queue: Promise<void> = Promise.resolve();

async function interpreterFor(memoryBytes: number): Promise<Interpreter> {
  if (wasmModule === undefined) throw new Error("the sandbox worker was not initialized");
  if (interpreter !== undefined && interpreter.maximumBytes === capBytes(memoryBytes)) return interpreter;
  prepared?.dispose();
  prepared = undefined;
  interpreter = await loadInterpreter(wasmModule, memoryBytes, diagnostic);
  return interpreter;
}

/** Prepares the next run on the current interpreter; a failure is reported and left to the next job. */
function prepareNext(): void {
  if (interpreter === undefined || prepared !== undefined) return;
  const next = new GuestRun(interpreter, channel);
  try {
    next.prepare();
    prepared = next;
  } catch (error) {
    next.dispose();
    diagnostic(
      `could not prepare a sandbox context: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function takeRun(target: Interpreter): GuestRun {
  const run =
    prepared !== undefined && prepared.interpreter === target ? prepared : new GuestRun(target, channel);
  if (run !== prepared) prepared?.dispose();
  prepared = undefined;
  return run;
}

async function runJob(job: RunJob): Promise<void> {
  let outcome: WorkerOutcome;
  let run: GuestRun | undefined;
  try {
    run = takeRun(await interpreterFor(job.limits.memoryBytes));
    current = run;
    outcome = await run.run(job);
  } catch (error) {
    outcome = {
      runId: job.runId,
      error: {
        code: "INTERNAL",
        message: `the sandbox worker failed: ${error instanceof Error ? error.message : String(error)}`,
      },
      memoryBytes: 0,
      toolCalls: 0,
      discarded: true,
    };
  } finally {
    current = undefined;
  }
  const grown = interpreter !== undefined && interpreter.memory.buffer.byteLength > RETAIN_MEMORY_BYTES;
  if (outcome.discarded || grown) {
    interpreter = undefined;
    outcome = { ...outcome, discarded: true };
  }
  post({ type: "done", outcome });
  // Clean up and get the next run ready while the host handles this outcome.
  if (run !== undefined && !run.dispose()) {
    diagnostic("QuickJS refused to release a runtime; the interpreter is replaced");
    interpreter = undefined;
  }
  try {
    await interpreterFor(job.limits.memoryBytes);
    prepareNext();
  } catch (error) {
    diagnostic(
      `could not prepare a fresh interpreter: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Loads sucrase while the worker is idle, so that a worker serving many runs has it before its
 * first TypeScript run. A failure is only reported: the next run that needs sucrase tries again
 * and ends with the reason.
 */
function preloadSucrase(): void {
  loadTranspiler().catch((error: unknown) => {
    diagnostic(
      `could not load the TypeScript transpiler (sucrase): ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}

// A message from the host that cannot be received would leave the run waiting for it: end the
// run now with the reason instead.
port.on("messageerror", (error) => {
  diagnostic(`a message from the host could not be received: ${error.message}`);
  current?.onHostFailure(`a message from the host could not be received: ${error.message}`);
});

port.on("message", (message: MainToWorker) => {
  switch (message.type) {
    case "init": {
      wasmModule = message.wasmModule;
      const { memoryBytes, preloadTranspiler } = message;
      queue = queue
        .then(async () => {
          // sucrase does not hold up `ready`: a run that needs it loads it (or awaits the load
          // started here) inside its own deadline, and a plain-JavaScript run never needs it.
          await interpreterFor(memoryBytes);
          prepareNext();
          post({ type: "ready" });
          if (preloadTranspiler) setImmediate(preloadSucrase);
        })
        .catch((error: unknown) => {
          // Without an interpreter this worker is useless; the host terminates it.
          post({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
        });
      return;
    }
    case "run":
      queue = queue.then(() => runJob(message.job));
      return;
    case "tool-results":
      if (current?.runId === message.runId) current.onToolResults(message.results);
      return;
    case "cancel":
      if (current?.runId === message.runId) current.onCancel();
      return;
  }
});
