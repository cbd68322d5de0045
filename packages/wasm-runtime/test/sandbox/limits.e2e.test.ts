/**
 * Every sandbox limit, hit on purpose. Each case checks the code, that the run was contained
 * within its deadline plus a generous margin (2 s, not a timing assertion), and that the host is
 * healthy afterwards: the next trivial execution works and no worker threads pile up.
 */
import { type ErrorCode, resolveLimits, type SandboxLimits } from "@mcp-execution/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkSandboxLimits, QuickJsExecutor } from "../../src/executor.js";
import { errorOf, MIB, resultOf, run, testLimits, timed } from "./helpers.js";

const MARGIN_MS = 2_000;
const MAX_WORKERS = 2;
let executor: QuickJsExecutor;

beforeAll(async () => {
  executor = new QuickJsExecutor({ maxWorkers: MAX_WORKERS, watchdogGraceMs: 250 });
  await executor.warmUp(32 * MIB);
});

afterEach(async () => {
  // The host is fine: a trivial run works and the pool did not grow past its bound.
  expect(resultOf(await run(executor, "return 1 + 2"))).toBe(3);
  expect(executor.workerCount).toBeLessThanOrEqual(MAX_WORKERS);
});

afterAll(async () => {
  await executor.close();
  expect(executor.workerCount).toBe(0);
});

/**
 * Runs `source` and checks that it ended with one of `codes` within the deadline plus the margin.
 * Returns the error for further checks.
 */
async function expectContained(
  source: string,
  codes: readonly ErrorCode[],
  limits: Partial<SandboxLimits> = {},
) {
  const effective = testLimits(limits);
  const { value: outcome, ms } = await timed(() => run(executor, source, { limits }));
  if (outcome.ok)
    expect.fail(`expected ${codes.join(" or ")}, got a result: ${JSON.stringify(outcome.result)}`);
  expect(codes, `${outcome.error.code}: ${outcome.error.message}`).toContain(outcome.error.code);
  expect(ms).toBeLessThan(effective.timeoutMs + MARGIN_MS);
  return outcome;
}

const FAST_TIME: Partial<SandboxLimits> = { timeoutMs: 1_000, fuel: 1_000_000_000 };
const LITTLE_FUEL: Partial<SandboxLimits> = { timeoutMs: 10_000, fuel: 2_000 };

describe("CPU: fuel and deadline", () => {
  it("stops an infinite loop with LIMIT_FUEL when fuel runs out first", async () => {
    const outcome = await expectContained("while (true) {}", ["LIMIT_FUEL"], LITTLE_FUEL);
    if (!outcome.ok) expect(outcome.error.details).toMatchObject({ limit: "fuel", fuel: 2_000 });
  });

  it("stops an infinite loop with LIMIT_TIME when the deadline comes first", async () => {
    const outcome = await expectContained("for (;;) {}", ["LIMIT_TIME"], FAST_TIME);
    if (!outcome.ok) expect(outcome.error.message).toContain("time limit of 1000 ms");
  });

  it.each([
    ["try { while (true) {} } catch (e) { return 'caught'; }"],
    ["try { while (true) {} } finally { return 'finally'; }"],
    ["try { while (true) {} } finally { while (true) {} }"],
    ["for (;;) { try { for (;;) {} } catch { /* again */ } finally { continue; } }"],
    ["const spin = () => { try { for (;;) {} } catch { return spin(); } }; return spin();"],
  ])("the interrupt cannot be caught: %s", async (source) => {
    await expectContained(source, ["LIMIT_FUEL"], LITTLE_FUEL);
  });

  it.each([
    ["for (;;) 'x'.repeat(1 << 22);"],
    ["const s = 'x'.repeat(1 << 20); for (;;) s.indexOf('y');"],
    ["new Array(1e9) + '';"],
    ["const a = new Array(2e6).fill('ab'); for (;;) a.join('-');"],
  ])("ends builtins that starve the interrupt handler: %s", async (source) => {
    await expectContained(source, ["LIMIT_TIME", "LIMIT_MEMORY"], FAST_TIME);
  });

  it("stops catastrophic regular expressions", async () => {
    await expectContained(
      "return /(a+)+$/.test('a'.repeat(40) + 'b');",
      ["LIMIT_TIME", "LIMIT_FUEL"],
      FAST_TIME,
    );
  });

  it("stops microtask floods, flat and chained", async () => {
    await expectContained(
      "const flood = () => { Promise.resolve().then(flood); }; flood(); await new Promise(() => {});",
      ["LIMIT_FUEL", "LIMIT_TIME"],
      FAST_TIME,
    );
    await expectContained(
      "const chain = (): Promise<unknown> => Promise.resolve().then(chain); await chain();",
      ["LIMIT_FUEL", "LIMIT_TIME", "LIMIT_MEMORY"],
      FAST_TIME,
    );
  });

  it("ends awaits that outlive the deadline: a far timer, a timer loop", async () => {
    await expectContained(
      "await new Promise((resolve) => setTimeout(resolve, 60_000)); return 1;",
      ["LIMIT_TIME"],
      FAST_TIME,
    );
    await expectContained(
      "for (;;) await new Promise((resolve) => setTimeout(resolve, 1));",
      ["LIMIT_TIME"],
      FAST_TIME,
    );
  });

  it("ends a run that only waits on a tool call that never answers", async () => {
    const bridge = {
      callTool: () => new Promise<never>(() => {}),
      servers: () => ["slow"],
      close: async () => {},
      [Symbol.asyncDispose]: async () => {},
    };
    const { value: outcome, ms } = await timed(() =>
      run(executor, "return await callTool('slow', 'wait', {});", { limits: FAST_TIME, bridge }),
    );
    errorOf(outcome, "LIMIT_TIME");
    expect(ms).toBeLessThan(1_000 + MARGIN_MS);
  });
});

