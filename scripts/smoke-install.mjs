#!/usr/bin/env node
/**
 * Installs the packed CLI the way a user would and runs it from a folder outside the repository:
 *
 *   node scripts/smoke-install.mjs [--tarball F] [--prefix DIR] [--node NODE]...
 *
 * `npm i -g --prefix DIR <tarball>` into a fresh prefix (default `.pack/prefix`), then, for each
 * `--node` binary (default: this Node), from a new temporary folder with an empty HOME:
 * `mcp-cli --version`, `mcp-cli execute -e`, `mcp-cli call` and `mcp-cli generate` against server-everything (started from this
 * repository's devDependency as an ad-hoc stdio server), and `mcp-cli completions bash` (checked with
 * `bash -n`), `mcp-cli daemon start` with `execute` and `call` answered through it, and `mcp-cli serve` answering an MCP initialize over stdio. Prints one line per check; exits 1 on the first failure with what it printed.
 * The installed command is run through its `bin` symlink when the Node is this one, so the
 * executable bit and the shebang are part of the test; other Nodes run the same file explicitly.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    tarball: { type: "string" },
    prefix: { type: "string", default: join(root, ".pack", "prefix") },
    node: { type: "string", multiple: true, default: [process.execPath] },
  },
});

function newestTarball() {
  const directory = join(root, ".pack");
  const found = existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith(".tgz")) : [];
  if (found.length === 0) throw new Error("no tarball in .pack/: run `pnpm pack:cli` first");
  return join(directory, found.sort().at(-1));
}

const tarball = resolve(values.tarball ?? newestTarball());
const prefix = resolve(values.prefix);
rmSync(prefix, { recursive: true, force: true });
execFileSync("npm", ["i", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", tarball], {
  stdio: ["ignore", "ignore", "inherit"],
});
const link = join(prefix, "bin", "mcp-cli");
const installed = resolve(dirname(link), readlinkSync(link));
console.log(`installed ${tarball} into ${prefix}`);

const everything = join(
  root,
  "node_modules",
  "@modelcontextprotocol",
  "server-everything",
  "dist",
  "index.js",
);
let failed = false;

for (const node of values.node) {
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const outside = mkdtempSync(join(tmpdir(), "mcp-cli-smoke-"));
  const env = {
    PATH: `${dirname(node)}:${process.env.PATH}`,
    HOME: outside,
    XDG_CONFIG_HOME: join(outside, ".config"),
    XDG_STATE_HOME: join(outside, ".state"),
    XDG_CACHE_HOME: join(outside, ".cache"),
  };
  const command = node === process.execPath ? [link] : [node, installed];
  const checks = [
    ["--version", ["--version"], (out) => /^\d+\.\d+\.\d+/.test(out)],
    ["execute -e", ["execute", "-e", "return 6 * 7"], (out) => out.trim() === "42"],
    // The type checker's worker and the typescript dependency load from the install.
    [
      "execute --check",
      ["execute", "--check", "-e", "const n: number = 6; return n * 7"],
      (out) => out.trim() === "42",
    ],
    [
      "call server-everything",
      ["call", "echo", "message=smoke", "--", process.execPath, everything, "stdio"],
      (out) => out.includes("smoke"),
    ],
    [
      "generate (hashes a fingerprint)",
      ["generate", "-o", "tree", "-q", "--", process.execPath, everything, "stdio"],
      () => existsSync(join(outside, "tree", "SKILL.md")),
    ],
    [
      "execute a WebAssembly component",
      [
        "execute",
        join(root, "examples", "wasm-component", "everything-tools.wasm"),
        "--name",
        "everything",
        "--",
        process.execPath,
        everything,
        "stdio",
      ],
      (out) => out.includes("The sum of 19 and 23 is 42."),
    ],
    [
      "completions bash",
      ["completions", "bash"],
      (out) => spawnSync("bash", ["-n"], { input: out }).status === 0,
    ],
  ];
  for (const [name, args, ok] of checks) {
    const result = spawnSync(command[0], [...command.slice(1), ...args], {
      cwd: outside,
      env,
      encoding: "utf8",
    });
    const passed = result.status === 0 && ok(result.stdout);
    console.log(`${passed ? "ok  " : "FAIL"} ${version} mcp-cli ${name}`);
    if (!passed) {
      failed = true;
      console.log(`exit ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    }
  }
  // The local daemon: started from the install, it answers `execute` and `call` through the
  // installed entry point's fast client (its own counters say it ran them), and stops.
  const daemonEnv = { ...env, XDG_RUNTIME_DIR: join(outside, "run"), MCP_CLI_TRUST_ALL: "1" };
  writeFileSync(
    join(outside, ".mcp.json"),
    JSON.stringify({
      mcpServers: { everything: { command: process.execPath, args: [everything, "stdio"] } },
    }),
  );
  const daemon = (...args) =>
    spawnSync(command[0], [...command.slice(1), ...args], { cwd: outside, env: daemonEnv, encoding: "utf8" });
  const steps = [
    daemon("daemon", "start"),
    daemon("execute", "-e", "return 6 * 7"),
    daemon("call", "everything", "echo", "message=warm"),
    daemon("daemon", "status", "--json"),
    daemon("daemon", "stop"),
  ];
  let counted;
  try {
    counted = JSON.parse(steps[3].stdout).daemon;
  } catch {}
  const warm =
    steps.every((step) => step.status === 0) &&
    steps[1].stdout.trim() === "42" &&
    steps[2].stdout.includes("warm") &&
    counted?.executions === 1 &&
    counted?.calls === 1;
  console.log(`${warm ? "ok  " : "FAIL"} ${version} mcp-cli daemon start, execute and call through it, stop`);
  if (!warm) {
    failed = true;
    for (const step of steps)
      console.log(`exit ${step.status}\nstdout:\n${step.stdout}\nstderr:\n${step.stderr}`);
  }
  // `serve` over stdio answers an MCP initialize request (the SDK v2 server loads from the install).
  const served = await new Promise((resolve) => {
    const child = spawn(command[0], [...command.slice(1), "serve"], {
      cwd: outside,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) child.stdin.end();
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "smoke", version: "1" },
      },
    };
    child.stdin.write(`${JSON.stringify(initialize)}\n`);
  });
  const answered = /"serverInfo":\{"name":"mcp-cli"/.test(served.stdout);
  console.log(`${answered ? "ok  " : "FAIL"} ${version} mcp-cli serve (stdio initialize)`);
  if (!answered) {
    failed = true;
    console.log(`exit ${served.code}\nstdout:\n${served.stdout}\nstderr:\n${served.stderr}`);
  }
  rmSync(outside, { recursive: true, force: true });
}

// A broken install without the bundled sucrase (a copy of the installed package with
// dist/sandbox-sucrase.cjs removed): plain JavaScript still runs, since it never needs sucrase, and
// TypeScript ends that run with INTERNAL, reason transpiler-unavailable, instead of a dead sandbox.
{
  const broken = mkdtempSync(join(tmpdir(), "mcp-cli-smoke-broken-"));
  const copy = join(broken, "cli");
  cpSync(dirname(dirname(installed)), copy, { recursive: true, verbatimSymlinks: true });
  rmSync(join(copy, "dist", "sandbox-sucrase.cjs"));
  const env = { PATH: process.env.PATH, HOME: broken, XDG_STATE_HOME: join(broken, ".state") };
  const run = (...args) =>
    spawnSync(process.execPath, [join(copy, "dist", "bin.cjs"), ...args], {
      cwd: broken,
      env,
      encoding: "utf8",
    });
  const plain = run("execute", "-e", "return 6 * 7");
  const typed = run("execute", "--json", "-e", "const n: number = 6; return n * 7");
  let error;
  try {
    error = JSON.parse(typed.stdout).error;
  } catch {}
  const passed =
    plain.status === 0 &&
    plain.stdout.trim() === "42" &&
    typed.status === 1 &&
    error?.code === "INTERNAL" &&
    error?.details?.reason === "transpiler-unavailable";
  console.log(
    `${passed ? "ok  " : "FAIL"} mcp-cli without its bundled sucrase: JavaScript runs, TypeScript is INTERNAL`,
  );
  if (!passed) {
    failed = true;
    for (const step of [plain, typed])
      console.log(`exit ${step.status}\nstdout:\n${step.stdout}\nstderr:\n${step.stderr}`);
  }
  rmSync(broken, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
