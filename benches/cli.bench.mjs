// Whole-process start-up and command costs of the built CLI, beside `node -e 0` measured in the
// same run. Every case spawns a fresh `node packages/cli/dist/bin.js ...` and waits for it to exit.
// Targets (issue 7): `--version` within 2x of bare node, `execute -e 'return 1'` within 3x.
// Run after building: `npx tsc -b packages/cli && node benches/run.mjs cli`.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { measure, printTable } from "./lib/measure.mjs";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "packages", "cli", "dist", "bin.js");
const everything = join(root, "node_modules", ".bin", "mcp-server-everything");

const work = mkdtempSync(join(tmpdir(), "mcp-cli-bench-"));
const env = {
  PATH: process.env.PATH,
  HOME: work,
  XDG_CONFIG_HOME: join(work, ".config"),
  XDG_STATE_HOME: join(work, ".state"),
};
writeFileSync(
  join(work, ".mcp.json"),
  JSON.stringify({ mcpServers: { everything: { command: everything } } }),
);

async function cli(...args) {
  await run(process.execPath, [bin, ...args], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
}

try {
  // One saved skill, so `skill list` reads a real metadata.json.
  await cli("generate", "everything", "-o", join(work, "setup-tree"), "--save-skill", "-q");

  const fast = { iterations: 20, warmup: 3 };
  const results = [];
  results.push(await measure("node -e 0", () => run(process.execPath, ["-e", "0"]), fast));
  results.push(await measure("mcp-cli --version", () => cli("--version"), fast));
  results.push(await measure("mcp-cli --help", () => cli("--help"), fast));
  results.push(await measure("mcp-cli skill list (1 skill)", () => cli("skill", "list"), fast));
  results.push(await measure("mcp-cli completions bash", () => cli("completions", "bash"), fast));
  results.push(await measure("mcp-cli execute -e 'return 1'", () => cli("execute", "-e", "return 1"), fast));
  results.push(
    await measure(
      "mcp-cli generate everything (spawns the server)",
      () => cli("generate", "everything", "-o", join(work, "tree"), "-q"),
      {
        iterations: 5,
        warmup: 1,
      },
    ),
  );
  printTable("CLI whole-process time (spawn to exit)", results, "node -e 0");

  const base = results[0].median;
  const ratioOf = (name) => results.find((result) => result.name === name).median / base;
  const verdict = (name, target) => {
    const ratio = ratioOf(name);
    return `${name}: ${ratio.toFixed(2)}x of bare node (target ${target}x): ${ratio <= target ? "met" : "NOT met"}`;
  };
  console.log(`\n${verdict("mcp-cli --version", 2)}\n${verdict("mcp-cli execute -e 'return 1'", 3)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
