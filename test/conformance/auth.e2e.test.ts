/**
 * Every `auth/*` client scenario of the official MCP conformance suite, against mcp-cli's auth
 * code. The suite needs Node 22 (MCP_CLI_NODE22, which .ci/run sets, or a tools directory; see
 * run-auth.mjs): without it this test is skipped with the reason printed;
 * MCP_CLI_CONFORMANCE_INSTALL=1 installs Node 22 into the tools directory first.
 */
import { describe, expect, it } from "vitest";
import {
  CONFORMANCE_VERSION,
  defaultToolsDirectory,
  findTools,
  installTools,
  listAuthScenarios,
  runScenario,
} from "./run-auth.mjs";

const toolsDirectory = defaultToolsDirectory();
if (findTools(toolsDirectory) === undefined && process.env.MCP_CLI_CONFORMANCE_INSTALL === "1") {
  installTools(toolsDirectory);
}
const tools = findTools(toolsDirectory);
if (tools === undefined) {
  console.warn(
    `skipping the conformance suite's auth scenarios: it needs Node 22; set MCP_CLI_NODE22 to its binary ` +
      `(.ci/run does), or install it into ${toolsDirectory} (node test/conformance/run-auth.mjs --install, or MCP_CLI_CONFORMANCE_INSTALL=1)`,
  );
}

describe.skipIf(tools === undefined)(`conformance ${CONFORMANCE_VERSION}: auth scenarios`, () => {
  it("passes every auth/* client scenario", { timeout: 15 * 60_000 }, async () => {
    if (tools === undefined) return;
    const scenarios = await listAuthScenarios(tools);
    expect(scenarios.length).toBeGreaterThanOrEqual(22);
    const failed: string[] = [];
    for (const scenario of scenarios) {
      const result = await runScenario(tools, scenario);
      if (!result.passed) failed.push(`${scenario}\n${result.output.split("\n").slice(-30).join("\n")}`);
    }
    expect(failed).toEqual([]);
  });
});
