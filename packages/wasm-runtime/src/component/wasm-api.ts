/**
 * The part of the `WebAssembly` global this folder uses, typed locally: the workspace compiles
 * without the DOM library, and @types/node 20 does not declare `WebAssembly`. A module-scoped
 * view avoids a global declaration that could clash with another package's.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  Memory: abstract new (...args: never[]) => WasmMemory;
  RuntimeError: new (...args: never[]) => Error;
  CompileError: new (...args: never[]) => Error;
  LinkError: new (...args: never[]) => Error;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
