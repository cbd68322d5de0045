/**
 * Generated wrappers in the real sandbox (QuickJS, sucrase, the VFS at /mcp-tools) calling the real
 * server-everything over stdio through the real bridge.
 */
import { type Bridge, createBridge } from "@mcp-execution/bridge";
import { expandServerConfig, type GeneratedFile } from "@mcp-execution/core";
import { QuickJsExecutor } from "@mcp-execution/wasm-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually, everythingEntry } from "../../../test/fixtures/servers/harness.mjs";
import { generateTree } from "../src/generate.js";
import { corpusManifest } from "./corpus.js";
import { runWithTree, why } from "./sandbox-run.js";
import { skillExample } from "./typecheck.js";

let bridge: Bridge;
let executor: QuickJsExecutor;
let everythingTree: GeneratedFile[];

beforeAll(async () => {
  const config = everythingEntry();
  bridge = createBridge({ servers: [expandServerConfig(config, { env: {} })] });
  executor = new QuickJsExecutor({ maxWorkers: 1 });
  everythingTree = generateTree(await corpusManifest("everything"));
});

afterAll(async () => {
  await executor.close();
  await bridge.close();
  // Closing the bridge ends server-everything; nothing of this file may outlive it.
  expect(await eventually(() => childProcessesOf().length === 0, 10_000)).toBe(true);
});

async function run(files: readonly GeneratedFile[], source: string) {
  return runWithTree(executor, files, source, bridge.scope());
}

describe("generated wrappers in the real sandbox against server-everything", () => {
  it("calls tools through wrappers imported by file (with and without extension) and through index.ts", async () => {
    const outcome = await run(
      everythingTree,
      `
import { echo } from "./servers/everything/echo.ts";
import { getSum } from "./servers/everything/get-sum";
import { getStructuredContent } from "./servers/everything/index.ts";

const echoed = await echo({ message: "from a generated wrapper" });
const sum = await getSum({ a: 19, b: 23 });
const weather = await getStructuredContent({ location: "Chicago" });
export default { echoed, sum, weatherKeys: Object.keys(weather).sort(), celsius: typeof weather.temperature };
`,
    );
    expect(outcome, why(outcome)).toMatchObject({
      ok: true,
      result: {
        echoed: "Echo: from a generated wrapper",
        sum: "The sum of 19 and 23 is 42.",
        weatherKeys: ["conditions", "humidity", "temperature"],
        celsius: "number",
      },
      stats: { toolCalls: 3 },
    });
  });

  it("a failed call rejects inside the guest with code, server and tool", async () => {
    const outcome = await run(
      everythingTree,
      `
import { getSum } from "./servers/everything/get-sum.ts";
let caught: unknown = "no error";
try {
  await getSum({ a: "not a number", b: 1 } as never);
} catch (error) {
  const failure = error as Error & { code: string; server: string; tool: string };
  caught = { code: failure.code, server: failure.server, tool: failure.tool };
}
export default caught;
`,
    );
    expect(outcome, why(outcome)).toMatchObject({
      ok: true,
      result: { code: "ARGS_INVALID", server: "everything", tool: "get-sum" },
    });
  });

  it("the SKILL.md example runs as written", async () => {
    const skill = everythingTree.find((file) => file.path === "SKILL.md")!.contents;
    const outcome = await run(everythingTree, skillExample(skill));
    // The example calls a read-only tool without made-up arguments (get-resource-links here).
    expect(skillExample(skill)).toContain("getResourceLinks()");
    expect(outcome, why(outcome)).toMatchObject({ ok: true, stats: { toolCalls: 1 } });
  });
});
