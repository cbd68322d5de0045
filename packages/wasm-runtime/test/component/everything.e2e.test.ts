/**
 * Components against a real MCP server: server-everything over stdio through the real bridge.
 */
import { readFileSync } from "node:fs";
import { type Bridge, createBridge } from "@mcp-execution/bridge";
import { expandServerConfig } from "@mcp-execution/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually, everythingEntry } from "../../../../test/fixtures/servers/harness.mjs";
import { executeComponent } from "../../src/component/index.js";
import { EXAMPLE_COMPONENT, fixture, temporaryCache, testLimits } from "./helpers.js";

const cache = temporaryCache();
let bridge: Bridge;

beforeAll(() => {
  const config = everythingEntry();
  bridge = createBridge({ servers: [expandServerConfig(config, { env: {} })] });
});

afterAll(async () => {
  await bridge.close();
  cache.remove();
});

describe("components calling server-everything through the bridge", () => {
  it("runs the example component end to end: echo, get-sum and a coded error for a missing tool", async () => {
    const outcome = await executeComponent({
      component: readFileSync(EXAMPLE_COMPONENT),
      filename: "everything-tools.wasm",
      cacheDir: cache.dir,
      limits: testLimits({ timeoutMs: 30_000, memoryBytes: 128 * 1024 * 1024 }),
      bridge: bridge.scope(),
    });
    expect(outcome).toMatchObject({
      ok: true,
      result: {
        echo: "Echo: hello from a WebAssembly component",
        sum: "The sum of 19 and 23 is 42.",
        missingTool: "TOOL_UNKNOWN",
      },
      logs: [
        { level: "info", text: "calling echo and get-sum on server everything" },
        { level: "log", text: "get-sum answered: The sum of 19 and 23 is 42." },
      ],
      stats: { toolCalls: 3 },
      component: { fromCache: false },
    });
  });

  it("runs the example again from the cache", async () => {
    const outcome = await executeComponent({
      component: readFileSync(EXAMPLE_COMPONENT),
      cacheDir: cache.dir,
      limits: testLimits({ timeoutMs: 30_000, memoryBytes: 128 * 1024 * 1024 }),
      bridge: bridge.scope(),
    });
    expect(outcome).toMatchObject({ ok: true, component: { fromCache: true }, stats: { toolCalls: 3 } });
  });

  it("gives call-tool's ok text to the guest (echo.wat returns it as its result)", async () => {
    const outcome = await executeComponent({
      component: fixture("echo"),
      cacheDir: cache.dir,
      limits: testLimits(),
      bridge: bridge.scope(),
    });
    expect(outcome).toMatchObject({ ok: true, result: "Echo: hi", stats: { toolCalls: 1 } });
  });

  it("stops at the tool-call limit while calling a real server, and the bridge still serves", async () => {
    const outcome = await executeComponent({
      component: fixture("calls-forever"),
      cacheDir: cache.dir,
      limits: testLimits({ maxToolCalls: 25 }),
      bridge: bridge.scope(),
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: "LIMIT_CALLS" }, stats: { toolCalls: 25 } });
    const after = await bridge.callTool("everything", "echo", { message: "still here" });
    expect(after.value).toBe("Echo: still here");
  });

  it("stops at the deadline while the guest waits in call-tool, cancelling the call; the bridge still serves", async () => {
    const outcome = await executeComponent({
      component: fixture("slow-call"),
      cacheDir: cache.dir,
      limits: testLimits({ timeoutMs: 1_500 }),
      bridge: bridge.scope(),
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: "LIMIT_TIME" }, stats: { toolCalls: 1 } });
    // The call in flight was aborted (the bridge counts it as CANCELLED), not left to run 20 s.
    expect(await eventually(() => (bridge.stats().errorsByCode.CANCELLED ?? 0) >= 1)).toBe(true);
    const after = await bridge.callTool("everything", "echo", { message: "after the deadline" });
    expect(after.value).toBe("Echo: after the deadline");
  });

  it("leaves no process behind once the bridge is closed", async () => {
    const own = createBridge({
      servers: [expandServerConfig(everythingEntry(), { env: {} })],
    });
    const before = childProcessesOf().length;
    await executeComponent({
      component: fixture("echo"),
      cacheDir: cache.dir,
      limits: testLimits(),
      bridge: own,
    });
    await own.close();
    expect(childProcessesOf().length).toBeLessThanOrEqual(before);
  });
});
