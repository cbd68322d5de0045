/**
 * Regression (issue 11.2, 11.8): nothing a server says becomes shell code, HTML or hidden text.
 * The hostile corpus (fixtures/hostile.json) has a tool whose name is shell code, an enum value
 * with quotes, `$(...)` and bidi isolates, HTML and backslashes in titles and instructions, bidi
 * controls and zero-width characters in descriptions, and tools named `constructor`, `toString`,
 * `__proto__` and `hasOwnProperty`. Its tree is compared byte for byte in generate.test.ts and
 * type-checked in typecheck.test.ts; here each class of attack is checked on its own.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GeneratedFile, ServerManifest } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import { corpusManifest, fingerprintOf, readRecording } from "./corpus.js";

const INVISIBLE = /[\u2028\u2029\p{Cf}]/u;

function fileOf(files: readonly GeneratedFile[], path: string): string {
  const found = files.find((file) => file.path === path);
  if (found === undefined) throw new Error(`no ${path}`);
  return found.contents;
}

/** The Markdown outside fenced code blocks and inline code spans: where HTML would be live. */
function markdownProse(markdown: string): string {
  const withoutFences = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "");
  return withoutFences.replace(/(?<!\\)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

/** `<` characters in prose that are not escaped by an odd run of backslashes. */
function rawAngleBrackets(prose: string): string[] {
  const found: string[] = [];
  for (const match of prose.matchAll(/(\\*)</g)) {
    if ((match[1]?.length ?? 0) % 2 === 0) found.push(prose.slice(match.index, match.index + 20));
  }
  return found;
}

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
  it("no generated file carries a raw bidi control, invisible format character or line separator", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    for (const file of files) expect(INVISIBLE.test(file.contents), file.path).toBe(false);
    // manifest.json keeps the same data: the escapes are JSON escapes.
    const manifest = JSON.parse(fileOf(files, "servers/hostile/manifest.json")) as ServerManifest;
    expect(manifest.serverInfo.name).toBe("hostile\u202e-server");
    expect(fileOf(files, "SKILL.md")).toContain("Returns the \\\\u202Egnirts\\\\u202C constructor.");
  });

  it("SKILL.md and REFERENCE.md have no raw HTML outside code, backslashes included", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    for (const path of ["SKILL.md", "REFERENCE.md"]) {
      const prose = markdownProse(fileOf(files, path));
      expect(prose, path).toContain("\\\\\\<script\\>");
      expect(rawAngleBrackets(prose), path).toEqual([]);
    }
  });

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

  it("tools named constructor, toString, __proto__ and hasOwnProperty each get their own file and function", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    const index = fileOf(files, "servers/hostile/index.ts");
    for (const [name, stem] of [
      ["constructor", "constructor"],
      ["toString", "toString"],
      ["proto", "__proto__"],
      ["hasOwnProperty", "hasOwnProperty"],
    ]) {
      expect(index).toContain(`export { ${name} } from "./${stem}.ts";`);
    }
    expect(fileOf(files, "servers/hostile/__proto__.ts")).toContain('callTool("hostile", "__proto__", args)');
  });
});