describe("memory", () => {
  it.each([
    ["many small objects", "const a = []; for (;;) a.push({ n: a.length });"],
    ["many arrays", "const a = []; for (;;) a.push(new Array(1000).fill(0));"],
    ["many strings", "const a = []; for (;;) a.push('y'.repeat(1 << 20) + a.length);"],
    ["many typed arrays", "const a = []; for (;;) a.push(new Uint8Array(1 << 20));"],
    ["a Map", "const m = new Map(); for (let i = 0; ; i++) m.set(i, { i });"],
    ["closures", "let f = () => 0; for (let i = 0; ; i++) { const g = f; f = () => g() + i; }"],
  ])("stops a memory bomb of %s with LIMIT_MEMORY", async (_name, source) => {
    const outcome = await expectContained(source, ["LIMIT_MEMORY"]);
    expect(outcome.stats.memoryBytes).toBe(32 * MIB);
    if (!outcome.ok) expect(outcome.error.details).toMatchObject({ limit: "memoryBytes" });
  });

  it("refuses one allocation larger than the limit up front, without using the memory", async () => {
    const outcome = await expectContained("return new ArrayBuffer(1 << 30).byteLength;", ["LIMIT_MEMORY"]);
    if (!outcome.ok) expect(outcome.error.message).toContain("ran out of memory (at snippet.ts:1:");
    // Nothing was allocated, so catching it is harmless and allowed.
    const caught = "try { new ArrayBuffer(1 << 30); } catch (error) { return String(error); }";
    expect(resultOf(await run(executor, caught))).toBe("InternalError: out of memory");
  });

  it("does not let guest code catch its way past the memory limit", async () => {
    await expectContained(
      "try { const a = []; for (;;) a.push(new Array(1000).fill(1)); } catch { /* ignore */ }\nreturn 'survived';",
      ["LIMIT_MEMORY"],
    );
  });

  it("holds the cap at other sizes too (64 MiB)", async () => {
    const outcome = await expectContained(
      "const a = []; for (;;) a.push(new Float64Array(1 << 16));",
      ["LIMIT_MEMORY"],
      {
        memoryBytes: 64 * MIB,
      },
    );
    expect(outcome.stats.memoryBytes).toBe(64 * MIB);
  });
});

describe("stack", () => {
  it.each([
    ["deep recursion", "function f(n: number): number { return f(n + 1) + 1; }\nreturn f(0);", 256],
    ["deep JSON.parse", "return JSON.parse('['.repeat(100_000));", 256],
    [
      "deep JSON.stringify",
      "let a: unknown[] = []; for (let i = 0; i < 5_000; i++) a = [a]; return JSON.stringify(a).length;",
      64,
    ],
    ["nested eval", "function f(n: number): number { return eval('f(n + 1)'); }\nreturn f(0);", 256],
    [
      "mutual recursion through getters",
      "const o = { get a(): number { return this.b; }, get b(): number { return this.a; } };\nreturn o.a;",
      256,
    ],
  ])("ends %s with LIMIT_STACK", async (_name, source, stackKib) => {
    const outcome = await expectContained(source, ["LIMIT_STACK"], { stackBytes: stackKib * 1024 });
    if (!outcome.ok)
      expect(outcome.error.details).toMatchObject({ limit: "stackBytes", stackBytes: stackKib * 1024 });
  });

  it("ends deep recursion at the largest stack limit as a guest error, not a host crash", async () => {
    const outcome = await expectContained(
      "function f(n: number): number { return f(n + 1) + 1; }\nreturn f(0);",
      ["LIMIT_STACK"],
      {
        stackBytes: 4 * MIB,
      },
    );
    if (!outcome.ok) expect(outcome.error.message).toContain("(at snippet.ts:1:");
    await expectContained("return JSON.parse('['.repeat(1_000_000));", ["LIMIT_STACK"], {
      stackBytes: 4 * MIB,
    });
  });

  it("lets guest code catch a stack overflow, as JavaScript allows", async () => {
    const source =
      "function f(n: number): number { return f(n + 1) + 1; }\ntry { f(0); } catch (error) { return String(error); }";
    expect(resultOf(await run(executor, source))).toBe("InternalError: stack overflow");
  });
});

