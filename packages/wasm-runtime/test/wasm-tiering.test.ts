import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { cachedDataVersionTag } from "node:v8";
import { describe, expect, it } from "vitest";
import { compileForShortRuns, defaultTieringBudget } from "../src/wasm-tiering.js";

const require = createRequire(import.meta.url);
/** The part of the `WebAssembly` global used here (the workspace compiles without the DOM library). */
const { Module } = (
  globalThis as unknown as {
    WebAssembly: { Module: { new (bytes: Uint8Array): object; exports(module: object): { name: string }[] } };
  }
).WebAssembly;

async function quickJsBytes(): Promise<Uint8Array> {
  return readFile(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"));
}

describe("compiling QuickJS for short runs", () => {
  it("knows the default tier-up budget of the V8 versions of Node 20, 22 and 24 only", () => {
    expect(defaultTieringBudget("11.3.244.8-node.38")).toBe(1_800_000);
    expect(defaultTieringBudget("12.4.254.21-node.57")).toBe(13_000_000);
    expect(defaultTieringBudget("13.6.233.17-node.63")).toBe(13_000_000);
    expect(defaultTieringBudget("14.0.1")).toBeUndefined();
    expect(defaultTieringBudget("")).toBeUndefined();
    expect(defaultTieringBudget("constructor")).toBeUndefined();
  });

  it("knows this Node's V8", () => {
    // CI runs the suite on Node 20 and the installed CLI on 22 and 24: a V8 missing from the table
    // would silently lose the short-run compile.
    expect(defaultTieringBudget()).toBeTypeOf("number");
  });

  it("compiles a usable module and leaves V8's code-cache tag as it found it", async () => {
    const bytes = await quickJsBytes();
    const before = cachedDataVersionTag();
    const module = compileForShortRuns(bytes);
    // A changed tag would make every Node built-in loaded afterwards compile from source: the
    // flags must be back at exactly their defaults.
    expect(cachedDataVersionTag()).toBe(before);
    expect(module).toBeInstanceOf(Module);
    // The same module as an ordinary compile gives.
    const names = (compiled: object) => Module.exports(compiled).map((entry) => entry.name);
    expect(names(module as object)).toEqual(names(new Module(bytes)));
  });
});
