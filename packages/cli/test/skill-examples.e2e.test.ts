/**
 * Issue 15.4: SKILL.md's examples run as written. For server-everything, server-filesystem and
 * server-memory (real servers, pinned devDependencies), `generate` writes SKILL.md; its shell
 * line is run as written by `sh` with the built CLI on PATH, and its TypeScript example is saved
 * as `script.ts` and run with the command SKILL.md gives. Both must succeed, call the tool
 * they show, and change nothing on disk that the example did not announce.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  EVERYTHING_BIN,
  installCliWrapper,
  parseDocument,
  REPO_ROOT,
  runCli,
  runShellLine,
  type Sandbox,
} from "./helpers.js";

const FILESYSTEM_BIN = join(REPO_ROOT, "node_modules", ".bin", "mcp-server-filesystem");
const MEMORY_BIN = join(REPO_ROOT, "node_modules", ".bin", "mcp-server-memory");

let sandbox: Sandbox;
let bin: string;
let notes: string;

beforeAll(() => {
  sandbox = createSandbox();
  bin = installCliWrapper(sandbox);
  notes = join(sandbox.root, "notes");
  mkdirSync(notes);
  writeFileSync(join(notes, "hello.txt"), "hello\n");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        filesystem: { command: FILESYSTEM_BIN, args: [notes] },
        // Its own file in the sandbox: server-memory writes into its package folder otherwise.
        memory: { command: MEMORY_BIN, env: { MEMORY_FILE_PATH: join(sandbox.root, "memory.jsonl") } },
      },
    }),
  );
});
afterAll(() => sandbox.remove());

function shellLine(skill: string): string {
  const match = /^(`{3,})sh\n(mcp-cli [^\n]*)\n\1$/m.exec(skill);
  if (match?.[2] === undefined) throw new Error(`SKILL.md has no sh block:\n${skill}`);
  return match[2];
}

function typescriptExample(skill: string): string {
  const match = /^```ts\n([\s\S]*?)\n```$/m.exec(skill);
  if (match?.[1] === undefined) throw new Error(`SKILL.md has no ts block:\n${skill}`);
  return match[1];
}

/** The `mcp-cli execute script.ts --server ...` command SKILL.md gives for a script file. */
function scriptCommand(skill: string): string {
  const match = /`(mcp-cli execute script\.ts [^`]*)`/.exec(skill);
  if (match?.[1] === undefined) throw new Error(`SKILL.md names no script command:\n${skill}`);
  return match[1];
}

describe("every SKILL.md example runs as written", () => {
  it.each([
    ["everything", "get-resource-links"],
    ["filesystem", "list_allowed_directories"],
    ["memory", "read_graph"],
  ])(
    "%s: the shell line and the script example both succeed",
    async (server, tool) => {
      const out = `tree-${server}`;
      const generated = await runCli(sandbox, ["generate", server, "-o", out, "-q"]);
      expect(generated.code, generated.stderr).toBe(0);
      const skill = readFileSync(join(sandbox.cwd, out, "SKILL.md"), "utf8");
      const line = shellLine(skill);
      expect(line).toContain(JSON.stringify(tool));

      const before = readdirSync(notes).sort();
      const shell = await runShellLine(sandbox, bin, `${line} --json`);
      expect(shell.code, shell.stderr).toBe(0);
      expect(JSON.parse(shell.stdout)).toMatchObject({ ok: true, stats: { toolCalls: 1 } });

      writeFileSync(join(sandbox.cwd, "script.ts"), `${typescriptExample(skill)}\n`);
      const script = await runShellLine(sandbox, bin, `${scriptCommand(skill)} --json`);
      expect(script.code, script.stderr).toBe(0);
      expect(JSON.parse(script.stdout)).toMatchObject({ ok: true, stats: { toolCalls: 1 } });
      // Read-only examples: the served folder is as it was.
      expect(readdirSync(notes).sort()).toEqual(before);
      // Five CLI runs with server starts: generous on a loaded 2-core machine.
    },
    180_000,
  );

  it("the server's instructions appear in SKILL.md, escaped and bounded", async () => {
    const generated = await runCli(sandbox, ["generate", "everything", "-o", "tree-instructions", "--json"]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(parseDocument(generated)).toMatchObject({ ok: true });
    const skill = readFileSync(join(sandbox.cwd, "tree-instructions", "SKILL.md"), "utf8");
    expect(skill).toContain("## Instructions from everything\n\n```text\n");
    expect(skill).toContain("(cut here; REFERENCE.md has the whole text)");
    expect(skill).toContain("mcp-cli execute --check");
  });
});