describe("output", () => {
  it("stops a log flood with LIMIT_OUTPUT and keeps the logs up to the cap", async () => {
    const outcome = await expectContained(
      "for (let i = 0; ; i++) console.log(`line ${i} ` + 'x'.repeat(100));",
      ["LIMIT_OUTPUT"],
    );
    const bytes = outcome.logs.reduce((sum, entry) => sum + Buffer.byteLength(entry.text) + 32, 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(outcome.logs.length).toBeGreaterThan(100);
    expect(outcome.logs[0]?.text.startsWith("line 0 ")).toBe(true);
  });

  it("counts empty log lines too", async () => {
    await expectContained("for (;;) console.log();", ["LIMIT_OUTPUT"]);
  });

  it("does not let guest code catch its way past the output limit", async () => {
    await expectContained("for (;;) { try { console.log('x'.repeat(1000)); } catch { /* ignore */ } }", [
      "LIMIT_OUTPUT",
    ]);
  });

  it.each([
    ["a huge string", "return 'x'.repeat(1_000_000);"],
    ["a huge array", "return new Array(100_000).fill({ a: 1 });"],
    ["a huge non-ASCII string", "return 'é'.repeat(40_000);"],
    ["logs plus result", "console.log('x'.repeat(40_000));\nreturn 'y'.repeat(40_000);"],
  ])("refuses %s with LIMIT_OUTPUT", async (_name, source) => {
    await expectContained(source, ["LIMIT_OUTPUT"]);
  });

  it("accepts output right under the cap", async () => {
    expect(resultOf(await run(executor, "return 'x'.repeat(60_000);"))).toHaveLength(60_000);
  });
});

describe("tool calls", () => {
  it("stops the call past maxToolCalls with LIMIT_CALLS, even when the guest catches errors", async () => {
    const source = [
      "for (let i = 0; i < 10; i++) {",
      "  try { await callTool('none', 'tool', { i }); } catch { /* no server here */ }",
      "}",
      "return 'done';",
    ].join("\n");
    const outcome = await expectContained(source, ["LIMIT_CALLS"], { maxToolCalls: 3 });
    expect(outcome.stats.toolCalls).toBe(3);
  });

  it("rejects calls without a bridge with SERVER_UNKNOWN, catchable, carrying server and tool", async () => {
    const source =
      "try { await callTool('srv', 'tl', {}); } catch (error: any) { return [error.code, error.server, error.tool, error instanceof Error]; }";
    expect(resultOf(await run(executor, source))).toEqual(["SERVER_UNKNOWN", "srv", "tl", true]);
  });
});

describe("limit values", () => {
  it.each([
    [{ memoryBytes: 8 * MIB }, "memory limit"],
    [{ memoryBytes: 4096 * MIB }, "memory limit"],
    [{ stackBytes: 16 * MIB }, "stack limit"],
    [{ stackBytes: 1024 }, "stack limit"],
    [{ timeoutMs: 2 ** 40 }, "time limit"],
  ] as const)("refuses limits this sandbox cannot enforce (%o) with USAGE", async (overrides, message) => {
    const outcome = await executor.execute({
      mode: "snippet",
      source: "return 1",
      limits: { ...testLimits(), ...overrides },
    });
    expect(errorOf(outcome, "USAGE").message).toContain(message);
    expect(checkSandboxLimits({ ...testLimits(), ...overrides })?.code).toBe("USAGE");
  });

  it("accepts every profile", () => {
    for (const profile of ["strict", "moderate", "permissive"] as const) {
      expect(checkSandboxLimits(resolveLimits(profile))).toBeUndefined();
    }
  });
});

describe("the host after all of this", () => {
  it("still runs code and keeps its own memory sane", async () => {
    expect(resultOf(await run(executor, "return [1, 2, 3].map((n) => n * 2)"))).toEqual([2, 4, 6]);
    // Guest memory lives in wasm memory of worker threads that were terminated or reused; the
    // host's own heap stays small.
    expect(process.memoryUsage().heapUsed).toBeLessThan(512 * MIB);
  });
});
