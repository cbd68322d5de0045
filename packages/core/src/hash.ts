/**
 * blake3 hashing, loaded on first use (the wasm module costs a few milliseconds, so commands that
 * never hash never pay for it). blake3-wasm 3.0.0 needs the pnpm override in the root package.json.
 */
import { timingSafeEqual } from "node:crypto";

type Blake3Module = typeof import("blake3-wasm");

let loading: Promise<Blake3Module> | undefined;

/**
 * blake3-wasm copies each `update()` into its wasm memory; a single call above about 8 MiB fails
 * with "memory access out of bounds". Updates are fed to it in slices of this size.
 */
const UPDATE_SLICE_BYTES = 1024 * 1024;

async function blake3(): Promise<Blake3Module> {
  loading ??= import("blake3-wasm").then(async (imported) => {
    // blake3-wasm is CommonJS. Node and bundlers (the packed CLI is built with esbuild) agree that
    // `default` is its module.exports; only Node also derives named exports from it.
    const module = (imported as { default?: Blake3Module }).default ?? imported;
    await module.load();
    return module;
  });
  return loading;
}

/** An incremental blake3 hasher. `digestHex()` may be called once. */
export interface Blake3Hasher {
  update(data: string | Uint8Array): Blake3Hasher;
  digestHex(): string;
}

/**
 * Creates a streaming hasher. Streaming is also how large inputs must be hashed: the one-shot
 * API of blake3-wasm aborts above about 8 MiB.
 */
export async function createBlake3Hasher(): Promise<Blake3Hasher> {
  const module = await blake3();
  const hash = module.createHash();
  let done = false;
  const hasher: Blake3Hasher = {
    update(data) {
      if (done) throw new Error("blake3 hasher already finished");
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      for (let offset = 0; offset < bytes.length; offset += UPDATE_SLICE_BYTES) {
        hash.update(bytes.subarray(offset, offset + UPDATE_SLICE_BYTES));
      }
      return hasher;
    },
    digestHex() {
      if (done) throw new Error("blake3 hasher already finished");
      done = true;
      const digest = Buffer.from(hash.digest()).toString("hex");
      hash.dispose();
      return digest;
    },
  };
  return hasher;
}

/** blake3 of `data` (UTF-8 for strings), as 64 lowercase hex characters. */
export async function blake3Hex(data: string | Uint8Array): Promise<string> {
  return (await createBlake3Hasher()).update(data).digestHex();
}

/** Compares two hex digests in constant time (for equal lengths). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
