/**
 * Issue 11 item 3 and issue 19 item 9: what a server or a guest says reaches the terminal escaped,
 * on every command, because the CLI's human-mode sinks escape every write (and `--json` escapes
 * inside its strings). The fixture server puts ESC sequences, a C1 CSI (U+009B), a carriage
 * return and bidi controls into everything it says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { type CliResult, createSandbox, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox("mcp-cli-hostile-server-");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        hostile: fixtureCommand("hostile-text"),
        named: fixtureCommand("hostile-text", "--bad-name"),
      },
    }),
  );
});
afterAll(() => sandbox.remove());

/** Anything a terminal would act on: C0 but tab and newline, DEL, C1, bidi, separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function expectNoRawControls(result: CliResult): void {
  expect(result.stdout).not.toMatch(RAW_CONTROL);
  expect(result.stderr).not.toMatch(RAW_CONTROL);
}

/** The fixture's text as the CLI shows it: each control as `\uXXXX`. */
const SHOWN =
  "A\\u001b]0;pwned\\u0007B\\u001b[2JC\\u001b[31mD\\u009b1mE\\u000dF\\u202eG\\u2066H\\u2069I\\u0000J";

describe("server text reaches the terminal escaped", () => {
  it("introspect: server name, version, instructions, tool names and descriptions", async () => {
    const result = await runCli(sandbox, ["introspect", "named"]);
    expect(result.code).toBe(0);
    expectNoRawControls(result);
    expect(result.stdout).toContain(`instructions ${SHOWN}`);
    expect(result.stdout).toContain("hostile\\u001b[2J");
  });

  it("call: a result, and a tool error", async () => {
    const said = await runCli(sandbox, ["call", "hostile", "say"]);
    expect(said.code).toBe(0);
    expectNoRawControls(said);
    expect(said.stdout).toContain(`said ${SHOWN}`);
    const failed = await runCli(sandbox, ["call", "hostile", "fail"]);
    expect(failed.code).not.toBe(0);
    expectNoRawControls(failed);
    expect(`${failed.stdout}${failed.stderr}`).toContain(`failed ${SHOWN}`);
  });

  it("server info and server validate", async () => {
    for (const args of [
      ["server", "info", "hostile"],
      ["server", "validate", "hostile"],
    ]) {
      const result = await runCli(sandbox, args);
      expectNoRawControls(result);
    }
  });

  it("execute: the guest's logs, its result and its error, from server text", async () => {
    const ok = await runCli(sandbox, [
      "execute",
      "--server",
      "hostile",
      "-e",
      'const said = await callTool("hostile", "say", {}); console.log(said); console.error(said); return { said };',
    ]);
    expect(ok.code).toBe(0);
    expectNoRawControls(ok);
    // Log lines go to stderr as they happen; the result (JSON) to stdout.
    expect(ok.stderr).toContain(`said ${SHOWN}`);
    expect(ok.stdout).toContain('"said": "said A\\u001b]0;pwned');
    const failed = await runCli(sandbox, [
      "execute",
      "--server",
      "hostile",
      "-e",
      'await callTool("hostile", "fail", {});',
    ]);
    expect(failed.code).toBe(2);
    expectNoRawControls(failed);
    const thrown = await runCli(sandbox, [
      "execute",
      "-e",
      'throw new Error("\\u001b]0;x\\u0007\\u009b2J\\u202e");',
    ]);
    expect(thrown.code).toBe(2);
    expectNoRawControls(thrown);
  });

  it("--json escapes the same characters inside its strings", async () => {
    for (const args of [
      ["--json", "introspect", "named"],
      ["--json", "call", "hostile", "say"],
      ["execute", "--json", "--server", "hostile", "-e", 'return await callTool("hostile", "say", {});'],
    ]) {
      const result = await runCli(sandbox, args);
      expectNoRawControls(result);
      expect(() => JSON.parse(result.stdout)).not.toThrow();
    }
  });
});
