/**
 * The sandbox of a cold `execute`, started before the rest of the CLI loads. `bin.ts` calls
 * {@link prestartSandbox} first thing; the worker thread then boots (its module, QuickJS, sucrase)
 * on the second core while this thread loads commander, parses the flags and reads the
 * configuration, which it otherwise did first. Measured in benches/cli.bench.mjs.
 *
 * The worker is an ordinary `QuickJsExecutor` worker: sealed, with the same thread limits, and
 * idle (no guest code) until `execute` hands it a run, whose own limits the worker applies then
 * (a different `--memory` replaces its interpreter). `main` closes it after every command, so an
 * early sandbox that the command did not use (`--help`, a usage error, a run the daemon took, a
 * component) is terminated like any other.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
// Imported statically, so that bin.ts's one import() loads the whole chain at once and the worker
// starts before main.js loads (this module and its chain load nothing heavy: no QuickJS, no executor).
import { cancelPrestartedSandboxWorker, prestartSandboxWorker } from "@mcp-execution/wasm-runtime/prestart";

/**
 * V8 compiles a hot wasm function again with its optimizing compiler once the function has run
 * about this many bytes of code (`--wasm-tiering-budget`; Node 20's V8 defaults to 1.8 M, Node
 * 22's to 13 M). A trivial run crosses Node 20's default in QuickJS's interpreter loop, whose
 * optimized compile costs 80-140 ms of CPU on a background thread, and the process cannot exit
 * before that compile ends. With 100 M a short run stays on the baseline code; a long one still
 * tiers up (a 2-second CPU-bound guest measured no slower, see docs/cli.md). Process-wide, so the
 * CLI sets it, not the library.
 */
const WASM_TIERING_BUDGET = 100_000_000;

let budgetRaised = false;

/** Raises V8's wasm tier-up budget for this process ({@link WASM_TIERING_BUDGET}); idempotent. */
export function raiseWasmTieringBudget(): void {
  if (budgetRaised) return;
  budgetRaised = true;
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}

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

/** Where a daemon's socket lives (the rule of `daemonDirectory` in daemon/protocol.ts). */
function daemonFolder(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && runtime !== "") return join(runtime, "mcp-cli");
  const state = env.XDG_STATE_HOME;
  return join(
    state !== undefined && state !== "" ? state : join(home, ".local", "state"),
    "mcp-cli",
    "daemon",
  );
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
  try {
    return readdirSync(daemonFolder(env, home)).some((name) => name.endsWith(".sock"));
  } catch {
    return false;
  }
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

/** The sandbox worker started before the command was parsed (wasm-runtime's prestart.ts). */
export class EarlySandbox {
  #closed = false;

  constructor() {
    raiseWasmTieringBudget();
    // The run's executor adopts the worker; a start-up failure reaches the run through it.
    prestartSandboxWorker();
  }

  /** Terminates the worker if no run adopted it (a run's executor closes its own). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await cancelPrestartedSandboxWorker();
  }
}

/** Starts the sandbox now when `argv` is an in-process `execute` (see {@link wantsEarlySandbox}). */
export function prestartSandbox(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): EarlySandbox | undefined {
  return wantsEarlySandbox(argv, env, home) ? new EarlySandbox() : undefined;
}
