/**
 * Starting a worker thread that runs guest code: the one place that decides what such a thread
 * gets from the host. Both the QuickJS sandbox and the component runtime start their workers here.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type TransferListItem, Worker } from "node:worker_threads";

export interface SealedWorkerOptions {
  /** The thread's name (shown in diagnostics and heap snapshots). */
  readonly name: string;
  readonly workerData: unknown;
  readonly transferList?: readonly TransferListItem[];
  /** V8 old-generation heap: what the thread copies out of the guest, not the guest's own memory. */
  readonly heapMb: number;
  /** V8 stack of the thread. */
  readonly stackMb: number;
}

/**
 * A worker sealed from the host: no environment (bindings read variables such as `JCO_DEBUG`), no
 * `execArgv` (`--input-type` would make it refuse its own file, `--import` would preload host code),
 * its stdout and stderr captured (nothing it prints reaches the host's streams; the owner reads
 * them as diagnostics), and V8 limits on its heap and stack.
 */
export function startSealedWorker(script: URL, options: SealedWorkerOptions): Worker {
  return new Worker(script, {
    workerData: options.workerData,
    transferList: [...(options.transferList ?? [])],
    resourceLimits: { stackSizeMb: options.stackMb, maxOldGenerationSizeMb: options.heapMb },
    env: {},
    execArgv: [],
    stdout: true,
    stderr: true,
    name: options.name,
  });
}

/**
 * A worker entry script: the built file beside the calling module, or, when that module runs from
 * source (vitest transforms `src/` on the fly), the built copy under `dist/`, so tests of the
 * source need `tsc -b` first like every cross-package test. `fromDist` is the path from the
 * calling module's directory to its `dist` twin's file.
 */
export function workerScript(sibling: URL, fromDist: URL): URL {
  return existsSync(fileURLToPath(sibling)) ? sibling : fromDist;
}
