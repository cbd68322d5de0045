/**
 * TypeScript main modules that are plain JavaScript run without sucrase (transpile.ts's
 * `mayRunAsJavaScript` plus a compile-only check in the worker), and sucrase no longer holds up a
 * worker's `ready` (the `preloadTranspiler` init option).
 *
 * The differential corpus is the proof that the fast path changes nothing: for every eligible
 * program sucrase, with the options every transpile uses, returns the text unchanged, and running
 * it both ways gives the same outcome. The workers here are real sandbox workers; which path a run
 * took, and whether the worker has loaded sucrase, come from the worker's own outcome.
 */
import { createRequire } from "node:module";
import releaseSyncVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from "quickjs-emscripten-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilesAsModule } from "../../src/compile-check.js";
import type { RunJob, WorkerLimits, WorkerOutcome } from "../../src/protocol.js";
import { QuickJsWorkerHandle } from "../../src/quickjs-worker-handle.js";
import { mayRunAsJavaScript, SUCRASE_OPTIONS, type SucraseTransform, wrapMain } from "../../src/transpile.js";
import { testLimits } from "./helpers.js";

const { transform } = createRequire(import.meta.url)("sucrase") as { transform: SucraseTransform };

const limits: WorkerLimits = testLimits();

/** Plain JavaScript without `<` or the word import, as snippets: each returns something to compare. */
const SNIPPETS: readonly string[] = [
  "return 1",
  "let total = 0;\nfor (let i = 10; i > 0; i--) total += i;\nreturn total",
  "const xs = [3, 1, 2];\nxs.sort((a, b) => a - b);\nreturn xs.map((x) => x * 2)",
  "class Point {\n  x = 1;\n  static origin = new Point();\n  #secret = 2;\n  get sum() { return this.x + this.#secret }\n  static { this.made = true }\n}\nreturn [new Point().sum, Point.made]",
  "class A { public = 1; private; declare; readonly = 2; static = 3 }\nreturn new A()",
  "class B { public\n  x = 1 }\nreturn Object.keys(new B())",
  "outer: for (const a of [1, 2, 3]) {\n  for (const b of [1, 2]) { if (a * b === 4) break outer; }\n}\nreturn 'labels'",
  "const re = /a[/]b+(?=c)/giu;\nreturn [re.test('A/BBC'), 'x/y'.split(/\\//), 4 / 2 / 1]",
  "const o = { a: 1, 'b-c': 2, [1 + 1]: 3, d() { return 4 }, get e() { return 5 }, async *f() {} };\nreturn [o.a, o['b-c'], o[2], o.d(), o.e]",
  "const a = 1, b = 2;\nconst y = a ? (b) : (c) => c;\nreturn y",
  "const f = async (n) => { await null; return n + 1 };\nreturn await f(await Promise.resolve(41))",
  "const o = { a: { b: () => 7 } };\nreturn [o?.a?.b?.(), o.z?.q, o.z ?? 'dflt', (o.n ||= 3), (o.m ??= 4)]",
  "const name = 'world';\nreturn `hello ${name} ${`nested ${1 + 1}`}\\n`",
  "// a line comment\n/* a block\n   comment */\nreturn /** doc */ 'comments'",
  "const ünïcødé = 'é😀\\u2028';\nconst \\u0061b = 2;\nreturn [ünïcødé, ab, '日本']",
  "let type = 1, as = 2, satisfies = 3, declare = 4, namespace = 6, module = 7, readonly = 8;\nreturn type + as + satisfies + declare + namespace + module + readonly",
  "var declare = 1;\ndeclare\nfunction f() { return 'f' }\nreturn f()",
  "var type = 1;\ntype\nlet Foo = 2;\nreturn Foo",
  "const x = 1;\nconst y = x\n!0;\nreturn y",
  "function* gen() { yield 1; yield* [2, 3] }\nreturn [...gen()]",
  "const { a, b: [c, ...rest], ...others } = { a: 1, b: [2, 3, 4], d: 5 };\nreturn [a, c, rest, others]",
  "try { null.x } catch { return 'caught' } finally { }",
  "const big = 2n ** 64n;\nreturn [String(big), 1_000_000, 0x1f, 0o17, 0b11, .5e1]",
  "return [typeof undefined, void 0, delete {}.x, 1 >>> 0 >= 1, 7 % 4, 2 ** 3 ** 2]",
  "const fn = function named(a, b = 2, ...c) { return [a, b, c, new.target === undefined] };\nreturn fn(1)",
  "do { var i = (i ?? 0) + 1 } while (i !== 3);\nreturn i",
  "switch (3) { case 1: return 'one'; default: return 'other' }",
  "const s = new Set([1, 1, 2]);\nconst m = new Map([[1, 'a']]);\nreturn [s.size, m.get(1), [...'ab'].join('-')]",
  "if (true) return 'if'\nelse return 'else'",
  "const ok = JSON.parse('{\"a\":[1,2]}');\nreturn ok",
  "const t = { if: 1, class: 2, new: 3, function: 4, typeof: 5, enum: 6, interface: 7, public: 8 };\nreturn Object.keys(t).length",
];

