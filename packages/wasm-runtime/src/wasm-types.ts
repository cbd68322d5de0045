/**
 * The part of the `WebAssembly` global the QuickJS sandbox uses, typed locally: the workspace
 * compiles without the DOM library and @types/node 20 does not declare `WebAssembly`.
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
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
