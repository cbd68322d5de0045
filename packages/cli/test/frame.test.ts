/**
 * The frame every command shares: usage errors, --json documents, help and version, exit code 1 for
 * usage problems, and nothing but data on stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, parseDocument, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

const REGISTERED_COMMANDS = ["introspect", "generate", "call", "skill", "server", "completions"];

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.remove());

describe("help and version", () => {
  it("prints the version on stdout and exits 0", async () => {
    const result = await runMain(sandbox, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.stderr).toBe("");
  });

  it("prints the version as one JSON document with --json", async () => {
    const result = await runMain(sandbox, ["--version", "--json"]);
    expect(result.code).toBe(0);
    expect(parseDocument(result)).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("prints help for the program and for a command on stdout", async () => {
    const top = await runMain(sandbox, ["--help"]);
    expect(top.code).toBe(0);
    for (const command of REGISTERED_COMMANDS) {
      expect(top.stdout).toContain(command);
    }
    expect(top.stdout).not.toContain("__complete");
    const sub = await runMain(sandbox, ["server", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("validate");
  });

  it("wraps help in a JSON document with --json", async () => {
    const result = await runMain(sandbox, ["--json", "--help"]);
    expect(result.code).toBe(0);
    const document = parseDocument(result);
    expect(document.ok).toBe(true);
    expect(String(document.help)).toContain("Usage: mcp-cli");
  });
});

describe("usage errors exit 1 with USAGE", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown command", ["bogus"], /unknown command 'bogus'/],
    ["an unknown flag", ["server", "list", "--bogus"], /unknown option '--bogus'/],
    ["a missing argument", ["server", "info"], /missing required argument 'name'/],
    ["an invalid choice", ["completions", "tcsh"], /tcsh.*Allowed choices are bash, zsh, fish/],
    ["no command at all", [], /no command given/],
  ];

  for (const [what, args, message] of cases) {
    it(`${what}: human message on stderr, nothing on stdout`, async () => {
      const result = await runMain(sandbox, args);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for user errors
    });

    it(`${what}: one JSON error document with --json`, async () => {
      const result = await runMain(sandbox, [...args, "--json"]);
      expect(result.code).toBe(1);
      const document = parseDocument(result);
      expect(document).toMatchObject({ ok: false, error: { code: "USAGE" } });
      expect((document.error as { message: string }).message).toMatch(message);
    });
  }

  it("points a usage error at the help of the command that was reached", async () => {
    const result = await runMain(sandbox, ["server", "list", "--bogus"]);
    expect(result.stderr).toContain("mcp-cli server list --help");
  });

  it("accepts global flags before and after the command", async () => {
    const before = await runMain(sandbox, ["--json", "server", "list"]);
    const after = await runMain(sandbox, ["server", "list", "--json"]);
    expect(parseDocument(before)).toEqual(parseDocument(after));
  });
});

describe("colour", () => {
  it("never colours output that is not a terminal", async () => {
    const result = await runMain(sandbox, ["server", "info", "nope"], { env: { TERM: "xterm-256color" } });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("\u001b[");
  });
});