/** Plain JavaScript modules (module mode): the default export is the result. */
const MODULES: readonly string[] = [
  "export default 42;\n",
  "export const a = 1, b = 2;\nexport function f() { return a + b }\nexport default f();\n",
  "export default class { static value = 'class' }\n",
  "const value = await Promise.resolve('top-level await');\nexport { value as default };\n",
  "export default (async () => 'async iife')();\n",
  "export let counter = 0;\ncounter++;\nexport default counter;\n",
];

/**
 * Words sucrase's TypeScript parser gives a meaning to (modifiers, declaration keywords, type
 * operators), and JavaScript's own contextual words, each used as an ordinary name in the templates.
 */
const CONTEXTUAL_WORDS: readonly string[] = [
  "abstract",
  "declare",
  "type",
  "interface",
  "namespace",
  "module",
  "global",
  "async",
  "readonly",
  "override",
  "accessor",
  "public",
  "private",
  "protected",
  "static",
  "asserts",
  "is",
  "infer",
  "keyof",
  "unique",
  "satisfies",
  "as",
  "out",
  "in",
  "get",
  "set",
  "of",
  "let",
  "yield",
  "await",
  "constructor",
  "implements",
  "package",
  "enum",
  "from",
  "require",
  "exports",
  "this",
  "void",
  "undefined",
  "never",
  "unknown",
  "any",
  "object",
  "string",
  "number",
  "symbol",
  "bigint",
  "boolean",
  "using",
  "assert",
];

/**
 * Programs with the placeholder W where a word goes: statements and class members that a line break
 * splits in JavaScript (automatic semicolon insertion) and that sucrase could read as one TypeScript
 * declaration, export lists, parameters, labels, operators.
 */
