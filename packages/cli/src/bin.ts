#!/usr/bin/env node
/**
 * The mcp-cli executable: wires the real process into `main`. SIGINT aborts the running command
 * (its servers are closed and the exit code is 130); a second SIGINT exits at once.
 *
 * `mcp-cli --version` alone is answered before anything else is imported: it is the start-up
 * path scripts call most, and the one with a target of 2x bare `node`.
 */
import { readFileSync } from "node:fs";
import nodeModule from "node:module";
import { homedir } from "node:os";

// Node 22.1+ keeps V8's compiled code of the modules loaded below on disk (in the temp folder), so
// later starts skip most compilation; Node 20 has no such cache and skips this.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

function packageVersion(): string {
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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** One line from standard input, for a pasted URL; stops listening when `signal` aborts. */
async function readLine(signal: AbortSignal): Promise<string> {
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    return await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      lines.once("close", () => reject(new Error("standard input ended before a line was read")));
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  } finally {
    lines.close();
    process.stdin.pause();
  }
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  // `mcp-cli server list | head -1`: a closed pipe is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });

  // execute: its sandbox worker boots now, while the rest loads (execution-prestart.ts).
  const sandbox = argv.includes("execute")
    ? (await import("./execution-prestart.js")).prestartSandbox(argv, process.env, homedir())
    : undefined;
  const [{ main }, { McpCliError }] = await Promise.all([import("./main.js"), import("@mcp-execution/core")]);
  const interrupt = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    interrupt.abort(new McpCliError("CANCELLED", "interrupted (SIGINT)", { details: { signal: "SIGINT" } }));
  });

  const exitCode = await main(argv, {
    cwd: process.cwd(),
    home: homedir(),
    env: process.env,
    platform: process.platform,
    readStdin,
    readLine,
    version: packageVersion(),
    ...(process.stdin.isTTY === true && process.stderr.isTTY === true
      ? {
          ask: async (question: string) =>
            (await import("./prompt.js")).askLine(process.stdin, process.stderr, question),
        }
      : {}),
    stdout: process.stdout,
    stderr: process.stderr,
    signal: interrupt.signal,
    ...(sandbox === undefined ? {} : { sandbox }),
  });
  process.exitCode = exitCode;
  // stdout first: exiting while a pipe still has queued writes would cut the document short.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Everything the command opened was closed before main returned; if something still holds the
  // event loop open (a server that ignores its close), do not hang the user's shell.
  setTimeout(() => process.exit(exitCode), 1_000).unref();
}
