/**
 * `execute --check` with the CLI (in-process, through main()) and server-filesystem: a script that does not type-check
 * fails with GUEST_TYPE (exit 2) at its own line and column before any tool is called (a write_file
 * call on its first line leaves no file behind), and a script that does type-check runs as usual.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, parseDocument, REPO_ROOT, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

const FILESYSTEM_BIN = join(REPO_ROOT, "node_modules", ".bin", "mcp-server-filesystem");
let sandbox: Sandbox;
let files: string;

beforeAll(() => {
  sandbox = createSandbox();
  // Inside the working directory: the CLI offers it as the MCP root, and server-filesystem then
  // serves the roots it is given instead of its command-line directories.
  files = join(sandbox.cwd, "files");
  sandbox.write("work/files/.keep", "");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({ mcpServers: { fs: { command: FILESYSTEM_BIN, args: [files] } } }),
  );
});
afterAll(() => sandbox.remove());

function script(target: string): string {
  return [
    `await callTool("fs", "write_file", { path: ${JSON.stringify(target)}, content: "written" });`,
    'import { readTextFile } from "./servers/fs/read_text_file.ts";',
    `const text = await readTextFile({ path: ${JSON.stringify(target)}, head: "1" });`,
    "export default text;",
  ].join("\n");
}

describe("execute --check", () => {
  it("refuses a script that does not type-check with GUEST_TYPE, before any tool is called", async () => {
    const target = join(files, "checked.txt");
    sandbox.write("work/agent.ts", script(target));
    const result = await runMain(sandbox, ["execute", "agent.ts", "--server", "fs", "--check", "--json"]);
    expect(result.code, result.stderr).toBe(2);
    const error = (parseDocument(result) as { error: { code: string; message: string; details: unknown } })
      .error;
    expect(error.code).toBe("GUEST_TYPE");
    expect(error.message).toContain("agent.ts:3:");
    expect(error.message).toContain("Type 'string' is not assignable to type 'number'.");
    expect(error.details).toMatchObject({ file: "agent.ts", line: 3, total: 1 });
    expect(existsSync(target)).toBe(false);

    // Without --check the same script runs (types are stripped): its first call writes the file,
    // and only the bridge's validation stops the third line.
    const unchecked = await runMain(sandbox, ["execute", "agent.ts", "--server", "fs", "--json"]);
    expect(unchecked.code).toBe(2);
    expect((parseDocument(unchecked) as { error: { code: string } }).error.code).toBe("ARGS_INVALID");
    expect(existsSync(target)).toBe(true);
  }, 180_000);

  it("a snippet's errors carry its own columns; a correct script runs after the check", async () => {
    const snippet = await runMain(sandbox, ["execute", "--check", "-e", 'const n: number = "x"; return n;']);
    expect(snippet.code).toBe(2);
    expect(snippet.stderr).toContain("eval.ts:1:7 - TS2322");

    const good = await runMain(sandbox, [
      "execute",
      "--check",
      "--server",
      "fs",
      "--json",
      "-e",
      'return typeof callTool === "function";',
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(parseDocument(good).result).toBe(true);
  }, 180_000);

  it("--check does not apply to a WebAssembly component (USAGE)", async () => {
    writeFileSync(join(sandbox.cwd, "guest.wasm"), Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const result = await runMain(sandbox, ["execute", "guest.wasm", "--check", "--json"]);
    expect(result.code).toBe(1);
    expect((parseDocument(result) as { error: { code: string } }).error.code).toBe("USAGE");
  });
});
