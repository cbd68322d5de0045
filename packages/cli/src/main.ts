/**
 * The top of the CLI: parse, run one command, map whatever happened to an exit code. This is the
 * only place that decides exit codes (STYLE.md point 5); `bin.ts` only wires the real process in.
 */
import type { ProtocolPreference } from "@mcp-execution/core";
import { McpCliError } from "@mcp-execution/core";
import type { Command } from "commander";
import { splitAdHocCommand, wantsJson } from "./argv.js";
import { CommandContext, type GlobalOptions, type ProcessEnvironment } from "./context.js";
import type { EarlySandbox } from "./execution-prestart.js";
import { fromCommanderError, isCommanderError, reportFailure } from "./failure.js";
import { Output, type TextSink } from "./output.js";
import { buildProgram } from "./program.js";

export interface MainOptions extends ProcessEnvironment {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Aborted on SIGINT: the running command is cancelled, its servers are closed, and main returns 130. */
  readonly signal: AbortSignal;
  /**
   * The sandbox `execute` runs in, started by `bin.ts` before the arguments were parsed
   * (execution-prestart.ts). main closes it after the command, whether the command used it or not.
   */
  readonly sandbox?: EarlySandbox;
}

/** How long closing servers may take after the command ended before main gives up waiting. */
const CLOSE_GRACE_MS = 3_000;
/**
 * After SIGINT, how long the command may take to end by itself (it has the aborted signal, and can
 * report what it has, such as the guest's logs) before main stops waiting and reports CANCELLED.
 */
const INTERRUPT_GRACE_MS = 1_000;

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(" ");
}

function cancelled(signal: AbortSignal): McpCliError {
  const reason: unknown = signal.reason;
  return reason instanceof McpCliError && reason.code === "CANCELLED"
    ? reason
    : new McpCliError("CANCELLED", "interrupted", { details: { signal: "SIGINT" } });
}

/** Resolves when `signal` aborts; never rejects. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function closeWithin(context: CommandContext, output: Output, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([context.scope.close().then(() => "closed" as const), timeout]);
    if (outcome === "timeout") output.warn(`closing servers took longer than ${ms} ms; exiting anyway`);
  } catch (error) {
    output.warn(`while closing: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Parses `argv` (without node and script), runs the command and returns the exit code. Never
 * throws and never exits the process.
 */
export async function main(argv: readonly string[], options: MainOptions): Promise<number> {
  const { ours, adHoc } = splitAdHocCommand(argv);
  const json = wantsJson(ours);
  // Until the flags are parsed, errors are reported with what a pre-scan can tell.
  let output = new Output({
    stdout: options.stdout,
    stderr: options.stderr,
    json,
    colorFlag: !ours.includes("--no-color"),
    env: options.env,
    quiet: false,
    verbose: false,
  });
  let context: CommandContext | undefined;
  let exitCode = 0;
  let usageHint: string | undefined;
  let helpText = "";

  const program = buildProgram(options.version, async (command, body) => {
    const parsed = command.optsWithGlobals() as Record<string, unknown>;
    const globals: GlobalOptions = {
      ...(typeof parsed.config === "string" ? { config: parsed.config } : {}),
      ...(typeof parsed.skillsDir === "string" ? { skillsDir: parsed.skillsDir } : {}),
      json: parsed.json === true,
      color: parsed.color !== false,
      quiet: parsed.quiet === true,
      verbose: parsed.verbose === true,
      ...(typeof parsed.protocol === "string" ? { protocol: parsed.protocol as ProtocolPreference } : {}),
      ...(parsed.trustProject === true ? { trustProject: true } : {}),
    };
    output = new Output({
      stdout: options.stdout,
      stderr: options.stderr,
      json: globals.json,
      colorFlag: globals.color,
      env: options.env,
      quiet: globals.quiet,
      verbose: globals.verbose,
    });
    context = new CommandContext(globals, output, options, options.signal, adHoc);
    if (options.signal.aborted) throw cancelled(options.signal);
    const interrupted = whenAborted(options.signal)
      .then(() => new Promise((resolve) => setTimeout(resolve, INTERRUPT_GRACE_MS).unref()))
      .then(() => {
        throw cancelled(options.signal);
      });
    const outcome = await Promise.race([body(context), interrupted]);
    exitCode = outcome ?? 0;
  });

  const configure = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => {
        if (json) helpText += text;
        else output.raw(text);
      },
      writeErr: (text) => {
        // Commander writes help here when no subcommand was given; with --json it becomes the usage error.
        if (!json) options.stderr.write(text);
      },
      // Errors are reported once, by reportFailure.
      outputError: () => {},
      getOutHasColors: () => output.style.bold("x") !== "x",
      getErrHasColors: () => output.errorStyle.bold("x") !== "x",
    });
    // Remember the deepest command reached, so a usage error can point at its --help.
    command.hook("preSubcommand", (_this, subcommand) => {
      usageHint = `(see: ${commandPath(subcommand)} --help)`;
    });
    for (const child of command.commands) configure(child);
  };
  configure(program);

  try {
    await program.parseAsync([...ours], { from: "user" });
  } catch (error) {
    if (isCommanderError(error)) {
      if (error.exitCode === 0) {
        // --help or --version.
        if (json) {
          const text = helpText.trimEnd();
          output.document(
            error.code === "commander.version" ? { ok: true, version: text } : { ok: true, help: text },
          );
        }
        return 0;
      }
      const failure =
        error.code === "commander.help"
          ? new McpCliError("USAGE", "no command given", {
              details: { reason: error.code },
            })
          : fromCommanderError(error, "mcp-cli");
      return reportFailure(output, failure, usageHint ?? "(see: mcp-cli --help)");
    }
    exitCode = reportFailure(output, options.signal.aborted ? cancelled(options.signal) : error, usageHint);
  } finally {
    await Promise.all([
      context === undefined ? undefined : closeWithin(context, output, CLOSE_GRACE_MS),
      options.sandbox?.close(),
    ]);
  }
  return exitCode;
}
