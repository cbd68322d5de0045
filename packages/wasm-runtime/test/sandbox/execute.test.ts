/**
 * The guest contract of docs/conventions.md section 3 against the real sandbox: modes, languages,
 * results, logs, error locations, imports from the VFS, timers, files and state.
 */
import { sessionId } from "@mcp-execution/core";
import { VirtualFileSystem } from "@mcp-execution/vfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QuickJsExecutor } from "../../src/executor.js";
import { errorOf, resultOf, run } from "./helpers.js";

let executor: QuickJsExecutor;

beforeAll(async () => {
  executor = new QuickJsExecutor({ maxWorkers: 2 });
  await executor.warmUp(32 * 1024 * 1024);
});

afterAll(async () => {
  await executor.close();
});

/** A VFS with a small generated tree, shaped like codegen's output. */
function toolsTree(): VirtualFileSystem {
  const files = new VirtualFileSystem();
  files.populateTools([
    {
      path: "servers/demo/add.ts",
      contents: [
        "declare function callTool(server: string, tool: string, args: unknown): Promise<unknown>;",
        "export interface AddInput { a: number; b: number }",
        "/** Adds two numbers without a server. */",
        "export async function add(args: AddInput): Promise<number> {",
        "  return args.a + args.b;",
        "}",
      ].join("\n"),
    },
    {
      path: "servers/demo/index.ts",
      contents: 'export { add } from "./add.ts"; // adds\nexport { shout } from "./shout.js";\n',
    },
    { path: "servers/demo/shout.js", contents: "export const shout = (text) => text.toUpperCase() + '!';\n" },
    {
      path: "servers/demo/broken.ts",
      contents: "export const x: number = 1;\nexport const y = ;\n",
    },
    { path: "servers/demo/throws.ts", contents: "\n\nthrow new Error('module failed');\n" },
    { path: "SKILL.md", contents: "# demo\n" },
  ]);
  files.seal();
  return files;
}

describe("modes and languages", () => {
  it("returns a snippet's return value and a module's awaited default export", async () => {
    expect(resultOf(await run(executor, "return 1 + 2"))).toBe(3);
    expect(
      resultOf(await run(executor, "const x = await Promise.resolve(20);\nreturn { x, y: [x * 2] }")),
    ).toEqual({
      x: 20,
      y: [40],
    });
    expect(
      resultOf(
        await run(executor, "const a = await Promise.resolve(41);\nexport default a + 1;", {
          mode: "module",
        }),
      ),
    ).toBe(42);
    expect(
      resultOf(
        await run(executor, "async function main() { return 'awaited'; }\nexport default main();", {
          mode: "module",
        }),
      ),
    ).toBe("awaited");
    expect(resultOf(await run(executor, "export const named = 1;", { mode: "module" }))).toBeNull();
    expect(resultOf(await run(executor, "const unused = 1;"))).toBeNull();
  });

  it("runs TypeScript (types, interfaces, enums, satisfies) and plain JavaScript", async () => {
    const ts = [
      "interface Point { x: number; y: number }",
      "enum Color { Red, Green }",
      "const p: Point = { x: 1, y: 2 } satisfies Point;",
      "function len<T>(items: T[]): number { return items.length; }",
      "return { sum: p.x + p.y, color: Color[Color.Green], n: len<string>(['a']) };",
    ].join("\n");
    expect(resultOf(await run(executor, ts))).toEqual({ sum: 3, color: "Green", n: 1 });
    expect(
      resultOf(await run(executor, "return [1, 2].map((v) => v * 2)", { language: "javascript" })),
    ).toEqual([2, 4]);
    expect(
      resultOf(
        await run(executor, "export default typeof module;", { mode: "module", filename: "plain.mjs" }),
      ),
    ).toBe("undefined");
  });

  it("keeps modern syntax (optional chaining, class fields, private members)", async () => {
    const source = [
      "class Counter { #n = 0; static label = 'c'; inc() { return ++this.#n; } }",
      "const c = new Counter(); c.inc();",
      "const o: { a?: { b?: number } } = {};",
      "return [c.inc(), o.a?.b ?? 'none', Counter.label];",
    ].join("\n");
    expect(resultOf(await run(executor, source))).toEqual([2, "none", "c"]);
  });

  it("reports stats: duration, tool calls and the interpreter's memory", async () => {
    const outcome = await run(executor, "(globalThis as any).big = new Array(100000).fill(7); return 100000");
    expect(resultOf(outcome)).toBe(100000);
    expect(outcome.stats.toolCalls).toBe(0);
    expect(outcome.stats.durationMs).toBeGreaterThan(0);
    expect(outcome.stats.memoryBytes).toBeGreaterThan(400_000);
  });
});

