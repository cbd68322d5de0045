/**
 * Runs the CLI in the test's own process through `main()`, with captured stdout and stderr and
 * the same isolated HOME and environment a spawned CLI gets (see helpers.ts). Most command tests
 * use this: no Node start-up per case, and `src/` is what runs. Exit codes as the process would
 * report them, signals and start-up belong to the spawned `*.e2e.test.ts` files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/main.js";
import { type CliResult, REPO_ROOT, type RunOptions, type Sandbox } from "./helpers.js";

const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, "packages", "cli", "package.json"), "utf8")) as { version: string }
).version;

export interface InProcessOptions extends Pick<RunOptions, "env" | "input"> {
  readonly cwd?: string;
  /** Aborting it is what SIGINT does to the real process. */
  readonly signal?: AbortSignal;
}

/** A CLI run in progress: `interrupt()` is SIGINT (main's signal aborts). */
export interface StartedMain {
  readonly result: Promise<CliResult>;
  interrupt(): void;
  /** Resolves when stdout or stderr has contained `text`. */
  waitForOutput(text: string): Promise<void>;
}

/** `mcp-cli <args>` in-process, returned while it runs. */
export function startMain(
  sandbox: Sandbox,
  args: readonly string[],
  options: InProcessOptions = {},
): StartedMain {
  const env: Record<string, string | undefined> = sandbox.env();
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const interrupt = new AbortController();
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      if (stderr.includes(waiter.text) || stdout.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const sink = (append: (text: string) => void) => ({
    write: (text: string) => {
      append(text);
      check();
      return true;
    },
  });
  options.signal?.addEventListener("abort", () => interrupt.abort(options.signal?.reason), { once: true });
  const result = main(args, {
    cwd: options.cwd ?? sandbox.cwd,
    home: sandbox.home,
    env,
    platform: process.platform,
    readStdin: async () => options.input ?? "",
    version: VERSION,
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    signal: interrupt.signal,
  }).then((code) => ({ code, signal: null, stdout, stderr }));
  return {
    result,
    interrupt: () => interrupt.abort(),
    waitForOutput(text) {
      return new Promise((resolve) => {
        waiters.push({ text, resolve });
        check();
      });
    },
  };
}

/** `mcp-cli <args>` in-process; resolves with the exit code main returned and what it wrote. */
export function runMain(
  sandbox: Sandbox,
  args: readonly string[],
  options: InProcessOptions = {},
): Promise<CliResult> {
  return startMain(sandbox, args, options).result;
}
