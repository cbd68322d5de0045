/**
 * What guest code cannot reach: host globals, host constructors, the host filesystem, other runs'
 * globals, other sessions' state. Plus the file-based state store itself.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpCliError, sessionId } from "@mcp-execution/core";
import { VirtualFileSystem } from "@mcp-execution/vfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QuickJsExecutor } from "../../src/executor.js";
import { FileStateStore } from "../../src/state-store.js";
import { errorOf, resultOf, run } from "./helpers.js";

let executor: QuickJsExecutor;
let stateDirectory: string;

beforeAll(async () => {
  executor = new QuickJsExecutor({ maxWorkers: 2 });
  await executor.warmUp(32 * 1024 * 1024);
  stateDirectory = mkdtempSync(join(tmpdir(), "mcp-sandbox-state-"));
});

afterAll(async () => {
  await executor.close();
  rmSync(stateDirectory, { recursive: true, force: true });
});

/** ECMAScript's own globals plus the sandbox API: everything guest code may see. */
const ALLOWED_GLOBALS = new Set([
  ...[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Boolean",
    "DataView",
    "Date",
    "Error",
    "EvalError",
    "FinalizationRegistry",
    "Float16Array",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "InternalError",
    "Iterator",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "Number",
    "Object",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Set",
    "SharedArrayBuffer",
    "String",
    "Symbol",
    "SyntaxError",
    "TypeError",
    "URIError",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakRef",
    "WeakSet",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "eval",
    "globalThis",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
    "undefined",
    "unescape",
  ],
  ...[
    "callTool",
    "readResource",
    "readFile",
    "writeFile",
    "listFiles",
    "getState",
    "setState",
    "console",
    "setTimeout",
    "clearTimeout",
  ],
]);

describe("host globals", () => {
  it("exposes only ECMAScript built-ins and the sandbox API", async () => {
    const names = resultOf(await run(executor, "return Object.getOwnPropertyNames(globalThis)")) as string[];
    expect(names.filter((name) => !ALLOWED_GLOBALS.has(name))).toEqual([]);
    for (const name of ["callTool", "readFile", "console", "setTimeout"]) expect(names).toContain(name);
  });

  it.each([
    ["process", "return typeof process"],
    ["require", "return typeof require"],
    ["module", "return typeof module"],
    ["fetch", "return typeof fetch"],
    ["Buffer", "return typeof Buffer"],
    ["WebAssembly", "return typeof WebAssembly"],
    ["Atomics", "return typeof Atomics"],
    ["setInterval", "return typeof setInterval"],
    ["queueMicrotask", "return typeof queueMicrotask"],
    ["import.meta has no host url", "return typeof (import.meta as any).url"],
  ])("%s is not reachable", async (_name, source) => {
    expect(resultOf(await run(executor, source))).toBe("undefined");
  });

  it.each([
    ["Function('return this')", "return Function('return this')().process"],
    ["indirect eval", "return (0, eval)('this').process"],
    ["a host function's constructor", "return callTool.constructor('return typeof process')()"],
    ["console.log's constructor", "return console.log.constructor('return typeof require')()"],
    [
      "readFile's prototype chain",
      "return Object.getPrototypeOf(readFile).constructor('return this')().Buffer",
    ],
    [
      "an async function's constructor",
      "return (async () => {}).constructor('return typeof process')().then(String)",
    ],
    [
      "a generator's constructor",
      "return (function* () {}).constructor('yield typeof process')().next().value",
    ],
    [
      "the API's own properties",
      "return Object.getOwnPropertyNames(callTool).concat(Object.keys(console)).join(',')",
    ],
  ])("%s leads nowhere", async (_name, source) => {
    const result = resultOf(await run(executor, source));
    expect(["undefined", undefined, null, "length,name,log,info,warn,error,debug"]).toContain(result);
  });

  it("gives each run a fresh global object", async () => {
    resultOf(
      await run(executor, "(globalThis as any).leak = 'secret'; Array.prototype.push = () => 0; return 1"),
    );
    expect(resultOf(await run(executor, "return [typeof (globalThis as any).leak, [1].push(2)]"))).toEqual([
      "undefined",
      2,
    ]);
  });

  it("keeps the API working when guest code replaces built-ins after start-up", async () => {
    const source = [
      "JSON.stringify = () => 'tampered';",
      "Object.keys = () => [];",
      "console.log('still', { formatted: true });",
      "return { ok: [1, 2] };",
    ].join("\n");
    const outcome = await run(executor, source);
    expect(resultOf(outcome)).toEqual({ ok: [1, 2] });
    expect(outcome.logs[0]?.text).toBe("still { formatted: true }");
  });

  it("cannot reach the host filesystem through imports or file calls", async () => {
    const files = new VirtualFileSystem();
    const source = [
      "const codes: string[] = [];",
      "for (const path of ['/etc/passwd', '/workspace/../../etc/passwd', '..\\\\..\\\\etc\\\\passwd', '/workspace/%2e%2e/x', '/proc/self/environ', 'file:///etc/passwd', '/workspace/a\\u0000b']) {",
      "  try { readFile(path); codes.push('read'); } catch (error: any) { codes.push(error.code); }",
      "}",
      "for (const spec of ['/etc/passwd', '../../../../etc/passwd', 'node:fs', 'fs']) {",
      "  try { await import(spec); codes.push('imported'); } catch (error: any) { codes.push(error.code); }",
      "}",
      "return codes;",
    ].join("\n");
    expect(resultOf(await run(executor, source, { files }))).toEqual([
      "PATH_INVALID",
      "PATH_INVALID",
      "PATH_INVALID",
      "PATH_INVALID",
      "PATH_INVALID",
      // a relative name inside /workspace, which does not exist
      "FILE_NOT_FOUND",
      "PATH_INVALID",
      "PATH_INVALID",
      "PATH_INVALID",
      "UNSUPPORTED",
      "UNSUPPORTED",
    ]);
  });

  it("passes strings with NUL characters and lone surrogates through the API intact", async () => {
    const files = new VirtualFileSystem();
    const source = [
      "const text = 'a\\u0000b\\ud800c';",
      "console.log(text);",
      "writeFile('/workspace/nul.txt', text);",
      "setState('k\\u0000', text);",
      // Files are UTF-8, where a lone surrogate becomes U+FFFD; the NUL survives.
      "return [readFile('/workspace/nul.txt') === 'a\\u0000b\\ufffdc', getState('k\\u0000') === text, text.length];",
    ].join("\n");
    const outcome = await run(executor, source, { files });
    expect(resultOf(outcome)).toEqual([true, true, 5]);
    expect(outcome.logs[0]?.text).toBe("a\u0000b\ud800c");
  });

  it("keeps one run's /workspace away from the next when no filesystem is given", async () => {
    resultOf(await run(executor, "writeFile('/workspace/secret.txt', 'x'); return 1"));
    const error = errorOf(await run(executor, "return readFile('/workspace/secret.txt')"), "FILE_NOT_FOUND");
    expect(error.message).toContain("/workspace/secret.txt");
  });
});

