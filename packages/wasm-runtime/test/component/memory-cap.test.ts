import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { describe, expect, it } from "vitest";
import { capMemories, MemoryCapError } from "../../src/component/memory-cap.js";

interface Memory {
  grow(pages: number): number;
  readonly buffer: ArrayBuffer;
}
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

async function memoryOf(
  wat: string,
  maxPages: number,
): Promise<{ memory: Memory; initialPages: readonly number[] }> {
  const capped = capMemories(await parse(wat), maxPages);
  const instance = new wasm.Instance(new wasm.Module(capped.bytes));
  return { memory: instance.exports.memory as Memory, initialPages: capped.initialPages };
}

describe("capMemories", () => {
  it("gives a memory without a maximum the cap: growing past it fails", async () => {
    const { memory, initialPages } = await memoryOf(
      `(module (memory (export "memory") 2) (func (export "f") (result i32) (i32.const 1)))`,
      10,
    );
    expect(initialPages).toEqual([2]);
    expect(memory.grow(8)).toBe(2);
    expect(() => memory.grow(1)).toThrow(RangeError);
    expect(memory.buffer.byteLength).toBe(10 * 65_536);
  });

  it("keeps a declared maximum that is below the cap", async () => {
    const { memory } = await memoryOf(`(module (memory (export "memory") 1 3))`, 10);
    expect(memory.grow(2)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  it("lowers a declared maximum above the cap", async () => {
    const { memory } = await memoryOf(`(module (memory (export "memory") 1 1000))`, 4);
    expect(memory.grow(3)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  it("leaves a module without memory byte for byte", async () => {
    const bytes = await parse(`(module (func (export "f") (result i32) (i32.const 7)))`);
    const capped = capMemories(bytes, 4);
    expect(capped.bytes).toBe(bytes);
    expect(capped.initialPages).toEqual([]);
  });

  it("refuses a memory whose initial size is over the cap with LIMIT_MEMORY", async () => {
    const bytes = await parse(`(module (memory 64))`);
    let thrown: unknown;
    try {
      capMemories(bytes, 16);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MemoryCapError);
    expect((thrown as MemoryCapError).code).toBe("LIMIT_MEMORY");
    expect((thrown as Error).message).toBe(
      "the component's memory starts at 4 MiB, more than the memory limit of 1 MiB",
    );
  });

  it("refuses a section that runs past the end with COMPONENT_INVALID", async () => {
    const bytes = await parse(`(module (memory 1))`);
    expect(() => capMemories(bytes.subarray(0, bytes.length - 1), 4)).toThrow(
      /malformed: section 5 runs past/,
    );
  });
});
