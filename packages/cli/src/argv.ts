/**
 * Command-line preprocessing done before commander sees the arguments.
 *
 * An ad-hoc stdio server is everything after the first `--` (`mcp-cli introspect -- npx -y
 * server`); commander never sees those words, so a server's own flags (`-y`, `--port`) cannot be
 * mistaken for ours.
 */

export interface SplitArguments {
  /** The words before `--`. */
  readonly ours: string[];
  /** The ad-hoc server command and its arguments, when `--` was given. */
  readonly adHoc: string[] | undefined;
}

export function splitAdHocCommand(argv: readonly string[]): SplitArguments {
  const index = argv.indexOf("--");
  if (index === -1) return { ours: [...argv], adHoc: undefined };
  return { ours: argv.slice(0, index), adHoc: argv.slice(index + 1) };
}

/**
 * Whether `--json` was asked for, decided before parsing so that even a usage error (which stops
 * commander before any action runs) is reported as a JSON document.
 */
export function wantsJson(ours: readonly string[]): boolean {
  return ours.includes("--json");
}

/**
 * A commander error message without the values the user typed for flags: a mistyped flag is often
 * a token pasted in the wrong place (`--token=sk-...` to a command that has no `--token`), and
 * error output ends up in logs. The flag's name stays, so the message still says what is wrong.
 */
export function withoutOptionValues(message: string): string {
  return message
    .replace(/(option '[^']*') argument '[\s\S]*?' is invalid\./, "$1 argument is invalid.")
    .replace(/(option '[^']*') value '[\s\S]*?' from env/, "$1 value from env")
    .replace(/(unknown option '-[^'=]*)=[^']*'/, "$1=…'");
}
