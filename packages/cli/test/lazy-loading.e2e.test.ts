/**
 * Start-up: `--version`, `--help`, `skill list` and `completions` must not load the MCP SDK,
 * QuickJS, jco or the tokenizer (nor the engine packages that wrap them). A module resolution hook
 * preloaded with `node --import` records every module the process resolves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, EVERYTHING_BIN, FIXTURES, runCli, type Sandbox } from "./helpers.js";

const HEAVY = [
  "@modelcontextprotocol/sdk",
  "@modelcontextprotocol/client",
  "quickjs-emscripten",
  "@jitl/quickjs",
  "@bytecodealliance/jco",
  "gpt-tokenizer",
  "packages/mcp-client/dist",
  "packages/bridge/dist",
  "packages/wasm-runtime/dist",
  "packages/codegen/dist",
  "packages/runner/dist",
];

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.remove());

async function loadedModules(args: string[], name: string): Promise<string[]> {
  const traceFile = join(sandbox.root, `${name}.trace`);
  const result = await runCli(sandbox, args, {
    env: { MCP_CLI_TRACE_FILE: traceFile },
    nodeArgs: ["--import", join(FIXTURES, "trace-modules.mjs")],
  });
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(traceFile, "utf8").trim().split("\n");
}

describe("start-up loads no heavy module", () => {
  const cases: [string, string[]][] = [
    ["--version", ["--version"]],
    ["--help", ["--help"]],
    ["skill list", ["skill", "list"]],
    ["completions bash", ["completions", "bash"]],
    ["completions zsh", ["completions", "zsh"]],
    ["completions fish", ["completions", "fish"]],
    ["__complete servers", ["__complete", "servers"]],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const modules = await loadedModules(args, name.replaceAll(" ", "-"));
      // The tracer works: the CLI itself was seen (and commander, except on the --version fast path).
      expect(modules.some((url) => url.endsWith("packages/cli/dist/bin.js"))).toBe(true);
      if (name !== "--version") expect(modules.some((url) => url.includes("commander"))).toBe(true);
      for (const heavy of HEAVY) {
        expect(
          modules.filter((url) => url.includes(heavy)),
          `${name} loaded ${heavy}`,
        ).toEqual([]);
      }
    });
  }
});

describe("--version alone loads nothing of the CLI but its entry point", () => {
  it("not even commander or core", async () => {
    const modules = await loadedModules(["--version"], "version-alone");
    expect(modules.filter((url) => url.includes("commander") || url.includes("packages/core/dist"))).toEqual(
      [],
    );
  });
});

describe("the tracer sees heavy modules where they belong", () => {
  it("introspect loads the MCP SDK (so the checks above can fail)", async () => {
    const modules = await loadedModules(["introspect", "--json", "--", EVERYTHING_BIN], "introspect");
    expect(modules.some((url) => url.includes("@modelcontextprotocol/client"))).toBe(true);
    expect(modules.some((url) => url.includes("packages/mcp-client/dist"))).toBe(true);
  });
});
