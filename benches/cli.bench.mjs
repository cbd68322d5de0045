// Whole-process start-up and command costs of the built CLI, beside `node -e 0` measured in the
// same run. Every case spawns a fresh `node packages/cli/dist/bin.js ...` and waits for it to exit.
// Targets (issue 7): `--version` within 2x of bare node, `execute -e 'return 1'` within 3x.
// The cases are interleaved (one run of each per round, in turn), so load from other processes on
// a shared machine falls on the baseline and the cases alike and the ratios stay meaningful.
// Run after building: `npx tsc -b packages/cli && node benches/run.mjs cli`.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { printTable, summarize } from "./lib/measure.mjs";

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

/** Runs every case once per round, in turn; returns measure()-shaped results in the given order. */
async function interleaved(cases, { rounds, warmup }) {
  const samples = cases.map(() => []);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [index, [, fn]] of cases.entries()) {
      const start = performance.now();
      await fn();
      if (round >= warmup) samples[index].push(performance.now() - start);
    }
  }
  return cases.map(([name], index) => summarize(name, samples[index]));
}

async function cli(...args) {
  await run(process.execPath, [bin, ...args], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
}

try {
  // The bench's .mcp.json is a project file that starts a server: approve it, as a user would.
  await cli("server", "trust", "-q");
  // One saved skill, so `skill list` reads a real metadata.json.
  await cli("generate", "everything", "-o", join(work, "setup-tree"), "--save-skill", "-q");

  const cases = [
    ["node -e 0", () => run(process.execPath, ["-e", "0"])],
    ["mcp-cli --version", () => cli("--version")],
    ["mcp-cli --help", () => cli("--help")],
    ["mcp-cli skill list (1 skill)", () => cli("skill", "list")],
    ["mcp-cli completions bash", () => cli("completions", "bash")],
    ["mcp-cli execute -e 'return 1'", () => cli("execute", "-e", "return 1")],
  ];
  const results = await interleaved(cases, { rounds: 20, warmup: 2 });
  // generate spawns server-everything each time (about a second): fewer runs, measured on its own.
  const [generate] = await interleaved(
    [
      [
        "mcp-cli generate everything (spawns the server)",
        () => cli("generate", "everything", "-o", join(work, "tree"), "-q"),
      ],
    ],
    { rounds: 5, warmup: 1 },
  );
  results.push(generate);
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
