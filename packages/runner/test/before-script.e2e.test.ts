/**
 * `RunRequest.beforeScript` (the CLI's `execute --check`): called with the script and the assembled
 * `/mcp-tools` tree after the servers are introspected; a rejection fails the run before the guest
 * starts, so none of its tool calls or logs happen.
 */
import { McpCliError, resolveLimits } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { everythingStdio } from "../../mcp-client/test/configs.js";
import { runExecution, type ScriptSource } from "../src/index.js";

const limits = resolveLimits("moderate");
const source: ScriptSource = {
  kind: "script",
  source: [
    'import { echo } from "./servers/everything/echo.ts";',
    'console.log("ran");',
    'export default await echo({ message: "hi" });',
  ].join("\n"),
  mode: "module",
  filename: "agent.ts",
  language: "typescript",
};

describe("beforeScript", () => {
  it("sees the script and the tree generated for the live servers; the run goes on when it resolves", async () => {
    const seen: { filename: string; paths: string[] }[] = [];
    const outcome = await runExecution({
      source,
      limits,
      servers: [everythingStdio()],
      beforeScript: async (script, tree) => {
        seen.push({ filename: script.filename, paths: tree.map((file) => file.path) });
      },
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      ok: true,
      result: "Echo: hi",
      stats: { toolCalls: 1 },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.filename).toBe("agent.ts");
    expect(seen[0]?.paths).toContain("servers/everything/echo.ts");
  });

  it("a rejection fails the run with that error before the guest starts", async () => {
    const logs: string[] = [];
    const refusal = new McpCliError("GUEST_TYPE", "the code does not type-check");
    await expect(
      runExecution({
        source,
        limits,
        servers: [everythingStdio()],
        onLog: (entry) => logs.push(entry.text),
        beforeScript: () => Promise.reject(refusal),
      }),
    ).rejects.toBe(refusal);
    expect(logs).toEqual([]);
  });
});
