/**
 * The sandbox of a cold `execute`, started before the rest of the CLI loads. `bin.ts` calls
 * {@link prestartSandbox} as soon as it knows no daemon takes the command (and `run-main.ts` again,
 * which then changes nothing); the worker thread then boots (its module, QuickJS, the run's
 * context) on the second core while this thread loads commander, parses the flags and reads the
 * configuration, which it otherwise did first. Measured in benches/cli.bench.mjs.
 *
 * The worker is an ordinary `QuickJsExecutor` worker: sealed, with the same thread limits, and
 * idle (no guest code) until `execute` hands it a run, whose own limits the worker applies then
 * (a different `--memory` replaces its interpreter). `main` closes it after every command, so an
 * early sandbox that the command did not use (`--help`, a usage error, a run the daemon took, a
 * component) is terminated like any other.
 */
// Imported statically, so that one import() (one require of prestart.cjs in the installed bundle)
// loads the whole chain at once (this module and its chain load nothing heavy: no QuickJS, no executor).
import {
  cancelPrestartedSandboxWorker,
  compileQuickJsForShortRuns,
  prestartSandboxWorker,
} from "@mcp-execution/wasm-runtime/prestart";
import { daemonSocketsExist } from "./daemon/paths.js";

/** Global options that take a value, so the scan below can skip the value. */
const GLOBAL_VALUE_OPTIONS = new Set(["--config", "--skills-dir", "--protocol"]);

/** The command word of `argv` (the first word that is neither an option nor a global option's value). */
function commandWord(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? "";
    if (word === "--") return undefined;
    if (!word.startsWith("-")) return word;
    if (GLOBAL_VALUE_OPTIONS.has(word)) index++;
  }
  return undefined;
}

/**
 * Whether a daemon may answer this run: then it runs on the daemon's warm worker and an early one
 * here would only take CPU from it. The exact rule is in commands/execute.ts; this is its cheap
 * upper bound (any daemon socket, and none of the flags that keep a run in-process).
 */
function daemonMayTake(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): boolean {
  if (env.MCP_CLI_NO_DAEMON === "1") return false;
  if (argv.some((word) => ["--no-daemon", "--session", "--skill", "--check", "--"].includes(word))) {
    return false;
  }
  return daemonSocketsExist(env, home);
}

/** Whether `argv` is an `execute` that will run a script in this process's QuickJS sandbox. */
export function wantsEarlySandbox(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): boolean {
  if (commandWord(argv) !== "execute") return false;
  if (argv.includes("-h") || argv.includes("--help")) return false;
  // A component runs in its own runtime, not in this sandbox.
  if (argv.some((word) => word.toLowerCase().endsWith(".wasm"))) return false;
  return !daemonMayTake(argv, env, home);
}

/**
 * Whether the run will import generated TypeScript (a server's or a skill's API) and wait for
 * servers first: then its worker loads sucrase while idle, for free. A run without servers is
 * often plain code (`-e 'return 1'` needs no transpiling) and waits for the worker, so there the
 * load is left to the run that needs it (wasm-runtime's prestart.ts, `preloadTranspiler`).
 */
export function importsGeneratedCode(argv: readonly string[]): boolean {
  return argv.some(
    (word) =>
      word === "--" ||
      word === "--all-servers" ||
      ["--server", "--skill"].some((flag) => word === flag || word.startsWith(`${flag}=`)),
  );
}

/** The sandbox worker started before the command was parsed (wasm-runtime's prestart.ts). */
export class EarlySandbox {
  #closed = false;

  constructor(argv: readonly string[]) {
    // The run's executor adopts the worker; a start-up failure reaches the run through it.
    prestartSandboxWorker({ preloadTranspiler: importsGeneratedCode(argv) });
  }

  /** Terminates the worker if no run adopted it (a run's executor closes its own). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await cancelPrestartedSandboxWorker();
  }
}

/**
 * For an `execute`: makes this process compile QuickJS for one short run (wasm-runtime's
 * wasm-tiering.ts: a trivial run otherwise waits for V8's optimizing compile of QuickJS's
 * interpreter loop before it can exit), and starts the sandbox now when the run will be in this
 * process (see {@link wantsEarlySandbox}). Only for the one-shot CLI: the daemon and `serve` run
 * many executions on long-lived workers and keep V8's defaults.
 */
export function prestartSandbox(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): EarlySandbox | undefined {
  if (commandWord(argv) !== "execute") return undefined;
  compileQuickJsForShortRuns();
  return wantsEarlySandbox(argv, env, home) ? new EarlySandbox(argv) : undefined;
}
