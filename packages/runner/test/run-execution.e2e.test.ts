/**
 * `runExecution` with real parts: server-everything over stdio, the QuickJS sandbox, codegen. What
 * the CLI tests cannot show: a caller-owned bridge and executor shared by concurrent runs and left
 * open, the runner's own resources closed before it returns, and the listener contracts.
 */
import { type Bridge, createBridge } from "@mcp-execution/bridge";
import { McpCliError, resolveLimits } from "@mcp-execution/core";
import { QuickJsExecutor } from "@mcp-execution/wasm-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childProcessesOf } from "../../../test/fixtures/servers/harness.mjs";
import { everythingStdio, fixtureConfig } from "../../mcp-client/test/configs.js";
import { type ProgressEvent, runExecution, type ScriptSource } from "../src/index.js";

const limits = resolveLimits("moderate");

function snippet(source: string): ScriptSource {
  return { kind: "script", source, mode: "snippet", filename: "eval.ts", language: "typescript" };
}

describe("runs of its own", () => {
  it("a snippet without servers needs no bridge and loads no server", async () => {
    const before = childProcessesOf();
    const outcome = await runExecution({ source: snippet("return 6 * 7"), limits });
    expect(outcome).toMatchObject({ ok: true, result: 42 });
    expect(childProcessesOf()).toEqual(before);
  });

  it("generates the API of a live server, reports each step, and stops the server before returning", async () => {
    const before = childProcessesOf();
    const events: ProgressEvent[] = [];
    const outcome = await runExecution({
      source: snippet(
        'import { echo } from "./servers/everything/echo.ts";\nreturn await echo({ message: "hi" })',
      ),
      limits,
      servers: [everythingStdio()],
      onProgress: (event) => events.push(event),
    });
    expect(outcome).toMatchObject({ ok: true, result: "Echo: hi", stats: { toolCalls: 1 } });
    expect(events).toEqual([
      { id: 1, label: "connecting to everything", state: "started" },
      { id: 1, label: "connecting to everything", state: "done" },
    ]);
    // Closed before runExecution resolved: no server process of this run is left.
    expect(childProcessesOf()).toEqual(before);
  });
});

describe("a caller-owned bridge and executor, shared by concurrent runs", () => {
  let bridge: Bridge;
  let executor: QuickJsExecutor;
  beforeAll(() => {
    bridge = createBridge({ servers: [everythingStdio(), fixtureConfig("results")] });
    executor = new QuickJsExecutor({ maxWorkers: 2 });
  });
  afterAll(async () => {
    await executor?.close();
    await bridge?.close();
  });

  it("runs several executions at once over one set of connections and leaves both open", async () => {
    const runs = ["a", "b", "c", "d"].map((message) =>
      runExecution({
        source: snippet(
          `import { echo } from "./servers/everything/echo.ts";\nreturn await echo({ message: ${JSON.stringify(message)} })`,
        ),
        limits,
        servers: [everythingStdio()],
        bridge,
        executor,
      }),
    );
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.result : outcome.error))).toEqual([
      "Echo: a",
      "Echo: b",
      "Echo: c",
      "Echo: d",
    ]);
    // Neither was closed: both still serve a plain call afterwards.
    expect((await bridge.callTool("everything", "echo", { message: "after" })).value).toBe("Echo: after");
    const after = await runExecution({ source: snippet("return 'still open'"), limits, executor });
    expect(after).toMatchObject({ ok: true, result: "still open" });
  });

  it("counts tool calls per run, not per bridge", async () => {
    const callTwice = snippet(
      "await callTool('results', 'fail', {}).catch(() => {}); await callTool('results', 'fail', {}).catch(() => {}); return 'done'",
    );
    const tight = { ...limits, maxToolCalls: 2 };
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => runExecution({ source: callTwice, limits: tight, bridge, executor })),
    );
    for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: true, stats: { toolCalls: 2 } });
  });

  it("refuses a run that needs a server the shared bridge does not serve", async () => {
    const run = runExecution({
      source: snippet("return 1"),
      limits,
      servers: [fixtureConfig("paged")],
      bridge,
      executor,
    });
    await expect(run).rejects.toBeInstanceOf(McpCliError);
    await expect(run).rejects.toMatchObject({ code: "SERVER_UNKNOWN", details: { servers: ["paged"] } });
  });
});
