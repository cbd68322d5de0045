/**
 * Gives every linear memory a core WebAssembly module defines a maximum size, by rewriting the
 * module's memory section before it is compiled.
 *
 * Why a rewrite: a transpiled component has no memory API. Its memories are defined inside its
 * core modules, their buffers live outside the V8 heap (so a Worker's `resourceLimits` never sees
 * them), and they may grow to 4 GiB. With a declared maximum, `memory.grow` beyond it fails
 * inside the guest (returns -1), exactly as on a machine that is out of memory; the guest's
 * allocator then traps or reports an error, which the executor turns into `LIMIT_MEMORY`.
 * The rest of the module is copied byte for byte.
 */
import { WASM_PAGE_BYTES } from "../sandbox-constants.js";

export { WASM_PAGE_BYTES };

/**
 * Why a module cannot run under the cap. A plain class with a core error code rather than
 * McpCliError: this module runs in the Worker, which should not load all of core to start.
 */
export class MemoryCapError extends Error {
  override readonly name = "MemoryCapError";
  constructor(
    readonly code: "LIMIT_MEMORY" | "COMPONENT_INVALID",
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

const MEMORY_SECTION = 5;
const HEADER_BYTES = 8;
const HAS_MAXIMUM = 0x01;
const SHARED = 0x02;
const MEMORY_64 = 0x04;
const CUSTOM_PAGE_SIZE = 0x08;

export interface CappedModule {
  readonly bytes: Uint8Array;
  /** Initial size of each memory the module defines, in pages. */
  readonly initialPages: readonly number[];
}

interface Cursor {
  offset: number;
}

function readU32(bytes: Uint8Array, cursor: Cursor, what: string): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (cursor.offset >= bytes.length) throw invalid(`truncated ${what}`);
    const byte = bytes[cursor.offset++] as number;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw invalid(`over-long LEB128 ${what}`);
  }
  if (result > 0xffff_ffff) throw invalid(`${what} does not fit in 32 bits`);
  return result;
}

function writeU32(value: number, out: number[]): void {
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
}

function invalid(message: string): MemoryCapError {
  return new MemoryCapError("COMPONENT_INVALID", `a core module of the component is malformed: ${message}`);
}

/**
 * Returns `module` with every defined memory's maximum set to at most `maxPages`.
 * Throws {@link MemoryCapError}: `LIMIT_MEMORY` when a memory's initial size alone exceeds `maxPages`, and
 * `COMPONENT_INVALID` for a malformed module or a 64-bit or custom-page-size memory.
 */
export function capMemories(module: Uint8Array, maxPages: number): CappedModule {
  const initialPages: number[] = [];
  const cursor: Cursor = { offset: HEADER_BYTES };
  if (module.length < HEADER_BYTES) throw invalid("shorter than a WebAssembly header");
  while (cursor.offset < module.length) {
    const sectionStart = cursor.offset;
    const id = module[cursor.offset++] as number;
    const size = readU32(module, cursor, "section size");
    const contentStart = cursor.offset;
    const contentEnd = contentStart + size;
    if (contentEnd > module.length) throw invalid(`section ${id} runs past the end of the module`);
    if (id !== MEMORY_SECTION) {
      cursor.offset = contentEnd;
      continue;
    }
    const content: number[] = [];
    const count = readU32(module, cursor, "memory count");
    writeU32(count, content);
    for (let index = 0; index < count; index++) {
      const flags = readU32(module, cursor, "memory flags");
      if ((flags & (MEMORY_64 | CUSTOM_PAGE_SIZE)) !== 0) {
        throw new MemoryCapError(
          "COMPONENT_INVALID",
          "the component uses a 64-bit or custom-page-size memory, which the sandbox cannot cap; build it for wasm32",
        );
      }
      const minimum = readU32(module, cursor, "memory minimum");
      const declaredMaximum =
        (flags & HAS_MAXIMUM) !== 0 ? readU32(module, cursor, "memory maximum") : undefined;
      if (minimum > maxPages) {
        throw new MemoryCapError(
          "LIMIT_MEMORY",
          `the component's memory starts at ${mib(minimum)} MiB, more than the memory limit of ${mib(maxPages)} MiB`,
          { initialBytes: minimum * WASM_PAGE_BYTES, limitBytes: maxPages * WASM_PAGE_BYTES },
        );
      }
      initialPages.push(minimum);
      writeU32((flags & SHARED) | HAS_MAXIMUM, content);
      writeU32(minimum, content);
      writeU32(Math.min(declaredMaximum ?? maxPages, maxPages), content);
    }
    if (cursor.offset !== contentEnd) throw invalid("memory section has trailing bytes");
    const sizeBytes: number[] = [];
    writeU32(content.length, sizeBytes);
    const rewritten = new Uint8Array(
      module.length - (contentEnd - sectionStart) + 1 + sizeBytes.length + content.length,
    );
    rewritten.set(module.subarray(0, sectionStart), 0);
    let at = sectionStart;
    rewritten[at++] = MEMORY_SECTION;
    rewritten.set(sizeBytes, at);
    at += sizeBytes.length;
    rewritten.set(content, at);
    at += content.length;
    rewritten.set(module.subarray(contentEnd), at);
    // A valid module has at most one memory section.
    return { bytes: rewritten, initialPages };
  }
  return { bytes: module, initialPages };
}

function mib(pages: number): string {
  return ((pages * WASM_PAGE_BYTES) / (1024 * 1024)).toFixed(1).replace(/\.0$/, "");
}
