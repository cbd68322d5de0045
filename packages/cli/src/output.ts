/**
 * Everything the CLI writes goes through {@link Output}, so the output rules of docs/conventions.md
 * section 1 hold in one place:
 * - stdout carries data only; progress, warnings and server stderr go to stderr;
 * - `--json` prints exactly one JSON document on stdout;
 * - colour only on a TTY, never with `NO_COLOR` set or `--no-color`;
 * - progress (a spinner) only when stderr is a TTY.
 */
import type { Diagnostic } from "@mcp-execution/core";

/** The parts of a stream the CLI needs; `isTTY` is read once. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface OutputOptions {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly json: boolean;
  /** False with `--no-color`. */
  readonly colorFlag: boolean;
  /** The environment, for `NO_COLOR` and `TERM=dumb`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/** ANSI styles; every one is the identity when colour is off for that stream. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const PLAIN: Styles = {
  bold: (text) => text,
  dim: (text) => text,
  red: (text) => text,
  green: (text) => text,
  yellow: (text) => text,
  cyan: (text) => text,
};

function sgr(open: number, close: number): (text: string) => string {
  return (text) => (text === "" ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const ANSI: Styles = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};

/** True when colour may be used on a stream: a TTY, no `NO_COLOR`, no `--no-color`, not `TERM=dumb`. */
export function colorAllowed(
  sink: TextSink,
  colorFlag: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return colorFlag && sink.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
}

/** A long step shown on stderr while it runs. `done`/`fail` are idempotent. */
export interface Progress {
  update(label: string): void;
  done(message?: string): void;
  fail(): void;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** `\u001b[32m` instead of a colour change: text from servers or guests must not drive the terminal. Tab, newline and carriage return pass. */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

const NO_PROGRESS: Progress = { update() {}, done() {}, fail() {} };

export class Output {
  /** Styles for stdout text. */
  readonly style: Styles;
  /** Styles for stderr text. */
  readonly errorStyle: Styles;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly #stdout: TextSink;
  readonly #stderr: TextSink;
  readonly #stderrInteractive: boolean;
  #documentWritten = false;
  #activeProgress: { clear(): void } | undefined;

  constructor(options: OutputOptions) {
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
    this.json = options.json;
    this.quiet = options.quiet;
    this.verbose = options.verbose;
    this.style = colorAllowed(options.stdout, options.colorFlag, options.env) ? ANSI : PLAIN;
    this.errorStyle = colorAllowed(options.stderr, options.colorFlag, options.env) ? ANSI : PLAIN;
    this.#stderrInteractive = options.stderr.isTTY === true && options.env.TERM !== "dumb";
  }

  /** True once the one JSON document has been written. */
  get documentWritten(): boolean {
    return this.#documentWritten;
  }

  /**
   * Human data on stdout. Ignored with `--json`, where the document is the only output, so a
   * command can print both forms without branching on every line.
   */
  data(text: string): void {
    if (this.json) return;
    this.#clearProgress();
    this.#stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** The JSON document (`--json`). Writing a second one is a bug and throws. */
  document(value: unknown): void {
    if (this.#documentWritten) throw new Error("a JSON document was already written to stdout");
    this.#documentWritten = true;
    this.#clearProgress();
    this.#stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Text on stdout whatever the mode; only for `--help` and `--version` without `--json`. */
  raw(text: string): void {
    this.#stdout.write(text);
  }

  /** A status line on stderr; hidden by `--quiet`. */
  info(message: string): void {
    if (this.quiet) return;
    this.#line(message);
  }

  /** A warning on stderr; shown even with `--quiet`, because it may explain a later failure. */
  warn(message: string): void {
    this.#line(`${this.errorStyle.yellow("warning:")} ${message}`);
  }

  /** Detail on stderr with `--verbose` only. */
  debug(message: string): void {
    if (!this.verbose) return;
    this.#line(this.errorStyle.dim(message));
  }

  /** An error message on stderr (the top-level handler's); it may quote a server, so it is escaped. */
  error(message: string): void {
    this.#line(`${this.errorStyle.red("error:")} ${escapeControlCharacters(message)}`);
  }

  /** Unformatted text on stderr. */
  stderr(text: string): void {
    this.#clearProgress();
    this.#stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /**
   * Routes an engine's diagnostics: warnings always, info unless quiet, debug with -v. Messages can
   * quote what a server wrote, so control characters are shown escaped, never sent to the terminal.
   */
  readonly diagnostic = (diagnostic: Diagnostic): void => {
    const message = escapeControlCharacters(diagnostic.message);
    const text = diagnostic.source === undefined ? message : `[${diagnostic.source}] ${message}`;
    if (diagnostic.level === "warn") this.warn(text);
    else if (diagnostic.level === "info") this.info(text);
    else this.debug(text);
  };

  /**
   * Shows `label` with a spinner on stderr while a long step runs, when stderr is a TTY and not
   * quiet. Elsewhere it prints nothing (with `--verbose`, the label as a debug line).
   */
  progress(label: string): Progress {
    if (this.quiet || !this.#stderrInteractive) {
      this.debug(`${label}…`);
      return NO_PROGRESS;
    }
    this.#clearProgress();
    let current = label;
    let frame = 0;
    let finished = false;
    const render = (): void => {
      this.#stderr.write(
        `\r\u001b[2K${this.errorStyle.cyan(FRAMES[frame % FRAMES.length] ?? "")} ${current}`,
      );
      frame++;
    };
    const clear = (): void => {
      this.#stderr.write("\r\u001b[2K");
    };
    render();
    const timer = setInterval(render, 80);
    timer.unref();
    const active = {
      clear: () => {
        clearInterval(timer);
        clear();
        finished = true;
        this.#activeProgress = undefined;
      },
    };
    this.#activeProgress = active;
    return {
      update: (next) => {
        if (finished) return;
        current = next;
      },
      done: (message) => {
        if (finished) return;
        active.clear();
        if (message !== undefined) this.#stderr.write(`${this.errorStyle.green("✓")} ${message}\n`);
      },
      fail: () => {
        if (finished) return;
        active.clear();
      },
    };
  }

  #clearProgress(): void {
    this.#activeProgress?.clear();
  }

  #line(message: string): void {
    this.#clearProgress();
    this.#stderr.write(`${message}\n`);
  }
}
