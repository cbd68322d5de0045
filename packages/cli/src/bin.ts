#!/usr/bin/env node
/**
 * The mcp-cli executable. Three ways through, cheapest first:
 * 1. `mcp-cli --version` alone is answered here, with nothing else loaded: it is the start-up path
 *    scripts call most (target: within 1.3x of a bare `node` start).
 * 2. `execute` and `call` go to the daemon that runs for this folder, if one does, through
 *    daemon/fast-client.ts: only node builtins (net, fs, path, tty) load, not commander, the
 *    configuration or the command modules (the daemon runs the command line with the CLI's own
 *    code and declines what it must not answer). Target: within 2x of a bare `node` start.
 * 3. Everything else runs in this process: run-main.ts wires the process into `main`. An `execute`
 *    starts its sandbox worker before that (see inProcess).
 *
 * The installed package runs this file as CommonJS (`dist/bin.cjs`, built by
 * scripts/pack-cli.mjs with the version inlined and the fast client inside it): Node starts a
 * CommonJS entry faster than an ES module one. Keep it free of top-level await and of anything
 * heavy; a new start-up step of the full CLI belongs in run-main.ts.
 */
import { readFileSync, writeSync } from "node:fs";
import { homedir } from "node:os";

/** The version, inlined by scripts/pack-cli.mjs into the installed bundle; absent in the workspace. */
declare const __MCP_CLI_VERSION__: string | undefined;

function packageVersion(): string {
  if (typeof __MCP_CLI_VERSION__ === "string") return __MCP_CLI_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** How long the output may make no progress (a reader that stopped reading) before the CLI exits anyway. */
const DRAIN_STALL_MS = 10_000;

/**
 * Resolves when everything written to `stream` has been handed to the OS, or when the reader has
 * taken nothing for {@link DRAIN_STALL_MS}: a slow reader gets all of a large document, a reader
 * that never reads cannot hold the CLI forever.
 */
async function drained(stream: NodeJS.WriteStream): Promise<void> {
  let pending = stream.writableLength;
  let stalledSince = performance.now();
  while (pending > 0 && !stream.destroyed) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = stream.writableLength;
    if (now < pending) stalledSince = performance.now();
    else if (performance.now() - stalledSince > DRAIN_STALL_MS) return;
    pending = now;
  }
}

/** `execute` or `call` through the daemon for this folder; undefined when none takes it. */
async function throughDaemon(argv: readonly string[], version: string): Promise<number | undefined> {
  // A cheap look before loading the client: only these two commands ever go to the daemon.
  if (process.env.MCP_CLI_NO_DAEMON === "1" || !(argv.includes("execute") || argv.includes("call")))
    return undefined;
  const { daemonCommandLine } = await import("./daemon/fast-argv.js");
  const line = daemonCommandLine(argv);
  if (line === undefined) return undefined;
  const { runThroughDaemon } = await import("./daemon/fast-client.js");
  return runThroughDaemon(line, {
    argv,
    version,
    cwd: process.cwd(),
    home: homedir(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(listener) {
      process.on("SIGINT", listener);
      return () => process.off("SIGINT", listener);
    },
    report: async (ending) => (await import("./run-main.js")).reportDaemonEnding(argv, ending),
  });
}

/**
 * The command in this process. An `execute` starts its sandbox worker first
 * (execution-prestart.ts), before the ES module bundle with the rest of the CLI loads: the thread's
 * bootstrap is the longest part of a cold `execute`, so every millisecond it starts earlier is one
 * off the run (measured in benches/cli.bench.mjs). Only now, once no daemon took the command: a
 * command the daemon answers must not boot a worker of its own. run-main.ts asks again; the second
 * ask finds the worker started and changes nothing.
 */
async function inProcess(argv: readonly string[], version: string): Promise<number> {
  if (argv.includes("execute")) {
    (await import("./execution-prestart.js")).prestartSandbox(argv, process.env, homedir());
  }
  return (await import("./run-main.js")).runMain(argv, version);
}

async function run(argv: readonly string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    // Straight to the file descriptor: creating process.stdout (a stream over a pipe) costs more
    // than the rest of this start (measured in benches/cli.bench.mjs).
    const line = `${packageVersion()}\n`;
    try {
      writeSync(1, line);
    } catch {
      process.stdout.write(line);
    }
    return;
  }
  // `mcp-cli server list | head -1`: a closed pipe is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  const version = packageVersion();
  const exitCode = (await throughDaemon(argv, version)) ?? (await inProcess(argv, version));
  process.exitCode = exitCode;
  // stdout first: exiting while a pipe still has queued writes would cut the document short.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Everything the command opened was closed before main returned; if something still holds the
  // event loop open (a server that ignores its close), do not hang the user's shell.
  setTimeout(() => process.exit(exitCode), 1_000).unref();
}

void run(process.argv.slice(2));
