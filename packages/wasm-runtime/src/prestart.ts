/**
 * One sandbox worker started before any executor exists. A program that knows early that it will
 * run guest code (the CLI's `execute`, before it has parsed its flags) calls
 * {@link prestartSandboxWorker} first thing, so the thread boots (Node's worker bootstrap, the
 * worker's module, QuickJS, the first run's context; sucrase as {@link QuickJsWorkerOptions} says)
 * while the program loads the rest; the first `QuickJsExecutor` that needs a worker adopts it
 * instead of starting one.
 *
 * The worker is the same as every other: started by `QuickJsWorkerHandle`, sealed, with the same
 * thread limits, and idle until a run arrives with its own limits (a run with another memory limit
 * gets a fresh interpreter). This module loads neither QuickJS nor the executor, so calling it
 * costs the program next to nothing before the thread starts.
 */
import { QuickJsWorkerHandle, type QuickJsWorkerOptions } from "./quickjs-worker-handle.js";

export { compileQuickJsForShortRuns } from "./quickjs-worker-handle.js";

import { WARM_MEMORY_BYTES } from "./sandbox-constants.js";

/** Diagnostics kept until an executor adopts the worker (nothing runs in it before then). */
const MAX_HELD_DIAGNOSTICS = 64;

interface Prestarted {
  readonly handle: QuickJsWorkerHandle;
  readonly held: string[];
  listener?: (message: string) => void;
}

/**
 * The pre-started worker lives in one slot per process, not in this module's own variable: the
 * installed CLI starts it from its CommonJS executable (bin.cjs, before the ES module bundle has
 * loaded) while the executor that adopts it runs in the ES module bundle, each with its own copy of
 * this module. Both copies come from the same build and find the same slot; in the workspace there
 * is one copy and the slot behaves as a module variable would.
 */
const SLOT = Symbol.for("@mcp-execution/wasm-runtime/prestarted-sandbox-worker");

interface ProcessSlot {
  [SLOT]?: Prestarted | undefined;
}

const slot = globalThis as ProcessSlot;

function start(options: QuickJsWorkerOptions): Prestarted {
  const held: string[] = [];
  let entry: Prestarted | undefined;
  const handle = new QuickJsWorkerHandle(
    WARM_MEMORY_BYTES,
    (message) => {
      if (entry?.listener !== undefined) entry.listener(message);
      else if (held.length < MAX_HELD_DIAGNOSTICS) held.push(message);
    },
    options,
  );
  entry = { handle, held };
  return entry;
}

/** Starts the process's pre-started sandbox worker, unless one is waiting already. */
export function prestartSandboxWorker(options: QuickJsWorkerOptions = {}): void {
  slot[SLOT] ??= start(options);
}

/**
 * Terminates the pre-started worker if no executor adopted it (the program ended up not running
 * guest code). Safe to call at any time; resolves once the thread is gone.
 */
export async function cancelPrestartedSandboxWorker(): Promise<void> {
  const entry = slot[SLOT];
  slot[SLOT] = undefined;
  await entry?.handle.terminate();
}

/**
 * The pre-started worker, handed over to its new owner (whose `onDiagnostic` receives what it
 * reported so far), or undefined when there is none or it died. For `QuickJsExecutor`.
 */
export function adoptPrestartedWorker(
  onDiagnostic: (message: string) => void,
): QuickJsWorkerHandle | undefined {
  const entry = slot[SLOT];
  if (entry === undefined) return undefined;
  slot[SLOT] = undefined;
  if (!entry.handle.alive) {
    void entry.handle.terminate();
    return undefined;
  }
  entry.listener = onDiagnostic;
  for (const message of entry.held.splice(0)) onDiagnostic(message);
  return entry.handle;
}
