/**
 * One QuickJS WebAssembly instance with a hard memory cap, inside a sandbox worker.
 *
 * `setMemoryLimit` alone is not a cap on this build (small allocations are undercounted, see
 * STACK.md), so the instance gets its own `WebAssembly.Memory` whose `maximum` is the limit: the
 * engine cannot grow past it whatever it allocates. Emscripten's heap-resize import is wrapped so
 * the host learns the moment a growth is refused; that is the out-of-memory signal, and it makes
 * the limit uncatchable (the interrupt handler stops the run on the next poll).
 */
import releaseSyncVariant from "@jitl/quickjs-wasmfile-release-sync";
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import { capBytes, MIN_MEMORY_BYTES, WASM_PAGE_BYTES } from "./sandbox-constants.js";
import { type WasmImports, type WasmInstance, type WasmMemory, type WasmModule, wasm } from "./wasm-types.js";

// The package's CommonJS typings describe `{ default: variant }`; the ESM entry Node loads here
// exports the variant itself.
const RELEASE_SYNC = releaseSyncVariant as unknown as QuickJSSyncVariant;

export interface Interpreter {
  readonly quickjs: QuickJSWASMModule;
  readonly memory: WasmMemory;
  /** The hard cap in bytes (a whole number of wasm pages). */
  readonly maximumBytes: number;
  /** Times emscripten asked for more memory and was refused since the last {@link resetGrowFailures}. */
  readonly growFailures: number;
  resetGrowFailures(): void;
}

/**
 * Wraps emscripten's `emscripten_resize_heap` import (the one that calls `memory.grow`); the
 * minified name changes between builds, the body does not.
 */
function hookResize(imports: WasmImports, onRefused: () => void): void {
  for (const namespace of Object.values(imports)) {
    for (const [name, value] of Object.entries(namespace)) {
      if (typeof value !== "function" || !String(value).includes(".grow(")) continue;
      const resize = value as (requested: number) => boolean;
      namespace[name] = (requested: number): boolean => {
        const grown = resize(requested);
        if (!grown) onRefused();
        return grown;
      };
      return;
    }
  }
  throw new Error("quickjs build changed: no heap-resize import to watch for out-of-memory");
}

/**
 * Instantiates QuickJS from an already compiled module (about 1-5 ms) with a memory capped at
 * {@link capBytes}(`memoryBytes`). Emscripten's own printing goes to `onDiagnostic`, never to the
 * process's stdout or stderr.
 */
export async function loadInterpreter(
  wasmModule: WasmModule,
  memoryBytes: number,
  onDiagnostic: (message: string) => void,
): Promise<Interpreter> {
  const maximumBytes = capBytes(memoryBytes);
  const memory = new wasm.Memory({
    initial: MIN_MEMORY_BYTES / WASM_PAGE_BYTES,
    maximum: maximumBytes / WASM_PAGE_BYTES,
  });
  let growFailures = 0;
  const variant = newVariant(RELEASE_SYNC, {
    wasmMemory: memory as never,
    emscriptenModule: {
      print: (text: string) => onDiagnostic(`quickjs: ${text}`),
      printErr: (text: string) => onDiagnostic(`quickjs: ${text}`),
      instantiateWasm: (
        imports: WasmImports,
        onSuccess: (instance: WasmInstance) => void,
      ): Record<string, unknown> => {
        hookResize(imports, () => {
          growFailures++;
        });
        const instance = new wasm.Instance(wasmModule, imports);
        onSuccess(instance);
        return instance.exports;
      },
    } as never,
  });
  const quickjs = await newQuickJSWASMModuleFromVariant(variant);
  return {
    quickjs,
    memory,
    maximumBytes,
    get growFailures() {
      return growFailures;
    },
    resetGrowFailures() {
      growFailures = 0;
    },
  };
}
