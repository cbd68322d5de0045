/** The top-level handler: coded errors without stacks, uncoded ones with a stack and a hint. */
import { McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { reportFailure } from "../src/failure.js";
import { Output, type TextSink } from "../src/output.js";

class Sink implements TextSink {
  text = "";
  readonly isTTY = false;
  write(text: string): void {
    this.text += text;
  }
}

function output(json: boolean) {
  const stdout = new Sink();
  const stderr = new Sink();
  return {
    out: new Output({ stdout, stderr, json, colorFlag: true, env: {}, quiet: false, verbose: false }),
    stdout,
    stderr,
  };
}

describe("reportFailure", () => {
  it("a coded user error: its message, its exit code, no stack", () => {
    const { out, stdout, stderr } = output(false);
    const code = reportFailure(out, new McpCliError("TIMEOUT", "server x did not answer"));
    expect(code).toBe(3);
    expect(stdout.text).toBe("");
    expect(stderr.text).toBe("error: server x did not answer\n");
  });

  it("a usage error gets the hint to the command's help", () => {
    const { out, stderr } = output(false);
    expect(reportFailure(out, new McpCliError("USAGE", "bad flag"), "(see: mcp-cli call --help)")).toBe(1);
    expect(stderr.text).toBe("error: bad flag\n(see: mcp-cli call --help)\n");
  });

  it("an uncoded error is a bug: INTERNAL, exit 1, the stack and a request to report it", () => {
    const { out, stderr } = output(false);
    const error = new TypeError("cannot read properties of undefined");
    expect(reportFailure(out, error)).toBe(1);
    expect(stderr.text).toContain("error: cannot read properties of undefined");
    expect(stderr.text).toContain(error.stack?.split("\n")[1]?.trim() ?? "at ");
    expect(stderr.text).toContain("This is a bug in mcp-cli");
  });

  it("with --json: one error document on stdout, the stack of a bug on stderr", () => {
    const coded = output(true);
    expect(
      reportFailure(coded.out, new McpCliError("INTEGRITY", "tampered", { details: { name: "s" } })),
    ).toBe(6);
    expect(JSON.parse(coded.stdout.text)).toEqual({
      ok: false,
      error: { code: "INTEGRITY", message: "tampered", details: { name: "s" } },
    });
    expect(coded.stderr.text).toBe("");

    const bug = output(true);
    reportFailure(bug.out, new Error("oops"));
    expect(JSON.parse(bug.stdout.text)).toEqual({ ok: false, error: { code: "INTERNAL", message: "oops" } });
    expect(bug.stderr.text).toContain("This is a bug in mcp-cli");
  });

  it("does not write a second document when the command already wrote one", () => {
    const { out, stdout, stderr } = output(true);
    out.document({ ok: false, error: { code: "GUEST_ERROR", message: "x" }, logs: [], stats: {} });
    expect(reportFailure(out, new McpCliError("CONNECTION_CLOSED", "closing failed"))).toBe(3);
    expect(stdout.text.trim().split("\n")).toHaveLength(1);
    expect(stderr.text).toBe("error: closing failed\n");
  });
});
