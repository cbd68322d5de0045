/**
 * Whether QuickJS compiles a module, compiling only: nothing of it runs, so a `SyntaxError` the
 * code would throw while running (`JSON.parse("{")`, `eval("(")`) cannot count as a compile failure.
 * The plain-JavaScript fast path for TypeScript main modules uses it (transpile.ts's
 * `mayRunAsJavaScript`).
 */
import type { QuickJSContext } from "quickjs-emscripten-core";

/**
 * Compiles `source` as the module `moduleName` in a scratch context from `newContext`, which is
 * disposed afterwards, so the compiled module never joins another context's module list.
 */
export function compilesAsModule(
  newContext: () => QuickJSContext,
  source: string,
  moduleName: string,
): boolean {
  const scratch = newContext();
  try {
    const compiled = scratch.evalCode(source, moduleName, { type: "module", compileOnly: true });
    if (compiled.error !== undefined) {
      compiled.error.dispose();
      return false;
    }
    compiled.value.dispose();
    return true;
  } finally {
    scratch.dispose();
  }
}
