import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CodeExecutor, resolveLimits } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ComponentExecutionOutcome,
  ComponentExecutor,
  executeComponent,
} from "../../src/component/index.js";
import { QuickJsExecutor } from "../../src/executor.js";
import { fixture, temporaryCache, testLimits } from "./helpers.js";

const cache = temporaryCache();
afterAll(() => cache.remove());

function run(name: string, limits = testLimits(), signal?: AbortSignal): Promise<ComponentExecutionOutcome> {
  return executeComponent({
    component: fixture(name),
    filename: `${name}.wasm`,
    cacheDir: cache.dir,
    limits,
    ...(signal === undefined ? {} : { signal }),
  });
}

function errorOf(outcome: ComponentExecutionOutcome | import("@mcp-execution/core").ExecutionOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.result)}`);
  return outcome.error;
}

/** A limit was hit: the host must still run a component normally right afterwards. */
async function expectHealthyHost(): Promise<void> {
  const outcome = await run("ok");
  expect(outcome).toMatchObject({ ok: true, result: { answer: 42 } });
}

describe("executeComponent: results", () => {
  it("returns run's ok JSON as the result, with logs and stats", async () => {
    const outcome = await run("ok");
    expect(outcome).toMatchObject({
      ok: true,
      result: { answer: 42 },
      logs: [{ level: "info", text: "hello from wat" }],
      stats: { toolCalls: 0, memoryBytes: 65_536 },
    });
    expect(outcome.stats.durationMs).toBeGreaterThan(0);
    expect(outcome.component?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("turns run's err into GUEST_ERROR carrying the guest's message", async () => {
    const error = errorOf(await run("err"));
    expect(error).toEqual({ code: "GUEST_ERROR", message: "boom from wat", details: { source: "run" } });
  });

  it("refuses ok text that is not JSON with RESULT_UNSERIALIZABLE", async () => {
    const error = errorOf(await run("not-json"));
    expect(error.code).toBe("RESULT_UNSERIALIZABLE");
    expect(error.message).toContain("not JSON");
    expect(error.details).toEqual({ text: "not json" });
  });

  it("reports a trap as GUEST_ERROR naming the trap", async () => {
    const error = errorOf(await run("trap"));
    expect(error.code).toBe("GUEST_ERROR");
    expect(error.message).toMatch(/trapped: .*unreachable/);
  });

  it("answers call-tool with an err document when no bridge is given", async () => {
    const outcome = await run("echo");
    const error = errorOf(outcome);
    expect(error.code).toBe("GUEST_ERROR");
    expect(JSON.parse(error.message)).toMatchObject({
      code: "SERVER_UNKNOWN",
      details: { server: "everything", tool: "echo" },
    });
    expect(outcome.stats.toolCalls).toBe(1);
  });
});

describe("executeComponent: limits", () => {
  it("stops a component that loops forever at the deadline with LIMIT_TIME", async () => {
    const outcome = await run("loop", testLimits({ timeoutMs: 400 }));
    expect(errorOf(outcome)).toMatchObject({
      code: "LIMIT_TIME",
      details: { limit: "timeoutMs", timeoutMs: 400 },
    });
    expect(outcome.stats.durationMs).toBeGreaterThanOrEqual(400);
    await expectHealthyHost();
  });

  it("stops a component that grows its memory without bound at the cap with LIMIT_MEMORY", async () => {
    const limitBytes = 16 * 1024 * 1024;
    const outcome = await run("grow", testLimits({ memoryBytes: limitBytes }));
    const error = errorOf(outcome);
    expect(error.code).toBe("LIMIT_MEMORY");
    expect(error.message).toContain("memory limit of 16 MiB");
    expect(outcome.stats.memoryBytes).toBeLessThanOrEqual(limitBytes);
    expect(outcome.stats.memoryBytes).toBeGreaterThan(limitBytes / 2);
    await expectHealthyHost();
  });

  it("refuses a component whose initial memory is over the limit with LIMIT_MEMORY", async () => {
    const outcome = await run("big-memory", testLimits({ memoryBytes: 1024 * 1024 }));
    expect(errorOf(outcome)).toEqual({
      code: "LIMIT_MEMORY",
      message: "the component's memory starts at 4 MiB, more than the memory limit of 1 MiB",
      details: { initialBytes: 4 * 1024 * 1024, limitBytes: 1024 * 1024 },
    });
    expect(await run("big-memory", testLimits({ memoryBytes: 8 * 1024 * 1024 }))).toMatchObject({
      ok: true,
      result: 1,
      stats: { memoryBytes: 4 * 1024 * 1024 },
    });
  });

  it("stops the call after the tool-call limit with LIMIT_CALLS", async () => {
    const outcome = await run("calls-forever", testLimits({ maxToolCalls: 5 }));
    expect(errorOf(outcome)).toMatchObject({
      code: "LIMIT_CALLS",
      details: { limit: "maxToolCalls", maxToolCalls: 5 },
    });
    expect(outcome.stats.toolCalls).toBe(5);
    await expectHealthyHost();
  });

  it("stops a component that logs without end at the output limit with LIMIT_OUTPUT", async () => {
    const outcome = await run("log-forever", testLimits({ maxOutputBytes: 1000 }));
    expect(errorOf(outcome)).toMatchObject({
      code: "LIMIT_OUTPUT",
      details: { limit: "maxOutputBytes", maxOutputBytes: 1000 },
    });
    const logged = outcome.logs.reduce((sum, entry) => sum + entry.text.length, 0);
    expect(logged).toBeLessThanOrEqual(1000);
    expect(logged).toBeGreaterThan(900);
    await expectHealthyHost();
  });

  it("counts the result against the output limit", async () => {
    // 14 bytes of log fit in 20; the 13-byte result does not.
    const error = errorOf(await run("ok", testLimits({ maxOutputBytes: 20 })));
    expect(error).toMatchObject({
      code: "LIMIT_OUTPUT",
      details: { limit: "maxOutputBytes", maxOutputBytes: 20 },
    });
  });

  it("reports unbounded recursion as LIMIT_STACK", async () => {
    expect(errorOf(await run("recurse")).code).toBe("LIMIT_STACK");
    await expectHealthyHost();
  });

  it("ends with CANCELLED when the signal aborts, and does not start when already aborted", async () => {
    const controller = new AbortController();
    const running = run("loop", testLimits({ timeoutMs: 20_000 }), controller.signal);
    setTimeout(() => controller.abort(), 300);
    expect(errorOf(await running).code).toBe("CANCELLED");
    expect(errorOf(await run("ok", testLimits(), AbortSignal.abort())).code).toBe("CANCELLED");
  });
});

describe("executeComponent: transpile cache", () => {
  it("transpiles once per file: a second execution uses the cache entry", async () => {
    const own = temporaryCache();
    try {
      const request = { component: fixture("ok"), cacheDir: own.dir, limits: testLimits() };
      const first = await executeComponent(request);
      const second = await executeComponent(request);
      expect(first.component).toMatchObject({ fromCache: false });
      expect(second.component).toMatchObject({ fromCache: true, digest: first.component?.digest });
      expect(second).toMatchObject({ ok: true, result: { answer: 42 } });
      expect(readdirSync(own.dir)).toEqual([first.component?.digest]);
      const entry = join(own.dir, first.component?.digest ?? "");
      expect(readdirSync(entry).sort()).toEqual(
        [
          "component.core.wasm",
          "component.core2.wasm",
          "component.core3.wasm",
          "component.js",
          "manifest.json",
        ].sort(),
      );
    } finally {
      own.remove();
    }
  });

  it("re-transpiles an entry written by another transpiler version", async () => {
    const own = temporaryCache();
    try {
      const request = { component: fixture("ok"), cacheDir: own.dir, limits: testLimits() };
      const first = await executeComponent(request);
      const manifestPath = join(own.dir, first.component?.digest ?? "", "manifest.json");
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
      writeFileSync(
        manifestPath,
        JSON.stringify({ ...manifest, transpiler: "@bytecodealliance/jco-transpile@0.0.1" }),
      );
      const again = await executeComponent(request);
      expect(again).toMatchObject({ ok: true, component: { fromCache: false } });
      expect(JSON.parse(readFileSync(manifestPath, "utf8"))).toEqual(manifest);
      expect(readdirSync(own.dir)).toHaveLength(1);
    } finally {
      own.remove();
    }
  });

  it("rejects with PATH_INVALID when the cache directory cannot be created", async () => {
    const own = temporaryCache();
    try {
      const blocker = join(own.dir, "a-file");
      writeFileSync(blocker, "not a directory");
      await expect(
        executeComponent({
          component: fixture("ok"),
          cacheDir: join(blocker, "cache"),
          limits: testLimits(),
        }),
      ).rejects.toMatchObject({ code: "PATH_INVALID", details: { cacheDir: join(blocker, "cache") } });
    } finally {
      own.remove();
    }
  });

  it("keeps nothing in the cache for a component it refuses", async () => {
    const own = temporaryCache();
    try {
      const outcome = await executeComponent({
        component: fixture("unknown-import"),
        cacheDir: own.dir,
        limits: testLimits(),
      });
      expect(errorOf(outcome).code).toBe("COMPONENT_INVALID");
      expect(existsSync(own.dir) ? readdirSync(own.dir) : []).toEqual([]);
    } finally {
      own.remove();
    }
  });
});

describe("ComponentExecutor: the CodeExecutor for components", () => {
  it("runs request.component like executeComponent, streaming logs through onLog", async () => {
    const executor: CodeExecutor = new ComponentExecutor({ cacheDir: cache.dir });
    const seen: string[] = [];
    const outcome = await executor.execute({
      source: "",
      mode: "module",
      component: fixture("ok"),
      filename: "ok.wasm",
      limits: testLimits(),
      onLog: (entry) => seen.push(`${entry.level}:${entry.text}`),
    });
    expect(outcome).toMatchObject({ ok: true, result: { answer: 42 } });
    expect(seen).toEqual(["info:hello from wat"]);
    await executor.close();
    await expect(
      executor.execute({ source: "", mode: "module", component: fixture("ok"), limits: testLimits() }),
    ).rejects.toMatchObject({ code: "DISPOSED" });
  });

  it("a request without component bytes is UNSUPPORTED; the QuickJS executor refuses component bytes", async () => {
    await using components = new ComponentExecutor({ cacheDir: cache.dir });
    const none = await components.execute({ source: "return 1", mode: "snippet", limits: testLimits() });
    expect(errorOf(none).code).toBe("UNSUPPORTED");
    await using quickjs = new QuickJsExecutor({ maxWorkers: 1 });
    const refused = await quickjs.execute({
      source: "",
      mode: "module",
      component: fixture("ok"),
      limits: resolveLimits("strict"),
    });
    expect(refused.ok ? "ok" : refused.error.code).toBe("UNSUPPORTED");
  });
});
