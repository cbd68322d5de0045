/**
 * Many executions at once, cancellation and closing. The one-shot path of a short-lived process
 * is in short-lived-process.e2e.test.ts.
 */
import { type ErrorCode, type ExecutionOutcome, sessionId, type ToolBridge } from "@mcp-execution/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QuickJsExecutor } from "../../src/executor.js";
import { errorOf, MIB, resultOf, run, testLimits, timed } from "./helpers.js";

let executor: QuickJsExecutor;

beforeAll(async () => {
  executor = new QuickJsExecutor({ maxWorkers: 2, watchdogGraceMs: 250 });
  await executor.warmUp(32 * MIB);
});

afterAll(async () => {
  await executor.close();
});

/** A bridge whose calls never answer; it records the signals it was given and tells `onCall`. */
function silentBridge(onCall: () => void = () => {}): ToolBridge & { readonly signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    signals,
    callTool: (_server, _tool, _args, options) => {
      if (options?.signal !== undefined) signals.push(options.signal);
      onCall();
      return new Promise<never>(() => {});
    },
    servers: () => ["silent"],
    close: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
}

describe("a burst of concurrent executions", () => {
  it("gives every execution its own outcome and code, limits included", async () => {
    // CPU exhaustion shows as fuel or time, whichever comes first on a busy machine.
    const cases: {
      source: string;
      expect: readonly ErrorCode[] | number;
      limits: { timeoutMs: number; fuel: number };
    }[] = [];
    const short = { timeoutMs: 1_500, fuel: 1_000 };
    // Filling memory or the stack takes a while on a loaded machine: the deadline must not come first.
    const long = { timeoutMs: 20_000, fuel: 1e9 };
    for (let i = 0; i < 6; i++) {
      cases.push({ source: `console.log('run ${i}'); return ${i};`, expect: i, limits: short });
      cases.push({ source: "while (true) {}", expect: ["LIMIT_FUEL", "LIMIT_TIME"], limits: short });
      cases.push({
        source: "const a = []; for (;;) a.push({ i: a.length });",
        expect: ["LIMIT_MEMORY"],
        limits: long,
      });
      cases.push({
        source: "function f(n: number): number { return f(n + 1) + 1; } return f(0);",
        expect: ["LIMIT_STACK"],
        limits: long,
      });
    }
    cases.push({ source: "for (;;) 'x'.repeat(1 << 22);", expect: ["LIMIT_TIME"], limits: short });
    const { value: outcomes, ms } = await timed(() =>
      Promise.all(cases.map((entry) => run(executor, entry.source, { limits: entry.limits }))),
    );
    outcomes.forEach((outcome: ExecutionOutcome, index) => {
      const wanted = cases[index]?.expect;
      if (typeof wanted === "number") {
        expect(resultOf(outcome)).toBe(wanted);
        expect(outcome.logs).toEqual([{ level: "log", text: `run ${wanted}` }]);
      } else if (wanted !== undefined) {
        if (outcome.ok) expect.fail(`expected ${wanted.join(" or ")}, got ${JSON.stringify(outcome.result)}`);
        expect(wanted).toContain(outcome.error.code);
      }
    });
    // Two workers share 25 runs; even if every run used its whole deadline, this bounds the burst.
    const deadlines = cases.reduce((sum, entry) => sum + entry.limits.timeoutMs, 0);
    expect(ms).toBeLessThan(deadlines / 2 + 5_000);
    expect(executor.workerCount).toBeLessThanOrEqual(2);
    expect(resultOf(await run(executor, "return 'after the burst'"))).toBe("after the burst");
  });
});

