/**
 * Guest code calling real MCP servers through the real bridge: server-everything over stdio and
 * the repository's fixture servers (results, hang). Wrappers shaped like codegen's output are
 * imported from the VFS; calls run concurrently; tool errors reach the guest as catchable errors.
 */

import { type Bridge, createBridge } from "@mcp-execution/bridge";
import { expandServerConfig, type ResolvedServerConfig } from "@mcp-execution/core";
import { VirtualFileSystem } from "@mcp-execution/vfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  EVERYTHING_BIN,
  eventually,
  fixtureCommand,
  stdioServerEntry,
} from "../../../../test/fixtures/servers/harness.mjs";
import { QuickJsExecutor } from "../../src/executor.js";
import { errorOf, resultOf, run } from "./helpers.js";

function stdio(name: string, command: string, args: readonly string[]): ResolvedServerConfig {
  return expandServerConfig(stdioServerEntry(name, command, args), { env: {} });
}

function fixture(name: string): ResolvedServerConfig {
  const { command, args } = fixtureCommand(name);
  return stdio(name, command, args);
}

let executor: QuickJsExecutor;
let bridge: Bridge;

beforeAll(async () => {
  executor = new QuickJsExecutor({ maxWorkers: 2 });
  bridge = createBridge({
    servers: [stdio("everything", EVERYTHING_BIN, ["stdio"]), fixture("results"), fixture("hang")],
    cache: false,
    connect: { environment: process.env, killGraceMs: 300 },
  });
  await Promise.all([executor.warmUp(32 * 1024 * 1024), bridge.tools("everything")]);
});