describe("results", () => {
  it("follows JSON for nested undefined and non-finite numbers, Dates through toJSON", async () => {
    const outcome = await run(
      executor,
      "return { a: undefined, b: [undefined, NaN, Infinity], c: new Date(0), d: { toJSON() { return 'custom'; } } }",
    );
    expect(resultOf(outcome)).toEqual({ b: [null, null, null], c: "1970-01-01T00:00:00.000Z", d: "custom" });
  });

  it.each([
    ["return () => 1", "result is a function"],
    ["return { deep: { fn() {} } }", "result.deep.fn is a function"],
    ["return [1, Symbol('s')]", "result[1] is a symbol"],
    ["return { n: 10n }", "result.n is a BigInt"],
    ["const o: any = { list: [] }; o.list.push(o); return o", "result.list[0] is a circular reference"],
    ["return { p: Promise.resolve(1) }", "result.p is a Promise; did you forget await?"],
    ["return new Map([[1, 2]])", "result is a Map"],
    ["return { 'a b': new Set() }", 'result["a b"] is a Set'],
  ])("refuses %s with RESULT_UNSERIALIZABLE naming the path", async (source, message) => {
    const error = errorOf(await run(executor, source), "RESULT_UNSERIALIZABLE");
    expect(error.message).toContain(message);
  });

  it("refuses results nested deeper than 1000 levels", async () => {
    const error = errorOf(
      await run(executor, "let a: unknown[] = []; for (let i = 0; i < 1500; i++) a = [a]; return a"),
      "RESULT_UNSERIALIZABLE",
    );
    expect(error.message).toContain("nested more than 1000 levels");
  });

  it("passes errors thrown by a toJSON through as the guest's error", async () => {
    const error = errorOf(
      await run(executor, "return { x: { toJSON() { throw new TypeError('no json for you'); } } }"),
      "GUEST_ERROR",
    );
    expect(error.message).toContain("TypeError: no json for you");
  });
});

describe("errors", () => {
  it("points at the user's line and column in snippets, modules and TypeScript", async () => {
    const snippet = errorOf(await run(executor, "const a = 1;\n\nnull.x;"), "GUEST_ERROR");
    expect(snippet.message).toBe("TypeError: cannot read property 'x' of null (at snippet.ts:3:5)");
    expect(snippet.details).toMatchObject({ file: "snippet.ts", line: 3, column: 5, name: "TypeError" });

    const firstLine = errorOf(await run(executor, "throw new RangeError('bad')"), "GUEST_ERROR");
    // QuickJS places a call at its opening parenthesis; the wrapper's columns are taken back out.
    expect(firstLine.details).toMatchObject({ line: 1, column: 21 });

    const typed = errorOf(
      await run(
        executor,
        "interface A { x: number }\nconst a: A = { x: 1 };\nfunction f(v: A): never {\n  throw new Error(`bad ${v.x}`);\n}\nexport default f(a);",
        { mode: "module", filename: "scripts/job.ts" },
      ),
      "GUEST_ERROR",
    );
    expect(typed.message).toBe("Error: bad 1 (at scripts/job.ts:4:18)");
    expect(String(typed.details?.stack)).toContain("at f (scripts/job.ts:4:18)");
    expect(String(typed.details?.stack)).not.toContain("<sandbox>");
  });

  it("reports syntax errors as GUEST_SYNTAX with the location, for TypeScript and JavaScript", async () => {
    const ts = errorOf(await run(executor, "const ok = 1;\nconst a: = 2;"), "GUEST_SYNTAX");
    expect(ts.details).toMatchObject({ file: "snippet.ts", line: 2 });
    const js = errorOf(
      await run(executor, "const ok = 1;\nlet a = ;", { language: "javascript", filename: "x.js" }),
      "GUEST_SYNTAX",
    );
    expect(js.message).toContain("(at x.js:2:9)");
    errorOf(await run(executor, "export default 1;"), "GUEST_SYNTAX");
  });

  it("reports thrown non-errors with what was thrown", async () => {
    expect(errorOf(await run(executor, "throw 'plain string'"), "GUEST_ERROR").message).toBe(
      'Uncaught string: "plain string"',
    );
    expect(errorOf(await run(executor, "throw { code: 7, why: 'object' }"), "GUEST_ERROR").message).toBe(
      'Uncaught non-error value (object): { code: 7, why: "object" }',
    );
    expect(errorOf(await run(executor, "throw undefined"), "GUEST_ERROR").message).toContain("undefined");
    expect(errorOf(await run(executor, "await Promise.reject(null)"), "GUEST_ERROR").message).toContain(
      "null",
    );
  });

  it("does not let guest code pose as a host limit with a code property", async () => {
    const error = errorOf(
      await run(executor, "throw Object.assign(new Error('fake'), { code: 'LIMIT_MEMORY' })"),
      "GUEST_ERROR",
    );
    expect(error.details?.code).toBe("LIMIT_MEMORY");
  });

  it("ends a run whose promise can never settle at once, with a clear error", async () => {
    const error = errorOf(await run(executor, "await new Promise(() => {}); return 1"), "GUEST_ERROR");
    expect(error.message).toContain("can never settle");
    expect(error.details).toEqual({ reason: "unsettled-promise" });
  });
});

