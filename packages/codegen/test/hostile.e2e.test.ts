/**
 * Regression (issue 11.2, 11.8): SKILL.md's shell line, run by a real POSIX shell, passes a hostile
 * tool name and hostile arguments to mcp-cli as data and runs nothing. The other classes of attack
 * of the hostile corpus are checked in hostile.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerManifest } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import { corpusManifest, fileOf, fingerprintOf, readRecording } from "./corpus.js";

/** The `mcp-cli execute ...` line of SKILL.md's sh block. */
function commandLine(skill: string): string {
  const match = /^(`{3,})sh\n(mcp-cli [^\n]*)\n\1$/m.exec(skill);
  if (match?.[2] === undefined) throw new Error("SKILL.md has no sh block with an mcp-cli line");
  return match[2];
}

/**
 * Runs the command line in a real POSIX shell with `mcp-cli` defined as a function that prints
 * its arguments as JSON: what the shell would pass to the real binary. Runs in an empty folder,
 * so a command substitution that escaped its quotes would leave a file behind.
 */
function shellArguments(line: string): { argv: string[]; leftovers: string[] } {
  const bin = mkdtempSync(join(tmpdir(), "codegen-shell-bin-"));
  const directory = mkdtempSync(join(tmpdir(), "codegen-shell-"));
  try {
    writeFileSync(
      join(bin, "mcp-cli"),
      `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`,
      { mode: 0o755 },
    );
    const result = spawnSync("sh", ["-c", line], {
      cwd: directory,
      encoding: "utf8",
      env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    });
    expect(result.status, result.stderr).toBe(0);
    return { argv: JSON.parse(result.stdout) as string[], leftovers: readdirSync(directory) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  }
}

type CallTool = (server: string, tool: string, args: unknown) => Promise<unknown>;

/** Runs an `-e` snippet (the body of an async function) with a recording callTool. */
async function runSnippet(snippet: string): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (callTool: CallTool) => Promise<unknown>;
  await new AsyncFunction("callTool", snippet)(async (...args) => {
    calls.push(args);
    return null;
  });
  return calls;
}

describe("the hostile corpus", () => {
  it("the shell line passes the tool name and arguments to mcp-cli as data, running nothing", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    const line = commandLine(fileOf(files, "SKILL.md"));
    const { argv, leftovers } = shellArguments(line);
    expect(leftovers).toEqual([]);
    expect(argv.slice(0, 4)).toEqual(["execute", "--server", "hostile", "-e"]);
    expect(argv).toHaveLength(5);
    const calls = await runSnippet(argv[4] as string);
    expect(calls).toEqual([
      ["hostile", "it's $(touch pwned) `id`; rm -rf ~", { mode: "a'b $(id) `x` \u2066bidi\u2069 \\ \" end" }],
    ]);
  });

  it("regression: an example argument named __proto__ is passed as a property, not a prototype", async () => {
    const recording = readRecording("hostile.json");
    // Parsed, not written as a literal: in a literal `__proto__:` would set the prototype.
    const tools = JSON.parse(
      '[{"name":"__proto__","inputSchema":{"type":"object","properties":{"__proto__":{"type":"string","enum":["kept"]}},"required":["__proto__"]},"annotations":{"readOnlyHint":true}}]',
    );
    const manifest: ServerManifest = {
      server: "protos",
      serverInfo: recording.serverInfo,
      protocolVersion: recording.protocolVersion,
      capabilities: {},
      tools,
      fingerprint: await fingerprintOf(tools),
    };
    const skill = fileOf(generateTree(manifest), "SKILL.md");
    const { argv } = shellArguments(commandLine(skill));
    const [call] = await runSnippet(argv[4] as string);
    expect(call?.[1]).toBe("__proto__");
    const args = call?.[2] as object;
    expect(Object.hasOwn(args, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(args, "__proto__")?.value).toBe("kept");
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
  });
});