afterAll(async () => {
  await executor.close();
  await bridge.close();
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

/** Wrappers as codegen writes them: a declared global, input types, one exported function each. */
function everythingTree(): VirtualFileSystem {
  const files = new VirtualFileSystem();
  const header =
    "declare function callTool(server: string, tool: string, args: unknown): Promise<unknown>;\n";
  files.populateTools([
    {
      path: "servers/everything/echo.ts",
      contents: `${header}export interface EchoInput { message: string }\n/** Echoes back the input. */\nexport async function echo(args: EchoInput): Promise<unknown> {\n  return (await callTool("everything", "echo", args)) as unknown;\n}\n`,
    },
    {
      path: "servers/everything/getSum.ts",
      contents: `${header}export interface GetSumInput { a: number; b: number }\nexport async function getSum(args: GetSumInput): Promise<unknown> {\n  return (await callTool("everything", "get-sum", args)) as unknown;\n}\n`,
    },
    {
      path: "servers/everything/index.ts",
      contents:
        'export { echo } from "./echo.ts"; // Echoes back the input\nexport { getSum } from "./getSum.ts";\n\ndeclare global {\n  function callTool(server: string, tool: string, args?: Readonly<Record<string, unknown>>): Promise<unknown>;\n}\n',
    },
  ]);
  files.seal();
  return files;
}

describe("calling tools", () => {
  it("calls a tool with callTool and gets its value", async () => {
    const outcome = await run(executor, "return await callTool('everything', 'echo', { message: 'hi' });", {
      bridge,
    });
    expect(resultOf(outcome)).toBe("Echo: hi");
    expect(outcome.stats.toolCalls).toBe(1);
  });

  it("gets structured content as an object", async () => {
    const source =
      "const weather = await callTool('everything', 'get-structured-content', { location: 'Chicago' }) as any;\nreturn typeof weather.temperature;";
    expect(resultOf(await run(executor, source, { bridge }))).toBe("number");
  });

  it("imports generated wrappers from the VFS and calls through them", async () => {
    const source = [
      'import { echo, getSum } from "./servers/everything/index.ts";',
      'import { echo as echoDirect } from "./servers/everything/echo";',
      "const [a, b, c] = await Promise.all([echo({ message: 'one' }), echoDirect({ message: 'two' }), getSum({ a: 2, b: 40 })]);",
      "console.log('sum was', c);",
      "return { a, b, c };",
    ].join("\n");
    const outcome = await run(executor, source, { bridge, files: everythingTree() });
    expect(resultOf(outcome)).toEqual({ a: "Echo: one", b: "Echo: two", c: expect.anything() });
    expect(JSON.stringify((resultOf(outcome) as { c: unknown }).c)).toContain("42");
    expect(outcome.stats.toolCalls).toBe(3);
    expect(outcome.logs[0]?.text).toMatch(/^sum was /);
  });

  it("runs calls concurrently: an echo answers while another call is still pending", async () => {
    const source = [
      "const pending = callTool('hang', 'hang', {});",
      "const echoed = await callTool('hang', 'echo', { message: 'while hanging' });",
      "return { echoed, stillPending: await Promise.race([pending.then(() => 'settled'), Promise.resolve('pending')]) };",
    ].join("\n");
    const outcome = await run(executor, source, { bridge });
    expect(resultOf(outcome)).toMatchObject({ stillPending: "pending" });
    expect(outcome.stats.toolCalls).toBe(2);
  });

  it("makes 50 parallel calls with Promise.all and keeps their order", async () => {
    const source =
      "const results = await Promise.all(Array.from({ length: 50 }, (_, i) => callTool('everything', 'echo', { message: String(i) })));\nreturn results;";
    const outcome = await run(executor, source, { bridge, limits: { maxToolCalls: 50 } });
    expect(resultOf(outcome)).toEqual(Array.from({ length: 50 }, (_, i) => `Echo: ${i}`));
    expect(outcome.stats.toolCalls).toBe(50);
  });
});

describe("tool errors in the guest", () => {
  it("rejects with catchable errors carrying code, server and tool", async () => {
    const source = [
      "const seen: unknown[] = [];",
      "const attempts: [string, string, unknown][] = [",
      "  ['results', 'fail', {}],",
      "  ['everything', 'echo', { wrong: 1 }],",
      "  ['nowhere', 'echo', {}],",
      "  ['everything', 'no-such-tool', {}],",
      "];",
      "for (const [server, tool, args] of attempts) {",
      "  try { await callTool(server, tool, args as any); seen.push('ok'); }",
      "  catch (error: any) { seen.push([error instanceof Error, error.code, error.server, error.tool]); }",
      "}",
      "return seen;",
    ].join("\n");
    expect(resultOf(await run(executor, source, { bridge }))).toEqual([
      [true, "TOOL_ERROR", "results", "fail"],
      [true, "ARGS_INVALID", "everything", "echo"],
      [true, "SERVER_UNKNOWN", "nowhere", "echo"],
      [true, "TOOL_UNKNOWN", "everything", "no-such-tool"],
    ]);
  });

  it("exposes the tool's error content in details", async () => {
    const source =
      "try { await callTool('results', 'fail', {}); } catch (error: any) { return [error.message, error.details.content]; }";
    expect(resultOf(await run(executor, source, { bridge }))).toEqual([
      "results/fail returned an error: the widget is broken",
      [{ type: "text", text: "the widget is broken" }],
    ]);
  });

  it("ends the run with TOOL_ERROR when the guest does not catch it", async () => {
    const error = errorOf(
      await run(executor, "const x = 1;\nawait callTool('results', 'fail', {});", { bridge }),
      "TOOL_ERROR",
    );
    expect(error.message).toContain("results/fail returned an error: the widget is broken");
    expect(error.details).toMatchObject({ server: "results", tool: "fail", line: 2 });
  });

  it("flattens an uncaught host error's details instead of nesting them (regression)", async () => {
    const error = errorOf(
      await run(executor, "await callTool('everything', 'get-sum', { a: 1, b: 'x' });", { bridge }),
      "ARGS_INVALID",
    );
    expect(error.message).toMatch(/^invalid arguments for everything\/get-sum: b must be number \(at /);
    expect(error.details).toMatchObject({
      server: "everything",
      tool: "get-sum",
      errors: [{ path: "b", keyword: "type" }],
      line: 1,
    });
    expect(error.details).not.toHaveProperty("details");
    expect(error.details).not.toHaveProperty("message");
  });

  it("refuses arguments JSON cannot hold before calling", async () => {
    const source =
      "try { await callTool('everything', 'echo', { message: 'x', fn() {} } as any); } catch (error: any) { return [error.code, error.message]; }";
    expect(resultOf(await run(executor, source, { bridge }))).toEqual([
      "ARGS_INVALID",
      "callTool arguments.fn is a function, which JSON cannot hold",
    ]);
  });
});

describe("limits with real servers", () => {
  it("stops at maxToolCalls with LIMIT_CALLS", async () => {
    const source =
      "for (let i = 0; i < 10; i++) await callTool('everything', 'echo', { message: String(i) });";
    const outcome = await run(executor, source, { bridge, limits: { maxToolCalls: 4 } });
    errorOf(outcome, "LIMIT_CALLS");
    expect(outcome.stats.toolCalls).toBe(4);
  });

  it("ends a run stuck on a hanging tool at its deadline and cancels the call on the server", async () => {
    const outcome = await run(executor, "return await callTool('hang', 'hang', {});", {
      bridge,
      limits: { timeoutMs: 1_000 },
    });
    errorOf(outcome, "LIMIT_TIME");
    const cancelled = await eventually(async () => {
      const result = await bridge.callTool("hang", "cancellations", {});
      return Array.isArray(result.value) && result.value.length > 0;
    });
    expect(cancelled).toBe(true);
    expect(
      resultOf(
        await run(executor, "return await callTool('hang', 'echo', { message: 'alive' });", { bridge }),
      ),
    ).toBeDefined();
  });
});