const TEMPLATES: readonly string[] = [
  "var W, Q; export default W\nclass Q2 {}",
  "var W, Q; export default W\nfunction f() {}",
  "var W, Q; export default W\nQ\n{}",
  "var W, Q; W\nclass Q2 {}",
  "var W, Q; W\nfunction f() {}",
  "var W, Q; W\nconst Q2 = 1",
  "var W, Q; W\nlet Q2 = 1",
  "var W, Q; W\nvar Q2 = 1",
  "var W, Q; W\nQ = 1",
  "var W, Q; W\nQ\n{}",
  "var W, Q; W\n{}",
  "var W, Q; W\nQ.x = 1",
  "var W, Q; W\n(Q)",
  "var W, Q; W\n[Q]",
  "var W, Q; export { W }",
  "var W, Q; export { W as Q }",
  "var W, Q; export { Q as W }",
  "var W, Q; export { W as W }",
  "var W, Q; x = W\n? Q : 1",
  "var W, Q; x = Q ? (W) : Q",
  "class A { W\n x }",
  "class A { W\n x = 1 }",
  "class A { W\n x() {} }",
  "class A { static W\n x }",
  "class A { W\n [x] }",
  "class A { W\n *x() {} }",
  "class A { W\n 'x' }",
  "class A { W\n #x }",
  "class A { W\n get x() {} }",
  "class A { W\n static x }",
  "class A { W; x }",
  "class A { W = 1 }",
  "class A { W() {} }",
  "class A { static W() {} }",
  "class A { get W() {} }",
  "class A { W\n async\n x() {} }",
  "x = { W\n: 1 }",
  "x = { W }",
  "x = { async W() {} }",
  "function f(W) { return W }",
  "x = (W) => W",
  "x = W => W",
  "x = (W = Q) => 1",
  "x = ({ W }) => 1",
  "x = function W() {}",
  "x = class W {}",
  "W: for (;;) break W",
  "var W; for (W of []);",
  "var W; x = W?.Q",
  "var W; x = W\n!1",
  "var W; x = W ? W : W",
];

/** Valid JavaScript that sucrase cannot parse (a GUEST_SYNTAX before the fast path), with its result. */
const SUCRASE_REJECTS: readonly string[] = [
  "const a = 0, b = 1, c = 2, d = 3;\nconst x = a ? (b) : c => d;\nreturn typeof x",
  "const a = 0, b = 1, c = 0, d = 3;\nconst x = a ? (b) : c ? (d) : e => 5;\nreturn typeof x",
];

/** Runs one job on a worker and returns the worker's outcome (never a dead worker, in these tests). */
async function runOn(
  worker: QuickJsWorkerHandle,
  source: string,
  mode: "snippet" | "module" = "snippet",
  language: "typescript" | "javascript" = "typescript",
): Promise<WorkerOutcome> {
  const job: RunJob = { runId: nextRunId++, main: { source, mode, language }, limits };
  const result = await worker.run(job, {
    onLog: () => {},
    onToolCalls: () => {},
    onSync: () => ({ ok: false, error: { code: "FILE_NOT_FOUND", message: "no files in this test" } }),
  });
  if (result.kind !== "done") throw new Error(`the sandbox worker exited: ${String(result.error)}`);
  return result.outcome;
}

let nextRunId = 1;

/** What a test compares between the two paths: the result or the whole error document. */
function observable(outcome: WorkerOutcome): unknown {
  return outcome.error === undefined ? { result: outcome.resultJson } : { error: outcome.error };
}

/** The same program with a `<` in a trailing comment on its first line: not eligible, same lines. */
function forcedThroughSucrase(source: string): string {
  const newline = source.indexOf("\n");
  return newline < 0 ? `${source} // <` : `${source.slice(0, newline)} // <${source.slice(newline)}`;
}