describe("console", () => {
  it("captures every level, formatted like Node's console", async () => {
    const outcome = await run(
      executor,
      [
        "console.log('plain', 1, true, null, undefined, [1, 'a'], { k: { deep: [1] } });",
        "console.info('%s has %d items (%i%%)', 'cart', 3, 42.7);",
        "console.warn(new Map([[1, 'a']]), new Set([2]), 5n, Symbol('s'));",
        "console.error(new TypeError('shown'));",
        "console.debug(function named() {}, () => 1);",
        "const cycle: any = { name: 'c' }; cycle.self = cycle; console.log(cycle);",
      ].join("\n"),
    );
    resultOf(outcome);
    expect(outcome.logs.map((entry) => entry.level)).toEqual([
      "log",
      "info",
      "warn",
      "error",
      "debug",
      "log",
    ]);
    expect(outcome.logs[0]?.text).toBe('plain 1 true null undefined [ 1, "a" ] { k: { deep: [ 1 ] } }');
    expect(outcome.logs[1]?.text).toBe("cart has 3 items (42%)");
    expect(outcome.logs[2]?.text).toBe('Map(1) { 1 => "a" } Set(1) { 2 } 5n Symbol(s)');
    expect(outcome.logs[3]?.text).toMatch(/^TypeError: shown\n\s+at /);
    expect(outcome.logs[4]?.text).toBe("[Function: named] [Function (anonymous)]");
    expect(outcome.logs[5]?.text).toBe('{ name: "c", self: [Circular] }');
  });

  it("keeps logs written before a failure", async () => {
    const outcome = await run(executor, "console.log('before');\nthrow new Error('after')");
    errorOf(outcome, "GUEST_ERROR");
    expect(outcome.logs).toEqual([{ level: "log", text: "before" }]);
  });
});

