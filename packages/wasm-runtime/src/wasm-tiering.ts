/**
 * Compiling QuickJS for a process that runs one short execution and exits (the CLI's cold
 * `execute`), measured in benches/cli.bench.mjs:
 *
 * - V8 compiles a hot wasm function again with its optimizing compiler once it has run about
 *   `--wasm-tiering-budget` bytes of code (Node 20's V8: 1.8 M, Node 22's and 24's: 13 M). A
 *   trivial run crosses that in QuickJS's interpreter loop; the optimized compile costs 45-140 ms
 *   of CPU on a background thread, and the process cannot exit before it ends. The budget is
 *   read when the module is compiled, so a module compiled with 100 M keeps a short run on the
 *   baseline code; a long run still tiers up once it has used that budget.
 * - Any flag V8 sees as changed also changes V8's code-cache tag, and then every Node built-in
 *   loaded afterwards (in this thread and in every worker started afterwards) is compiled from
 *   source instead of from Node's embedded code cache: three times slower (measured: a sandbox
 *   worker's bootstrap went from 38 to 62 ms). So the flags are set only around one synchronous
 *   compile and put back to their defaults at once, which restores the tag; nothing else runs
 *   in between.
 *
 * Lazy validation is switched on for the same compile: the module is our own QuickJS build, and
 * V8 still validates each function when it first compiles it.
 */
import { setFlagsFromString } from "node:v8";
import { type WasmModule, wasm } from "./wasm-types.js";

/** The tier-up budget of a module compiled for short runs. */
export const SHORT_RUN_TIERING_BUDGET = 100_000_000;

/**
 * `--wasm-tiering-budget`'s default per V8 major version (`node --v8-options`). Putting a flag
 * back only restores the code-cache tag when the value is exactly the default, so on a V8 not
 * listed here nothing is changed and the module compiles as usual.
 */
const DEFAULT_TIERING_BUDGET: Readonly<Record<string, number>> = {
  "11": 1_800_000, // Node 20
  "12": 13_000_000, // Node 22
  "13": 13_000_000, // Node 24
};

/** The tiering budget V8 uses by default here, or undefined on a V8 this module does not know. */
export function defaultTieringBudget(v8Version: string = process.versions.v8): number | undefined {
  const major = v8Version.split(".")[0] ?? "";
  return Object.hasOwn(DEFAULT_TIERING_BUDGET, major) ? DEFAULT_TIERING_BUDGET[major] : undefined;
}

/**
 * Compiles `bytes` with {@link SHORT_RUN_TIERING_BUDGET}, synchronously (an asynchronous compile
 * would read the flags later, after other code ran with them). Returns undefined, having changed
 * nothing, on a V8 whose default budget is unknown; the caller then compiles as usual.
 */
export function compileForShortRuns(bytes: Uint8Array): WasmModule | undefined {
  const fallback = defaultTieringBudget();
  if (fallback === undefined) return undefined;
  setFlagsFromString(`--wasm-tiering-budget=${SHORT_RUN_TIERING_BUDGET} --wasm-lazy-validation`);
  try {
    return new wasm.Module(bytes);
  } finally {
    setFlagsFromString(`--wasm-tiering-budget=${fallback} --no-wasm-lazy-validation`);
  }
}
