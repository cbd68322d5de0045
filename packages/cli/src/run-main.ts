/**
 * The full CLI in this process: wires the real process into `main`. SIGINT aborts the running
 * command (its servers are closed and the exit code is 130); a second SIGINT exits at once.
 * bin.ts loads this module for every command that neither `--version` nor the daemon answered.
 */
import nodeModule from "node:module";
import { homedir } from "node:os";

// Node 22.1+ keeps V8's compiled code of the modules loaded below on disk (in the temp folder), so
// later starts skip most compilation; Node 20 has no such cache and skips this.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

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

/** Runs the command line with `main` and resolves with its exit code. */
export async function runMain(argv: readonly string[], version: string): Promise<number> {
  // execute: its sandbox worker boots now, while the rest loads (execution-prestart.ts), unless bin.ts
  // started it already; this is the object main closes, which ends the worker if no run adopted it.
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

  return main(argv, {
    cwd: process.cwd(),
    home: homedir(),
    env: process.env,
    platform: process.platform,
    readStdin,
    readLine,
    version,
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
}

/**
 * Reports the end of a command the daemon took but could not finish (daemon/fast-client.ts), in
 * the form main reports the same error: the daemon's connection lost (`CONNECTION_CLOSED`, as
 * the in-process daemon client reports it), or a Ctrl-C (`CANCELLED`, 130).
 */
export async function reportDaemonEnding(
  argv: readonly string[],
  ending: "lost" | "interrupted",
): Promise<number> {
  const [{ McpCliError }, { splitAdHocCommand, wantsJson }, { Output }, { reportFailure }] =
    await Promise.all([
      import("@mcp-execution/core"),
      import("./argv.js"),
      import("./output.js"),
      import("./failure.js"),
    ]);
  const { ours } = splitAdHocCommand(argv);
  const output = new Output({
    stdout: process.stdout,
    stderr: process.stderr,
    json: wantsJson(ours),
    colorFlag: !ours.includes("--no-color"),
    env: process.env,
    quiet: ours.includes("-q") || ours.includes("--quiet"),
    verbose: ours.includes("-v") || ours.includes("--verbose"),
  });
  return reportFailure(
    output,
    ending === "lost"
      ? new McpCliError("CONNECTION_CLOSED", "the mcp-cli daemon closed the connection", { details: {} })
      : new McpCliError("CANCELLED", "interrupted (SIGINT)", { details: { signal: "SIGINT" } }),
  );
}