describe("imports from the VFS", () => {
  it("drops imports used only as types, as TypeScript does", async () => {
    const source =
      'import { AddInput, add } from "./servers/demo/add.ts";\nconst input: AddInput = { a: 2, b: 5 };\nreturn add(input);';
    expect(resultOf(await run(executor, source, { files: toolsTree() }))).toBe(7);
  });

  it("imports generated wrappers with and without extension, index files and .js for .ts", async () => {
    const files = toolsTree();
    const source = [
      'import { add } from "./servers/demo/add.ts";',
      'import { add as add2 } from "./servers/demo/add";',
      'import * as demo from "./servers/demo/index.ts";',
      'import { shout } from "./servers/demo/shout";',
      'import { add as add3 } from "./servers/demo/add.js";',
      "return [await add({ a: 1, b: 2 }), await add2({ a: 2, b: 2 }), await demo.add({ a: 3, b: 3 }), shout('hi'), await add3({ a: 0, b: 1 }), typeof demo.shout];",
    ].join("\n");
    expect(resultOf(await run(executor, source, { files }))).toEqual([3, 4, 6, "HI!", 1, "function"]);
  });

  it("resolves imports of a module file, dynamic imports and absolute VFS paths", async () => {
    const files = toolsTree();
    const source = [
      'import { add } from "./servers/demo/add.ts";',
      'const dynamic = await import("./servers/demo/index.ts");',
      'const absolute = await import("/mcp-tools/servers/demo/shout.js");',
      "export default [await add({ a: 1, b: 1 }), await dynamic.add({ a: 5, b: 5 }), absolute.shout('x')];",
    ].join("\n");
    expect(resultOf(await run(executor, source, { files, mode: "module", filename: "main.ts" }))).toEqual([
      2,
      10,
      "X!",
    ]);
  });

  it("imports a module the guest wrote to /workspace", async () => {
    const source = [
      "writeFile('/workspace/lib/helper.js', 'export const triple = (n) => n * 3;');",
      'const { triple } = await import("/workspace/lib/helper.js");',
      "return triple(3);",
    ].join("\n");
    expect(resultOf(await run(executor, source))).toBe(9);
  });

  it.each([
    ['import fs from "node:fs"; void fs;', "UNSUPPORTED", "Node.js modules are not available"],
    ['await import("node:child_process");', "UNSUPPORTED", "Node.js modules are not available"],
    ['import _ from "lodash"; void _;', "UNSUPPORTED", "the sandbox has no packages"],
    ['await import("file:///etc/passwd");', "UNSUPPORTED", "the sandbox has no packages"],
    [
      'import x from "../../etc/passwd"; void x;',
      "PATH_INVALID",
      "imports must stay inside /mcp-tools or /workspace",
    ],
    ['await import("/etc/passwd");', "PATH_INVALID", "must lie in /mcp-tools or /workspace"],
    ['import x from "./servers/demo/missing.ts"; void x;', "FILE_NOT_FOUND", "cannot find module"],
    ['import { y } from "./servers/demo/broken.ts"; void y;', "GUEST_SYNTAX", "servers/demo/broken.ts:2"],
    ['import "./servers/demo/throws.ts";', "GUEST_ERROR", "module failed"],
  ] as const)("refuses `%s` with %s", async (line, code, message) => {
    const error = errorOf(await run(executor, `${line}\nreturn 1;`, { files: toolsTree() }), code);
    expect(error.message).toContain(message);
  });

  it("refuses to import a module larger than 2 MiB (the main thread transpiles imports)", async () => {
    const source = [
      "writeFile('/workspace/big.ts', 'export const x: number = 1;\\n' + '// filler\\n'.repeat(300_000));",
      "try { await import('/workspace/big.ts'); return 'imported'; } catch (error: any) { return error.code; }",
    ].join("\n");
    expect(
      resultOf(
        await run(executor, source, {
          limits: { workspaceBytes: 8 * 1024 * 1024, memoryBytes: 64 * 1024 * 1024 },
        }),
      ),
    ).toBe("LIMIT_SIZE");
  });

  it("lets guest code catch a refused dynamic import", async () => {
    const source =
      "try { await import('node:fs'); return 'loaded'; } catch (error) { return [error.code, error instanceof Error]; }";
    expect(resultOf(await run(executor, source))).toEqual(["UNSUPPORTED", true]);
  });
});

