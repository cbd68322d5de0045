/**
 * Regression (issue 11.2, 11.8), end to end: `generate` from a server that lists hostile tools
 * (test/fixtures/servers/hostile.mjs: a tool whose name is shell code, tools named `constructor`,
 * `toString`, `__proto__`, bidi controls, HTML) writes a tree that passes `tsc --strict`, and
 * SKILL.md's shell line, run as written by `sh` with the built CLI, calls that tool with its exact
 * name and arguments and runs nothing else.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  installCliWrapper,
  REPO_ROOT,
  runCli,
  runShellLine,
  type Sandbox,
} from "./helpers.js";

const HOSTILE = join(REPO_ROOT, "test", "fixtures", "servers", "hostile.mjs");

let sandbox: Sandbox;
let bin: string;

beforeAll(() => {
  sandbox = createSandbox();
  bin = installCliWrapper(sandbox);
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        hostile: { command: process.execPath, args: [HOSTILE] },
        // Without the tools and properties named like Object.prototype members: with them,
        // `execute` fails in the bridge (per-tool rate limits looked up in a plain object: a tool
        // named `constructor` is CONFIG_INVALID; argument validation sees the inherited `valueOf`:
        // ARGS_INVALID), the bridge's part of issue 11.8. This server is for the shell quoting.
        "hostile-shell": { command: process.execPath, args: [HOSTILE, "--no-prototype-names"] },
      },
    }),
  );
});
afterAll(() => sandbox.remove());

function typecheck(root: string): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  walk(root);
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts"],
    types: [],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

describe("generate from a hostile server", { timeout: 180_000 }, () => {
  it("writes a tree that passes tsc --strict, tools named __proto__, constructor, toString included", async () => {
    const generated = await runCli(sandbox, ["generate", "hostile", "-o", "tree", "-q"]);
    expect(generated.code, generated.stderr).toBe(0);
    const tree = join(sandbox.cwd, "tree");
    for (const stem of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(existsSync(join(tree, "servers/hostile", `${stem}.ts`)), stem).toBe(true);
    }
    expect(typecheck(tree)).toEqual([]);
  });

  it("SKILL.md's shell line, run as written, passes the tool name and arguments as data", async () => {
    const generated = await runCli(sandbox, ["generate", "hostile-shell", "-o", "shell-tree", "-q"]);
    expect(generated.code, generated.stderr).toBe(0);
    const skill = readFileSync(join(sandbox.cwd, "shell-tree", "SKILL.md"), "utf8");
    const line = /^(`{3,})sh\n(mcp-cli [^\n]*)\n\1$/m.exec(skill)?.[2];
    expect(line).toBeDefined();
    const result = await runShellLine(sandbox, bin, `${line} --json`);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as { ok: boolean; result: unknown };
    expect(document.ok).toBe(true);
    expect(document.result).toEqual({
      tool: "it's $(touch pwned) `id`; rm -rf ~",
      args: { mode: "a'b $(id) `x` \u2066bidi\u2069 \\ \" end" },
    });
    expect(existsSync(join(sandbox.cwd, "pwned"))).toBe(false);
  });
});