describe("session state", () => {
  it("persists state per session and never shows one session's state to another", async () => {
    const store = new FileStateStore(stateDirectory);
    const alice = { id: sessionId("alice"), store };
    const bob = { id: sessionId("bob"), store };
    resultOf(
      await run(executor, "setState('secret', 'alice-only'); setState('n', 1); return 1", { session: alice }),
    );
    expect(
      resultOf(await run(executor, "return [getState('secret'), getState('n')]", { session: bob })),
    ).toEqual([null, null]);
    resultOf(await run(executor, "setState('n', 100); return 1", { session: bob }));
    expect(
      resultOf(
        await run(
          executor,
          "setState('n', (getState('n') as number) + 1); return [getState('secret'), getState('n')]",
          { session: alice },
        ),
      ),
    ).toEqual(["alice-only", 2]);
    expect(JSON.parse(readFileSync(join(stateDirectory, "alice.json"), "utf8"))).toEqual({
      secret: "alice-only",
      n: 2,
    });
    expect(JSON.parse(readFileSync(join(stateDirectory, "bob.json"), "utf8"))).toEqual({ n: 100 });
  });

  it("keeps state written before a failure or a limit", async () => {
    const session = { id: sessionId("partial"), store: new FileStateStore(stateDirectory) };
    errorOf(await run(executor, "setState('step', 1); throw new Error('later')", { session }), "GUEST_ERROR");
    errorOf(
      await run(executor, "setState('step', 2); for (;;) {}", { session, limits: { fuel: 1_000 } }),
      "LIMIT_FUEL",
    );
    expect(resultOf(await run(executor, "return getState('step')", { session }))).toBe(2);
  });

  it("caps a session's state at the workspace quota", async () => {
    const session = { id: sessionId("big"), store: new FileStateStore(stateDirectory) };
    const source =
      "setState('a', 'x'.repeat(600_000)); try { setState('b', 'y'.repeat(600_000)); } catch (error: any) { return error.code; }";
    expect(resultOf(await run(executor, source, { session }))).toBe("LIMIT_STORAGE");
  });

  it("reports a state file that is not a JSON object as STATE_INVALID and leaves it alone", async () => {
    writeFileSync(join(stateDirectory, "broken.json"), "{ not json");
    const session = { id: sessionId("broken"), store: new FileStateStore(stateDirectory) };
    const error = errorOf(await run(executor, "setState('x', 1); return 1", { session }), "STATE_INVALID");
    expect(error.message).toContain("broken.json");
    expect(readFileSync(join(stateDirectory, "broken.json"), "utf8")).toBe("{ not json");
    writeFileSync(join(stateDirectory, "array.json"), "[1, 2]");
    errorOf(
      await run(executor, "return 1", {
        session: { id: sessionId("array"), store: new FileStateStore(stateDirectory) },
      }),
      "STATE_INVALID",
    );
  });
});

describe("FileStateStore", () => {
  it("writes atomically with private permissions and leaves no temporary files", async () => {
    const directory = join(stateDirectory, "nested", "dir");
    const store = new FileStateStore(directory);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(sessionId("s"), { i })));
    const saved = JSON.parse(readFileSync(join(directory, "s.json"), "utf8")) as { i: number };
    expect(saved.i).toBeGreaterThanOrEqual(0);
    expect(readdirSync(directory)).toEqual(["s.json"]);
    expect(statSync(join(directory, "s.json")).mode & 0o777).toBe(0o600);
    expect(await store.load(sessionId("missing"))).toEqual({});
    await store.remove(sessionId("s"));
    expect(readdirSync(directory)).toEqual([]);
  });

  it("refuses session ids that could leave its directory", async () => {
    const store = new FileStateStore(stateDirectory);
    for (const id of ["../escape", "a/b", "", ".hidden", "x".repeat(200)]) {
      await expect(store.load(id as never)).rejects.toSatisfy(
        (error: unknown) => error instanceof McpCliError && error.code === "NAME_INVALID",
      );
    }
  });
});