describe("sucrase returns every eligible program unchanged (the differential corpus)", () => {
  const cases = [
    ...SNIPPETS.map((source) => ({ source, mode: "snippet" as const })),
    ...MODULES.map((source) => ({ source, mode: "module" as const })),
  ];
  it.each(cases)("$mode: $source", ({ source, mode }) => {
    const wrapped = wrapMain({ source, mode, language: "typescript" });
    expect(mayRunAsJavaScript(wrapped.source)).toBe(true);
    const output = transform(wrapped.source, { ...SUCRASE_OPTIONS, filePath: wrapped.displayName }).code;
    expect(output).toBe(wrapped.source);
  });

  it("excludes any `<` and the words import and abstract, and nothing else", () => {
    expect(mayRunAsJavaScript("for (let i = 0; i < 3; i++) {}")).toBe(false);
    expect(mayRunAsJavaScript("return f<number>(1)")).toBe(false);
    expect(mayRunAsJavaScript("const s = 'import'")).toBe(false);
    expect(mayRunAsJavaScript("return await import('./x.js')")).toBe(false);
    expect(mayRunAsJavaScript("const important = 1, reimport = 2, imports = 3")).toBe(true);
    expect(mayRunAsJavaScript("const x: number = 1")).toBe(true); // QuickJS's compile check refuses it
    expect(mayRunAsJavaScript("var abstract = 1")).toBe(false);
    expect(mayRunAsJavaScript("var abstracts = 1, \\u0061bstract = 2")).toBe(true);
  });

  it("has a reason for each excluded text: sucrase changes valid JavaScript there", () => {
    const changed: readonly string[] = [
      // A generic call to sucrase, two comparisons to JavaScript.
      "const f = (x) => x, T = 1, x = 2;\nexport default f < T > (x);\n",
      // An unused import is dropped by sucrase (its module would not even load).
      'import { unused } from "./x.js";\nexport default 1;\n',
      // One abstract class to sucrase; a default export of `abstract` and a class to JavaScript.
      "var abstract = 1;\nexport default abstract\nclass C {}\n",
    ];
    for (const source of changed) {
      expect(mayRunAsJavaScript(source), source).toBe(false);
      const output = transform(source, { ...SUCRASE_OPTIONS, filePath: "main.ts" }).code;
      expect(output, source).not.toBe(source);
    }
  });

  it("sucrase rejects some valid JavaScript; the fast path runs it as JavaScript, as tsc does", () => {
    // `a ? (b) : c => d` is ambiguous to sucrase's parser (it tries `(b): c => d` as an arrow
    // function with a return type; nested, that is ADR-005's exponential finding 9).
    for (const source of SUCRASE_REJECTS) {
      const wrapped = wrapMain({ source, mode: "snippet" });
      expect(mayRunAsJavaScript(wrapped.source)).toBe(true);
      expect(() => transform(wrapped.source, { ...SUCRASE_OPTIONS })).toThrow(/Unexpected token/);
    }
  });
});

describe("sucrase on programs built from its contextual keywords", () => {
  it("returns every valid one the rule lets through unchanged (or rejects it)", async () => {
    // The package's CommonJS typings describe `{ default: variant }`; the ES module is the variant.
    const quickjs = await newQuickJSWASMModuleFromVariant(
      releaseSyncVariant as unknown as QuickJSSyncVariant,
    );
    let valid = 0;
    let changedButExcluded = 0;
    for (const template of TEMPLATES) {
      for (const word of CONTEXTUAL_WORDS) {
        const source = template.replaceAll("W", word);
        if (!compilesAsModule(() => quickjs.newContext(), source, "/mcp-tools/main.ts")) continue;
        let output: string;
        try {
          output = transform(source, { ...SUCRASE_OPTIONS, filePath: "main.ts" }).code;
        } catch {
          continue; // valid JavaScript sucrase rejects: the fast path runs it (the intended difference)
        }
        if (!mayRunAsJavaScript(source)) {
          if (output !== source) changedButExcluded++;
          continue;
        }
        valid++;
        expect(output, source).toBe(source);
      }
    }
    // Enough programs passed to mean something, and the rule's `abstract` case is among them.
    expect(valid).toBeGreaterThan(1000);
    expect(changedButExcluded).toBeGreaterThan(0);
  });
});