describe("timers", () => {
  it("runs setTimeout callbacks with arguments, in order, and clearTimeout cancels", async () => {
    const source = [
      "const seen: string[] = [];",
      "await new Promise<void>((resolve) => {",
      "  setTimeout((tag: string) => seen.push(tag), 20, 'late');",
      "  setTimeout((tag: string) => seen.push(tag), 0, 'soon');",
      "  const id = setTimeout(() => seen.push('cancelled'), 5);",
      "  clearTimeout(id);",
      "  setTimeout(resolve, 40);",
      "});",
      "return seen;",
    ].join("\n");
    expect(resultOf(await run(executor, source))).toEqual(["soon", "late"]);
  });

  it("fails the run when a timer callback throws", async () => {
    const error = errorOf(
      await run(
        executor,
        "setTimeout(() => { throw new Error('in timer'); }, 0);\nawait new Promise((r) => setTimeout(r, 50));",
      ),
      "GUEST_ERROR",
    );
    expect(error.message).toContain("in timer");
  });

  it("caps pending timers", async () => {
    const source =
      "try { for (let i = 0; i < 1001; i++) setTimeout(() => {}, 1000); } catch (error) { return String(error); }";
    expect(resultOf(await run(executor, source))).toBe("RangeError: too many pending timers (at most 1000)");
  });
});

describe("files and state", () => {
  it("reads the read-only tree, writes and lists /workspace, resolves relative paths in /workspace", async () => {
    const files = toolsTree();
    const source = [
      "writeFile('/workspace/notes/a.txt', 'alpha');",
      "writeFile('b.txt', 'beta');",
      "return { skill: readFile('/mcp-tools/SKILL.md'), a: readFile('notes/a.txt'), root: listFiles('/workspace'),",
      "  tree: listFiles('/mcp-tools/servers/demo'), areas: listFiles('/') };",
    ].join("\n");
    expect(resultOf(await run(executor, source, { files }))).toEqual({
      skill: "# demo\n",
      a: "alpha",
      root: ["b.txt", "notes/"],
      tree: ["add.ts", "broken.ts", "index.ts", "shout.js", "throws.ts"],
      areas: ["mcp-tools/", "workspace/"],
    });
    expect(files.readFile("/workspace/b.txt")).toBe("beta");
  });

  it("gives coded, catchable errors for files", async () => {
    const source = [
      "const codes: string[] = [];",
      "for (const action of [",
      "  () => writeFile('/mcp-tools/SKILL.md', 'x'),",
      "  () => readFile('/workspace/none.txt'),",
      "  () => readFile('/workspace/../../etc/passwd'),",
      "  () => readFile('../etc/passwd'),",
      "  () => writeFile('/workspace/big.txt', 'x'.repeat(2 * 1024 * 1024)),",
      "  () => readFile(42 as any),",
      "]) { try { action(); codes.push('ok'); } catch (error: any) { codes.push(error.code ?? error.name); } }",
      "return codes;",
    ].join("\n");
    expect(resultOf(await run(executor, source, { files: toolsTree() }))).toEqual([
      "READ_ONLY",
      "FILE_NOT_FOUND",
      "PATH_INVALID",
      "PATH_INVALID",
      "LIMIT_STORAGE",
      "TypeError",
    ]);
  });

  it("keeps state for the run without a session, as fresh copies", async () => {
    const source = [
      "setState('k', { list: [1] });",
      "const copy = getState('k') as { list: number[] }; copy.list.push(2);",
      "setState('gone', 1); setState('gone', undefined);",
      "return [getState('k'), getState('gone'), getState('never')];",
    ].join("\n");
    expect(resultOf(await run(executor, source))).toEqual([{ list: [1] }, null, null]);
    expect(resultOf(await run(executor, "return getState('k') ?? 'empty'"))).toBe("empty");
  });

  it("refuses state values JSON cannot hold", async () => {
    const source =
      "try { setState('f', { f() {} }); } catch (error: any) { return [error.code, error.message]; }";
    expect(resultOf(await run(executor, source))).toEqual([
      "RESULT_UNSERIALIZABLE",
      "state value.f is a function, which JSON cannot hold",
    ]);
  });

  it("loads and saves a session's state through its store", async () => {
    const saved = new Map<string, unknown>();
    const store = {
      load: async () => ({ visits: 2 }),
      save: async (id: string, state: unknown) => {
        saved.set(id, state);
      },
    };
    const session = { id: sessionId("s1"), store };
    expect(
      resultOf(
        await run(executor, "const v = getState('visits') as number; setState('visits', v + 1); return v;", {
          session,
        }),
      ),
    ).toBe(2);
    expect(saved.get("s1")).toEqual({ visits: 3 });
    saved.clear();
    resultOf(await run(executor, "return getState('visits')", { session }));
    expect(saved.size).toBe(0);
  });
});
