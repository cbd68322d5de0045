/**
 * `@mcp-execution/wasm-runtime/component`: WebAssembly component guests, transpiled with jco and
 * run in a Worker under the sandbox limits. A subpath of its own so that jco is loaded only when
 * a `.wasm` file is executed. See docs/components.md.
 */
export {
  type ComponentExecutionOutcome,
  type ComponentExecutionRequest,
  ComponentExecutor,
  type ComponentExecutorOptions,
  type ComponentRunInfo,
  executeComponent,
} from "./execute.js";
export { HOST_INTERFACE, LOG_LEVELS, WIT_PACKAGE, WIT_VERSION, WIT_WORLD } from "./names.js";
export {
  checkComponentHeader,
  JCO_TRANSPILE_VERSION,
  type PreparedComponent,
  prepareComponent,
} from "./transpile-cache.js";