describe("the fast path in a sandbox worker", () => {
  let worker: QuickJsWorkerHandle;

  beforeAll(async () => {
    worker = new QuickJsWorkerHandle(limits.memoryBytes, () => {});
    await worker.ready();
  });

  afterAll(async () => {
    await worker.terminate();
  });

  it("runs every corpus program as JavaScript with the outcome sucrase's path gives", async () => {
    const cases = [
      ...SNIPPETS.map((source) => ({ source, mode: "snippet" as const })),
      ...MODULES.map((source) => ({ source, mode: "module" as const })),
    ];
    for (const { source, mode } of cases) {
      const fast = await runOn(worker, source, mode);
      expect(fast.mainModule, source).toBe("as-javascript");
      const slow = await runOn(worker, forcedThroughSucrase(source), mode);
      expect(slow.mainModule, source).toBe("sucrase");
      expect(observable(fast), source).toEqual(observable(slow));
    }
  });

  it("runs the programs sucrase rejects", async () => {
    for (const source of SUCRASE_REJECTS) {
      const outcome = await runOn(worker, source);
      expect(outcome.mainModule, source).toBe("as-javascript");
      expect(outcome.resultJson, source).toBe('"function"');
    }
  });

  it("sends TypeScript-only code through sucrase, which runs it", async () => {
    const cases: readonly [string, unknown][] = [
      ["const x: number = 1;\nreturn x", 1],
      ["const y = 'v' as string;\nreturn y", "v"],
      ["function id<T>(v: T): T { return v }\nreturn id<number>(2)", 2],
      ["enum Color { Red, Green }\nreturn Color.Green", 1],
      ["const o = { a: 3 } satisfies { a: number };\nreturn o.a", 3],
      ["const m = new Map([[1, 4]]);\nreturn m.get(1)!", 4],
      ["const n = [5];\nfor (let i = 0; i < n.length; i++) n[i]++;\nreturn n[0]", 6],
      ["const word = 'import';\nreturn word", "import"],
      ["class P { constructor(public readonly v: number) {} }\nreturn new P(7).v", 7],
    ];
    for (const [source, expected] of cases) {
      const outcome = await runOn(worker, source);
      expect(outcome.mainModule, source).toBe("sucrase");
      expect(outcome.error, source).toBeUndefined();
      expect(JSON.parse(outcome.resultJson ?? "null"), source).toEqual(expected);
    }
  });

  it("keeps a SyntaxError thrown while running apart from a compile failure", async () => {
    for (const code of ["JSON.parse('{')", "eval('(')", "new Function('(')"]) {
      const caught = await runOn(
        worker,
        `const v = 1;\ntry { ${code} } catch (error) { return [error.name, v] }`,
      );
      expect(caught.mainModule, code).toBe("as-javascript");
      expect(caught.resultJson, code).toBe('["SyntaxError",1]');
      const uncaught = `const v = 1;\nreturn ${code}`;
      const fast = await runOn(worker, uncaught);
      const slow = await runOn(worker, forcedThroughSucrase(uncaught));
      expect(fast.mainModule, code).toBe("as-javascript");
      expect(slow.mainModule, code).toBe("sucrase");
      expect(fast.error?.details, code).toMatchObject({ line: 2 });
      expect(fast.error, code).toEqual(slow.error);
    }
  });

  it("gives a compile failure to sucrase, whose GUEST_SYNTAX keeps the user's line", async () => {
    const outcome = await runOn(worker, "const ok = 1;\nconst broken = ;\nreturn ok");
    expect(outcome.mainModule).toBe("sucrase");
    expect(outcome.error?.code).toBe("GUEST_SYNTAX");
    expect(outcome.error?.details).toMatchObject({ file: "snippet.ts", line: 2 });
  });

  it("reports the same error locations and stacks on both paths", async () => {
    const sources = [
      "const a = 1;\nconst b = null;\nreturn b.x",
      "function inner() {\n  throw new RangeError('deep');\n}\nfunction outer() { return inner() }\nreturn outer()",
      "await null;\n  undefinedFunction(1, 2)",
      "export const value = 1;\nthrow new Error('module level');\n",
    ];
    for (const source of sources) {
      const mode = source.startsWith("export") ? "module" : "snippet";
      const fast = await runOn(worker, source, mode);
      const slow = await runOn(worker, forcedThroughSucrase(source), mode);
      expect(fast.mainModule, source).toBe("as-javascript");
      expect(slow.mainModule, source).toBe("sucrase");
      expect(fast.error, source).toBeDefined();
      expect(fast.error, source).toEqual(slow.error);
    }
  });

  it("serves a repeated run from the worker's cache without compiling twice", async () => {
    const source = "return 'cached once'";
    expect((await runOn(worker, source)).mainModule).toBe("as-javascript");
    expect((await runOn(worker, source)).mainModule).toBe("cached");
  });

  it("leaves JavaScript main modules as they are", async () => {
    const outcome = await runOn(worker, "return 1 < 2", "snippet", "javascript");
    expect(outcome.mainModule).toBe("javascript");
    expect(outcome.resultJson).toBe("true");
  });
});

