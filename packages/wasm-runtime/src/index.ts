/**
 * `@mcp-execution/wasm-runtime`: the QuickJS sandbox. Importing this entry point loads neither
 * QuickJS nor sucrase; they load in the worker thread and on the first TypeScript execution.
 * WebAssembly component guests live under the `./component` subpath.
 */
export { checkSandboxLimits, QuickJsExecutor, type QuickJsExecutorOptions } from "./executor.js";
export {
  LOG_ENTRY_OVERHEAD_BYTES,
  MAX_IN_FLIGHT_ARGUMENT_BYTES,
  MAX_JSON_DEPTH,
  MAX_MEMORY_BYTES,
  MAX_MODULE_SOURCE_BYTES,
  MAX_PENDING_TIMERS,
  MAX_STACK_BYTES,
  MAX_STATE_KEY_LENGTH,
  MAX_TOOL_ARGUMENT_BYTES,
  MIN_MEMORY_BYTES,
  MIN_STACK_BYTES,
} from "./sandbox-constants.js";
export { FileStateStore } from "./state-store.js";
