#!/usr/bin/env node
// The conformance client: mcp-execution's MCP client (packages/mcp-client, built) driven the way
// the official suite (@modelcontextprotocol/conformance) expects. The suite appends the server URL
// to the command and names the scenario in MCP_CONFORMANCE_SCENARIO. Run by benches/conformance.mjs.
import { connectServer } from "../../packages/mcp-client/dist/index.js";

const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";

const config = {
  name: "conformance",
  source: "conformance suite",
  transport: "streamable-http",
  url,
  headers: {},
  disabled: false,
  cache: [],
};

const connection = await connectServer(config, {
  startupTimeoutMs: 20_000,
  requestTimeoutMs: 20_000,
  // Accept every request for input with nothing typed in: the client fills in the defaults.
  elicitation: async () => ({ action: "accept", content: {} }),
  diagnostics: (diagnostic) => process.stderr.write(`[${diagnostic.level}] ${diagnostic.message}\n`),
});
try {
  const tools = [];
  for (let cursor; ; ) {
    const page = await connection.listTools(cursor);
    tools.push(...page.items);
    if (page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  if (scenario === "tools_call") {
    const result = await connection.callTool("add_numbers", { a: 5, b: 3 });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (scenario !== "initialize") {
    // Every other scenario offers one tool that exercises the client: call each one.
    for (const tool of tools) {
      const result = await connection.callTool(tool.name, {});
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  }
} finally {
  await connection.close();
}
