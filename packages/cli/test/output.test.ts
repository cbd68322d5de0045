/**
 * The output rules (docs/conventions.md section 1) in the Output class, with in-memory sinks. The same
 * rules under a real pseudo-terminal are in process.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import { colorAllowed, escapeControlCharacters, Output, type TextSink } from "../src/output.js";

class Sink implements TextSink {
  text = "";
  constructor(readonly isTTY: boolean) {}
  write(text: string): void {
    this.text += text;
  }
}

function output(
  options: {
    json?: boolean;
    tty?: boolean;
    env?: Record<string, string>;
    color?: boolean;
    quiet?: boolean;
    verbose?: boolean;
  } = {},
) {
  const stdout = new Sink(options.tty ?? false);
  const stderr = new Sink(options.tty ?? false);
  const out = new Output({
    stdout,
    stderr,
    json: options.json ?? false,
    colorFlag: options.color ?? true,
    env: options.env ?? {},
    quiet: options.quiet ?? false,
    verbose: options.verbose ?? false,
  });
  return { out, stdout, stderr };
}

const RAW_BUT_ESC =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\r]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_IN_JSON = /[\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u001b]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const OWN_COLOUR = /\u001b\[\d+m/g;

describe("the sinks escape every human-mode write", () => {
  const hostile = "a\u001b]0;title\u0007b\u009b2Jc\u202ed\u2066e\rf\u2028g";
  const escaped = "a\\u001b]0;title\\u0007b\\u009b2Jc\\u202ed\\u2066e\\u000df\\u2028g";

  it("data, info, warn, debug, stderr and raw, with and without colour; our own colours survive", () => {
    for (const tty of [false, true]) {
      const { out, stdout, stderr } = output({ tty, verbose: true });
      out.data(`${out.style.bold("name")} ${hostile}`);
      out.raw(`${hostile}\n`);
      out.info(hostile);
      out.warn(hostile);
      out.debug(hostile);
      out.stderr(hostile);
      out.error(hostile);
      for (const text of [stdout.text, stderr.text]) {
        expect(text).not.toMatch(RAW_BUT_ESC);
      }
      expect(stdout.text).toContain(escaped);
      expect(stderr.text.split(escaped).length).toBe(6);
      // The only escape characters left are our own colour sequences, on a TTY.
      const ownColours = stdout.text.match(OWN_COLOUR) ?? [];
      expect(ownColours.length).toBe(tty ? 2 : 0);
      expect(stdout.text.replace(OWN_COLOUR, "")).not.toContain("\u001b");
    }
  });

  it("style marks become only our own colour codes; escapeControlCharacters escapes them in quoted text", () => {
    const { out, stdout } = output({ tty: true });
    out.data("x\ufdd3\ufdd2\ufdd7y");
    // At worst a colour: never a cursor move, a title, a clear.
    expect(stdout.text).toBe("x\u001b[31m\u001b[2m\u001b[39my\n");
    expect(escapeControlCharacters("x\ufdd3y")).toBe("x\\ufdd3y");
  });

  it("--json escapes C1, bidi and separators inside strings and stays valid JSON", () => {
    const { out, stdout } = output({ json: true });
    out.document({ text: hostile });
    expect(stdout.text).not.toMatch(RAW_IN_JSON);
    expect(JSON.parse(stdout.text)).toEqual({ text: hostile });
  });
});

describe("colorAllowed", () => {
  it("only on a TTY, without NO_COLOR (any value), --no-color or TERM=dumb", () => {
    expect(colorAllowed(new Sink(true), true, {})).toBe(true);
    expect(colorAllowed(new Sink(false), true, {})).toBe(false);
    expect(colorAllowed(new Sink(true), false, {})).toBe(false);
    expect(colorAllowed(new Sink(true), true, { NO_COLOR: "" })).toBe(false);
    expect(colorAllowed(new Sink(true), true, { NO_COLOR: "1" })).toBe(false);
    expect(colorAllowed(new Sink(true), true, { TERM: "dumb" })).toBe(false);
  });
});

describe("escapeControlCharacters", () => {
  it("escapes what could drive a terminal, keeps tab and newline (CRLF becomes a newline)", () => {
    expect(escapeControlCharacters("a\u001b[31mred\u0007\tb\r\n")).toBe("a\\u001b[31mred\\u0007\tb\n");
    expect(escapeControlCharacters("over\rwrite")).toBe("over\\u000dwrite");
    expect(escapeControlCharacters("\u202eevil\u2066x\u2069")).toBe("\\u202eevil\\u2066x\\u2069");
    expect(escapeControlCharacters("\u009b2J")).toBe("\\u009b2J");
  });

  it("applies to errors and diagnostics", () => {
    const { out, stderr } = output();
    out.error("server said \u001b]52;c;bad\u0007");
    out.diagnostic({ level: "warn", message: "\u001b[2J", source: "server:x" });
    expect(stderr.text).toBe("error: server said \\u001b]52;c;bad\\u0007\nwarning: [server:x] \\u001b[2J\n");
  });
});

describe("Output", () => {
  it("writes data to stdout and everything else to stderr", () => {
    const { out, stdout, stderr } = output({ verbose: true });
    out.data("answer");
    out.info("status");
    out.warn("careful");
    out.debug("detail");
    out.error("broken");
    expect(stdout.text).toBe("answer\n");
    expect(stderr.text).toBe("status\nwarning: careful\ndetail\nerror: broken\n");
  });

  it("in JSON mode ignores human data and allows one document only", () => {
    const { out, stdout } = output({ json: true });
    out.data("human text");
    out.document({ ok: true });
    expect(stdout.text).toBe('{"ok":true}\n');
    expect(() => out.document({ ok: true })).toThrow(/already written/);
  });

  it("quiet hides status lines but not warnings; debug needs verbose", () => {
    const { out, stderr } = output({ quiet: true });
    out.info("status");
    out.debug("detail");
    out.warn("careful");
    expect(stderr.text).toBe("warning: careful\n");
  });

  it("shows progress only on a TTY, and clears it before other output", () => {
    const plain = output();
    plain.out.progress("connecting").done("connected");
    expect(plain.stderr.text).toBe("");

    const tty = output({ tty: true });
    const progress = tty.out.progress("connecting");
    expect(tty.stderr.text).toContain("connecting");
    tty.out.info("a status line");
    expect(tty.stderr.text.endsWith("\r\u001b[2Ka status line\n")).toBe(true);
    progress.done();
    const quiet = output({ tty: true, quiet: true });
    quiet.out.progress("connecting");
    expect(quiet.stderr.text).toBe("");
  });

  it("colours on a TTY only", () => {
    const tty = output({ tty: true });
    tty.out.error("x");
    expect(tty.stderr.text).toContain("\u001b[31m");
    const noColor = output({ tty: true, env: { NO_COLOR: "1" } });
    noColor.out.error("x");
    expect(noColor.stderr.text).toBe("error: x\n");
  });
});
