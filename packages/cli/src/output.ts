/**
 * Everything the CLI writes goes through {@link Output}, so the output rules of docs/conventions.md
 * section 1 hold in one place:
 * - stdout carries data only; progress, warnings and server stderr go to stderr;
 * - `--json` prints exactly one JSON document on stdout;
 * - colour only on a TTY, never with `NO_COLOR` set or `--no-color`;
 * - progress (a spinner) only when stderr is a TTY;
 * - nothing reaches the terminal raw: every human-mode write escapes control characters (C0 but
 *   newline and tab, DEL, C1 such as U+009B, bidi and line-separator controls) as `\u001b`, so no
 *   text a server, a guest or a file supplies can move the cursor, recolour, retitle or reorder
 *   what the user sees. `--json` escapes the same characters inside its strings.
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

/**
 * Our own styles are written as marks (Unicode noncharacters U+FDD0..U+FDD7, which no text we
 * print needs) and turned into ANSI by the sink, after everything else was escaped: so the
 * sink can escape every control character without breaking our colours.
 */
const STYLE_MARKS: Readonly<Record<string, string>> = {
  "\ufdd0": "\u001b[1m",
  "\ufdd1": "\u001b[22m",
  "\ufdd2": "\u001b[2m",
  "\ufdd3": "\u001b[31m",
  "\ufdd4": "\u001b[32m",
  "\ufdd5": "\u001b[33m",
  "\ufdd6": "\u001b[36m",
  "\ufdd7": "\u001b[39m",
};

function styled(open: string, close: string): (text: string) => string {
  return (text) => (text === "" ? text : `${open}${text}${close}`);
}

const ANSI: Styles = {
  bold: styled("\ufdd0", "\ufdd1"),
  dim: styled("\ufdd2", "\ufdd1"),
  red: styled("\ufdd3", "\ufdd7"),
  green: styled("\ufdd4", "\ufdd7"),
  yellow: styled("\ufdd5", "\ufdd7"),
  cyan: styled("\ufdd6", "\ufdd7"),
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

/**
 * What never reaches a terminal raw: C0 controls but tab and newline (a carriage return only as
 * part of CRLF), DEL, C1 controls (U+009B is a one-character CSI), the bidi embeddings, overrides
 * and isolates (U+202A-202E, U+2066-2069) and marks (U+200E, U+200F, U+061C), the line and
 * paragraph separators (U+2028, U+2029), and our own style marks.
 */
const UNSAFE_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufdd0-\ufdd7]/g;

function escapeUnsafe(character: string): string {
  if (character === "\r\n") return "\n";
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * `\u001b[32m` instead of a colour change: text from servers or guests must not drive the
 * terminal. Tab and newline pass (CRLF becomes a newline); every other control character, the
 * bidi controls and the line separators are shown escaped.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, escapeUnsafe);
}

/** Text for a terminal: unsafe characters escaped, our style marks turned into ANSI (or dropped). */
function terminalText(text: string, color: boolean): string {
  return text.replace(UNSAFE_CHARACTERS, (character) => {
    const style = STYLE_MARKS[character];
    if (style !== undefined) return color ? style : "";
    return escapeUnsafe(character);
  });
}

/** Characters JSON.stringify leaves raw inside strings that a terminal would still act on. */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufdd0-\ufdd7]/g;

/** JSON text with those characters as `\uXXXX` escapes (they only occur inside strings). */
export function safeJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(
    JSON_UNSAFE,
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
  readonly #stdoutColor: boolean;
  readonly #stderrColor: boolean;
  #documentWritten = false;
  #activeProgress: { clear(): void } | undefined;

  constructor(options: OutputOptions) {
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
    this.json = options.json;
    this.quiet = options.quiet;
    this.verbose = options.verbose;
    this.#stdoutColor = colorAllowed(options.stdout, options.colorFlag, options.env);
    this.#stderrColor = colorAllowed(options.stderr, options.colorFlag, options.env);
    this.style = this.#stdoutColor ? ANSI : PLAIN;
    this.errorStyle = this.#stderrColor ? ANSI : PLAIN;
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
    this.#out(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** The JSON document (`--json`). Writing a second one is a bug and throws. */
  document(value: unknown): void {
    if (this.#documentWritten) throw new Error("a JSON document was already written to stdout");
    this.#documentWritten = true;
    this.#clearProgress();
    this.#stdout.write(`${safeJson(value)}\n`);
  }

  /** Text on stdout whatever the mode; only for `--help` and `--version` without `--json`. */
  raw(text: string): void {
    this.#out(text);
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
    this.#err(text.endsWith("\n") ? text : `${text}\n`);
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
    // The spinner's own control sequences go to the stream as they are; the label is escaped.
    const render = (): void => {
      this.#stderr.write(
        `\r\u001b[2K${terminalText(`${this.errorStyle.cyan(FRAMES[frame % FRAMES.length] ?? "")} ${current}`, this.#stderrColor)}`,
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
        if (message !== undefined) this.#err(`${this.errorStyle.green("✓")} ${message}\n`);
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
    this.#err(`${message}\n`);
  }

  /** The human-mode sinks: everything written to the terminal passes here, escaped. */
  #out(text: string): void {
    this.#stdout.write(terminalText(text, this.#stdoutColor));
  }

  #err(text: string): void {
    this.#stderr.write(terminalText(text, this.#stderrColor));
  }
}