describe("sucrase does not hold up a worker's ready", () => {
  it("a worker started without preloading never loads sucrase for plain JavaScript, and loads it for TypeScript", async () => {
    const worker = new QuickJsWorkerHandle(limits.memoryBytes, () => {}, { preloadTranspiler: false });
    try {
      await worker.ready();
      for (let round = 0; round < 3; round++) {
        const plain = await runOn(worker, `return ${round} + 1`);
        expect(plain.mainModule).toBe("as-javascript");
        expect(plain.transpilerLoaded).toBe(false);
        expect(plain.resultJson).toBe(String(round + 1));
      }
      const typed = await runOn(worker, "const n: number = 20;\nreturn n + 1");
      expect(typed.mainModule).toBe("sucrase");
      expect(typed.transpilerLoaded).toBe(true);
      expect(typed.resultJson).toBe("21");
    } finally {
      await worker.terminate();
    }
  });

  it("a plain-JavaScript run imports TypeScript built at run time, loading sucrase inside the run", async () => {
    const worker = new QuickJsWorkerHandle(limits.memoryBytes, () => {}, { preloadTranspiler: false });
    try {
      await worker.ready();
      const job: RunJob = {
        runId: nextRunId++,
        main: {
          // No word import in the text: the import() is assembled while the code runs.
          source:
            "const F = (async () => {}).constructor;\nreturn (await F('return imp' + 'ort(\"/mcp-tools/x.ts\")')()).v",
          mode: "snippet",
          language: "typescript",
        },
        limits,
      };
      const result = await worker.run(job, {
        onLog: () => {},
        onToolCalls: () => {},
        onSync: (request) =>
          request.op === "resolve"
            ? {
                ok: true,
                value: { name: "/mcp-tools/x.ts", text: "export const v: number = 42;\n", typescript: true },
              }
            : { ok: false, error: { code: "FILE_NOT_FOUND", message: "no files in this test" } },
      });
      if (result.kind !== "done") throw new Error("the sandbox worker exited");
      expect(result.outcome.mainModule).toBe("as-javascript");
      expect(result.outcome.error).toBeUndefined();
      expect(result.outcome.resultJson).toBe("42");
      expect(result.outcome.transpilerLoaded).toBe(true);
    } finally {
      await worker.terminate();
    }
  });

  it("a worker started with preloading loads sucrase while idle, and TypeScript runs as before", async () => {
    const worker = new QuickJsWorkerHandle(limits.memoryBytes, () => {});
    try {
      await worker.ready();
      const typed = await runOn(worker, "const n: number = 1;\nreturn n + 1");
      expect(typed.mainModule).toBe("sucrase");
      expect(typed.resultJson).toBe("2");
      // And in a worker that only ever ran JavaScript, the idle load still happens.
      const other = new QuickJsWorkerHandle(limits.memoryBytes, () => {});
      try {
        await other.ready();
        // Each run gives the worker's event loop turns, and the idle load finishes during them: wait
        // for that, run by run (the test's timeout is the only bound), not for a number of ticks.
        let outcome: WorkerOutcome = await runOn(other, "return 1", "snippet", "javascript");
        while (outcome.transpilerLoaded !== true)
          outcome = await runOn(other, "return 1", "snippet", "javascript");
        expect(outcome?.transpilerLoaded).toBe(true);
      } finally {
        await other.terminate();
      }
    } finally {
      await worker.terminate();
    }
  });
});
