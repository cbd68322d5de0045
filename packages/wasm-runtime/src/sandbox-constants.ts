/**
 * Numbers of the sandbox that both threads need. This module imports nothing heavy, so the main
 * thread can use it without loading QuickJS.
 */

export const WASM_PAGE_BYTES = 64 * 1024;
/** The QuickJS build's initial memory: 16 MiB, of which 5 MiB are its C stack. Smaller caps cannot load. */
export const MIN_MEMORY_BYTES = 16 * 1024 * 1024;
/**
 * The memory cap a worker prepares its interpreter for before a run names its own: the moderate
 * profile's, which most runs use (a run with another limit gets a fresh interpreter).
 */
export const WARM_MEMORY_BYTES = 128 * 1024 * 1024;
/** wasm32 with emscripten's heap growth stops at 2 GiB. */
export const MAX_MEMORY_BYTES = 2 * 1024 * 1024 * 1024;
/**
 * QuickJS checks its stack limit against emscripten's shadow stack, which this build sizes at
 * 5 MiB. A larger limit would let the stack run into static data, so the limit stays below it.
 */
export const MAX_STACK_BYTES = 4 * 1024 * 1024;
/** Below this QuickJS cannot run its own start-up code. */
export const MIN_STACK_BYTES = 64 * 1024;
/** `setTimeout` cannot wait longer (2^31 - 1 ms). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Pending `setTimeout` callbacks one execution may have at once. */
export const MAX_PENDING_TIMERS = 1_000;
/** Largest `callTool` arguments, as JSON text. */
export const MAX_TOOL_ARGUMENT_BYTES = 4 * 1024 * 1024;
/**
 * Arguments of all the calls of one run that are on their way or waiting for an answer, as JSON
 * text. They are copied out of the guest's capped memory into the host's, so they are capped too.
 */
export const MAX_IN_FLIGHT_ARGUMENT_BYTES = 16 * 1024 * 1024;
/**
 * Largest module (the main one or an import), in characters. sucrase needs up to about 280 bytes
 * of heap per source character (measured: 1 MiB of `1,1,1,...` peaks at 346 MB RSS), and it runs
 * in the sandbox worker whose V8 heap is capped at 256 MiB; at 512 Ki characters the worst case
 * stays near 150 MB. Agent scripts and generated wrappers are a few KB.
 */
export const MAX_MODULE_SOURCE_BYTES = 512 * 1024;
/** Longest key `getState`/`setState` accept. */
export const MAX_STATE_KEY_LENGTH = 1_024;
/** Longest path string a file call may pass (the VFS refuses paths above 4096 characters). */
export const MAX_PATH_ARGUMENT_LENGTH = 8_192;
/** Each log entry counts its text's UTF-8 bytes plus this, about the size of its JSON envelope. */
export const LOG_ENTRY_OVERHEAD_BYTES = 32;
/** Deepest nesting of a result, tool arguments or state value. */
export const MAX_JSON_DEPTH = 1_000;
/**
 * An interpreter whose memory grew beyond this is replaced after the run: wasm memory never
 * shrinks, and an idle worker should not hold on to a run's peak.
 */
export const RETAIN_MEMORY_BYTES = 32 * 1024 * 1024;

/** The memory cap for a limit: whole pages, at least the build's initial memory. */
export function capBytes(memoryBytes: number): number {
  const pages = Math.ceil(Math.max(memoryBytes, MIN_MEMORY_BYTES) / WASM_PAGE_BYTES);
  return pages * WASM_PAGE_BYTES;
}

/**
 * Depth of the deepest array or object in JSON text, without parsing it (strings are skipped).
 * Stops counting once `limit` is passed and returns `limit + 1`.
 */
export function jsonDepth(json: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < json.length; index++) {
    const code = json.charCodeAt(index);
    if (inString) {
      if (code === 92 /* \ */) index++;
      else if (code === 34 /* " */) inString = false;
      continue;
    }
    if (code === 34) inString = true;
    else if (code === 91 /* [ */ || code === 123 /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return limit + 1;
      }
    } else if (code === 93 /* ] */ || code === 125 /* } */) depth--;
  }
  return deepest;
}
