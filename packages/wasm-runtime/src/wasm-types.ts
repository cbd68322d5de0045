/**
 * The part of the `WebAssembly` global this package uses (the QuickJS sandbox and component
 * guests), typed locally: the workspace compiles without the DOM library and @types/node 20 does
 * not declare `WebAssembly`. A module-scoped view avoids a global declaration that could clash
 * with another package's.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** A compiled module; opaque here, structured-cloneable to workers. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  RuntimeError: new (...args: never[]) => Error;
  CompileError: new (...args: never[]) => Error;
  LinkError: new (...args: never[]) => Error;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
