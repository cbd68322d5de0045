/**
 * Which command lines the fast client (fast-client.ts) may hand to a daemon, decided from the
 * words alone, with no imports: `execute` and `call` of configured servers, with flags that keep
 * them on the daemon path of commands/execute.ts and commands/call.ts. Anything else (another
 * command, `--no-daemon`, `--check`, `--session`, `--skill`, a URL, `--`, standard input, a flag
 * not listed here, a short-flag cluster) is not recognised, and bin.ts runs the full CLI as before.
 *
 * The daemon applies the same test before it runs a command line (remote.ts): a command that
 * passed it either reaches the daemon's decision point in daemon/use.ts, or fails before it (and
 * the client then runs it itself); it never runs in the daemon's own process by another path.
 */

/** Flags without a value, allowed anywhere (commander accepts the program's flags after a command). */
const GLOBAL_FLAGS = new Set(["--json", "--no-color", "-q", "--quiet", "-v", "--verbose", "--trust-project"]);
const GLOBAL_VALUES = new Set(["--config", "--protocol", "--skills-dir"]);

const COMMANDS = {
  execute: {
    flags: new Set(["--all-servers"]),
    values: new Set([
      "-e",
      "--eval",
      "--server",
      "--profile",
      "--timeout",
      "--memory",
      "--max-output",
      "--max-calls",
    ]),
  },
  call: { flags: new Set<string>(), values: new Set(["--args"]) },
} as const;

export interface DaemonCommandLine {
  readonly command: "execute" | "call";
  /** `--config` as typed (the daemon's locator includes it). */
  readonly config?: string | undefined;
  /** `execute`'s file operand, when there is one. */
  readonly file?: string | undefined;
}

/** A URL target runs in-process (commands/call.ts and execute.ts); the same test as core's isUrlTarget. */
function looksLikeUrl(word: string): boolean {
  return /^https?:\/\//i.test(word);
}

/** The command line, when a daemon may answer it; undefined for anything else. */
export function daemonCommandLine(argv: readonly string[]): DaemonCommandLine | undefined {
  let command: "execute" | "call" | undefined;
  let config: string | undefined;
  const operands: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === "--") return undefined;
    if (word.startsWith("-") && word !== "-") {
      const equals = word.startsWith("--") ? word.indexOf("=") : -1;
      const name = equals === -1 ? word : word.slice(0, equals);
      const own = command === undefined ? undefined : COMMANDS[command];
      if (GLOBAL_FLAGS.has(name) || own?.flags.has(name) === true) {
        if (equals !== -1) return undefined;
        continue;
      }
      if (!GLOBAL_VALUES.has(name) && own?.values.has(name) !== true) return undefined;
      const value = equals === -1 ? argv[++index] : word.slice(equals + 1);
      if (value === undefined) return undefined;
      if (name === "--config") config = value;
      if (name === "--server" && looksLikeUrl(value)) return undefined;
      continue;
    }
    if (command === undefined) {
      if (word !== "execute" && word !== "call") return undefined;
      command = word;
    } else operands.push(word);
  }
  if (command === "execute") {
    if (operands.length > 1 || operands[0] === "-") return undefined;
    return { command, config, file: operands[0] };
  }
  if (command === "call") {
    if (operands.length < 2 || looksLikeUrl(operands[0] as string)) return undefined;
    return { command, config };
  }
  return undefined;
}