describe("cancellation", () => {
  it("cancels a busy run through the signal", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { value: outcome, ms } = await timed(() =>
      run(executor, "while (true) {}", {
        signal: controller.signal,
        limits: { timeoutMs: 30_000, fuel: 1e9 },
      }),
    );
    errorOf(outcome, "CANCELLED");
    expect(ms).toBeLessThan(200 + 2_000);
  });

  it("cancels a run waiting for a tool call and aborts that call", async () => {
    const controller = new AbortController();
    // Aborted once the call has arrived (a fixed delay raced a slow worker start under load).
    const bridge = silentBridge(() => setImmediate(() => controller.abort()));
    const outcome = await run(executor, "return await callTool('silent', 'wait', {});", {
      bridge,
      signal: controller.signal,
      limits: { timeoutMs: 30_000 },
    });
    errorOf(outcome, "CANCELLED");
    expect(outcome.stats.toolCalls).toBe(1);
    expect(bridge.signals).toHaveLength(1);
    expect(bridge.signals[0]?.aborted).toBe(true);
  });

  it("aborts tool calls still in flight when a run ends", async () => {
    const bridge = silentBridge();
    const outcome = await run(
      executor,
      "callTool('silent', 'a', {}); callTool('silent', 'b', {}); return 'left them';",
      {
        bridge,
      },
    );
    expect(resultOf(outcome)).toBe("left them");
    expect(bridge.signals.map((signal) => signal.aborted)).toEqual([true, true]);
  });

  it("notices a signal aborted while the session state was loading", async () => {
    const controller = new AbortController();
    const store = {
      load: async () => {
        controller.abort();
        return {};
      },
      save: async () => {},
    };
    const outcome = await run(executor, "return 'should not run'", {
      signal: controller.signal,
      session: { id: sessionId("aborting"), store },
    });
    errorOf(outcome, "CANCELLED");
  });

  it("caps the size of one call's arguments and of all calls waiting for an answer", async () => {
    const bridge = silentBridge();
    const source = [
      "const codes: string[] = [];",
      "const record = (promise: Promise<unknown>) => promise.catch((error) => codes.push(error.code));",
      "record(callTool('silent', 'huge', { text: 'x'.repeat(5 * 1024 * 1024) }));",
      "for (let i = 0; i < 10; i++) record(callTool('silent', 'big', { text: 'y'.repeat(3 * 1024 * 1024) }));",
      "await new Promise((resolve) => setTimeout(resolve, 50));",
      "return codes;",
    ].join("\n");
    // Building megabytes of strings is slow in QuickJS on a busy machine: generous time and fuel.
    const outcome = await run(executor, source, {
      bridge,
      limits: { memoryBytes: 128 * MIB, timeoutMs: 20_000, fuel: 1_000_000 },
    });
    // One call over 4 MiB, and every call past 16 MiB of arguments waiting for an answer.
    expect(resultOf(outcome)).toEqual([
      "LIMIT_SIZE",
      "LIMIT_SIZE",
      "LIMIT_SIZE",
      "LIMIT_SIZE",
      "LIMIT_SIZE",
      "LIMIT_SIZE",
    ]);
    expect(bridge.signals).toHaveLength(5);
  });

  it("returns CANCELLED at once for a signal aborted before the run, and for a run still queued", async () => {
    errorOf(await run(executor, "return 1", { signal: AbortSignal.abort() }), "CANCELLED");
    const single = new QuickJsExecutor({ maxWorkers: 1 });
    try {
      const busy = run(single, "while (true) {}", { limits: { timeoutMs: 1_500, fuel: 1e9 } });
      const controller = new AbortController();
      const queued = run(single, "return 'never ran'", { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      errorOf(await queued, "CANCELLED");
      errorOf(await busy, "LIMIT_TIME");
      expect(resultOf(await run(single, "return 'next'"))).toBe("next");
    } finally {
      await single.close();
    }
  });
});

describe("closing", () => {
  it("ends running executions as CANCELLED and refuses new ones with DISPOSED", async () => {
    const closing = new QuickJsExecutor({ maxWorkers: 1 });
    let started: () => void = () => {};
    const running = run(closing, 'console.log("started"); while (true) {}', {
      limits: { timeoutMs: 30_000, fuel: 1e9 },
      onLog: () => started(),
    });
    // Wait for the guest to run (an event, not the clock: a loaded machine starts workers slowly).
    await new Promise<void>((resolve) => {
      started = resolve;
    });
    await closing.close();
    errorOf(await running, "CANCELLED");
    expect(closing.workerCount).toBe(0);
    await expect(run(closing, "return 1")).rejects.toMatchObject({ code: "DISPOSED" });
    await closing.close();
    await expect(closing.warmUp()).rejects.toMatchObject({ code: "DISPOSED" });
  });
});

describe("limits stay per execution", () => {
  it("runs executions with different memory caps side by side", async () => {
    const [small, large] = await Promise.all([
      executor.execute({
        mode: "snippet",
        source: "const a = []; for (let i = 0; i < 40; i++) a.push(new Uint8Array(1 << 20)); return a.length",
        limits: testLimits({ memoryBytes: 32 * MIB }),
      }),
      executor.execute({
        mode: "snippet",
        source: "const a = []; for (let i = 0; i < 40; i++) a.push(new Uint8Array(1 << 20)); return a.length",
        limits: testLimits({ memoryBytes: 96 * MIB }),
      }),
    ]);
    errorOf(small, "LIMIT_MEMORY");
    expect(resultOf(large)).toBe(40);
  });
});
