/**
 * `call` and `generate` against the servers the behaviour came from (issue 16): playwright's MCP
 * server (headless Debian chromium; skipped with a printed reason when /usr/bin/chromium is
 * absent), server-filesystem, and the schema-shapes fixture (kubernetes-style defaults, string |
 * number values, nested arrays, tool policies). Defaults are filled before validation, values are
 * coerced by every type the schema allows, dotted keys set nested fields, unknown names are refused
 * with a did-you-mean before anything is sent, and allowedTools / disabledTools give TOOL_DENIED.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, parseDocument, REPO_ROOT, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(
    `call-schemas: skipping the playwright tests: ${CHROMIUM} is absent (apt-get install chromium)`,
  );
}
const PLAYWRIGHT_BIN = join(REPO_ROOT, "node_modules", ".bin", "playwright-mcp");
const FILESYSTEM_BIN = join(REPO_ROOT, "node_modules", ".bin", "mcp-server-filesystem");
// As root (CI), chromium needs --no-sandbox; --isolated keeps the profile in memory.
const PLAYWRIGHT_ARGS = [
  "--headless",
  "--browser",
  "chromium",
  "--executable-path",
  CHROMIUM,
  "--isolated",
  "--no-sandbox",
];

/** Each test spawns the CLI and a server, several times: room for a loaded 2-core machine. */
const SLOW = 120_000;

let sandbox: Sandbox;
let files: string;

beforeAll(() => {
  sandbox = createSandbox();
  // Inside the working directory: the CLI offers it as the MCP root, and server-filesystem then
  // serves the roots it is given instead of its command-line directories.
  files = join(sandbox.cwd, "files");
  sandbox.write("work/files/notes.txt", "alpha beta gamma\n");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        shapes: fixtureCommand("schema-shapes"),
        limited: {
          ...fixtureCommand("schema-shapes"),
          allowedTools: ["pods_*", "console_*"],
          disabledTools: ["console_*"],
        },
        fs: { command: FILESYSTEM_BIN, args: [files] },
        playwright: {
          command: PLAYWRIGHT_BIN,
          args: PLAYWRIGHT_ARGS,
          disabledTools: ["browser_run_code*"],
        },
      },
    }),
  );
});
afterAll(() => sandbox.remove());

interface Failure {
  code: number | null;
  error: { code: string; message: string; details?: Record<string, unknown> };
}

async function callJson(args: string[]): Promise<Record<string, unknown>> {
  const result = await runMain(sandbox, ["call", "--json", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return parseDocument(result);
}

async function failing(args: string[]): Promise<Failure> {
  const result = await runMain(sandbox, ["--json", ...args]);
  const document = parseDocument(result) as unknown as { error: Failure["error"] };
  return { code: result.code, error: document.error };
}

/** What the schema-shapes fixture received (it answers with its arguments). */
async function sent(args: string[]): Promise<unknown> {
  const document = await callJson(["shapes", ...args]);
  return (document.result as { args: unknown }).args;
}

describe("call: defaults, coercion and dotted keys (schema-shapes fixture)", { timeout: SLOW }, () => {
  it("fills a required property that has a default (kubernetes' namespace)", async () => {
    expect(await sent(["pods_list"])).toEqual({ namespace: "default" });
  });

  it("coerces by every allowed type: value=500 for string|number is 500, a quoted value a string", async () => {
    expect(await sent(["set_value", "key=k", "value=500", "note=true", "tags=a", "tags=7"])).toEqual({
      key: "k",
      value: 500,
      note: true,
      tags: ["a", "7"],
    });
    expect(await sent(["set_value", "key=k", 'value="500"'])).toEqual({ key: "k", value: "500" });
  });

  it("sets nested array items with dotted keys", async () => {
    expect(
      await sent([
        "edit_file",
        "path=a.txt",
        "edits.0.oldText=foo",
        "edits.0.newText=bar",
        "edits.1.oldText=1",
        "edits.1.newText=2",
      ]),
    ).toEqual({
      path: "a.txt",
      edits: [
        { oldText: "foo", newText: "bar" },
        { oldText: "1", newText: "2" },
      ],
    });
  });
});

describe("call: server-filesystem", { timeout: SLOW }, () => {
  it("edits a file with dotted keys, the server filling dryRun itself", async () => {
    const document = await callJson([
      "fs",
      "edit_file",
      `path=${join(files, "notes.txt")}`,
      "edits.0.oldText=beta",
      "edits.0.newText=BETA",
    ]);
    expect(JSON.stringify(document.result)).toContain("BETA");
    expect(readFileSync(join(files, "notes.txt"), "utf8")).toBe("alpha BETA gamma\n");
  });

  it("regression: paht= is ARGS_INVALID with a did-you-mean (it was dropped, then 'path is required')", async () => {
    const failure = await failing(["call", "fs", "read_text_file", `paht=${join(files, "notes.txt")}`]);
    expect(failure.code).toBe(2);
    expect(failure.error.code).toBe("ARGS_INVALID");
    expect(failure.error.message).toContain('unknown argument "paht"; did you mean "path"?');
  });
});

describe("call: allowedTools / disabledTools", { timeout: SLOW }, () => {
  it("refuses a denied tool with TOOL_DENIED (exit 2) and the rule, before starting the server", async () => {
    const notAllowed = await failing(["call", "limited", "edit_file", "path=a"]);
    expect(notAllowed.code).toBe(2);
    expect(notAllowed.error.code).toBe("TOOL_DENIED");
    expect(notAllowed.error.message).toContain('allowedTools: ["pods_*","console_*"] (no pattern matches)');
    expect(notAllowed.error.details).toMatchObject({
      server: "limited",
      tool: "edit_file",
      key: "allowedTools",
    });
    const disabled = await failing(["call", "limited", "console_messages"]);
    expect(disabled.error.code).toBe("TOOL_DENIED");
    expect(disabled.error.details).toMatchObject({ key: "disabledTools", pattern: "console_*" });
    expect(((await callJson(["limited", "pods_list"])).result as { args: unknown }).args).toEqual({
      namespace: "default",
    });
  });

  it("generate writes only the allowed tools", async () => {
    const result = await runMain(sandbox, ["generate", "limited", "-o", "out", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(sandbox.cwd, "out", "servers", "limited")).sort()).toEqual([
      "index.ts",
      "manifest.json",
      "pods_list.ts",
    ]);
  });

  it("execute refuses a denied tool and its generated tree does not offer it", async () => {
    const result = await runMain(sandbox, [
      "execute",
      "--json",
      "--server",
      "limited",
      "-e",
      'const files = listFiles("/mcp-tools/servers/limited"); try { await callTool("limited", "edit_file", { path: "a", edits: [] }); } catch (error) { return { files, code: error.code }; }',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseDocument(result).result).toEqual({
      files: ["index.ts", "manifest.json", "pods_list.ts"],
      code: "TOOL_DENIED",
    });
  });
});

describe("call --help", { timeout: SLOW }, () => {
  it("shows the coercion rules", async () => {
    const result = await runMain(sandbox, ["call", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`key='"500"'      a value in JSON double quotes is always that string`);
    expect(result.stdout).toContain("edits.0.oldText=x sets the first item");
    expect(result.stdout).toContain("A name the schema does not list is an error");
  });
});

describe.skipIf(!HAS_CHROMIUM)("playwright's MCP server (headless chromium)", () => {
  it("browser_console_messages without its required-with-default level works, as in playwright", async () => {
    const result = await runMain(sandbox, [
      "execute",
      "--server",
      "playwright",
      "-e",
      `await callTool("playwright", "browser_navigate", { url: "data:text/html,<script>console.log('hello from the page')</script>" });
         return await callTool("playwright", "browser_console_messages", {});`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("hello from the page");
  }, 120_000);

  it("call: numbers coerced (browser_resize), an unknown name refused, a disabled tool denied", async () => {
    const resized = await runMain(sandbox, [
      "call",
      "playwright",
      "browser_resize",
      "width=800",
      "height=600",
    ]);
    expect(resized.code, resized.stderr).toBe(0);
    const typo = await failing(["call", "playwright", "browser_evaluate", "functoin=() => 1"]);
    expect(typo.code).toBe(2);
    expect(typo.error.code).toBe("ARGS_INVALID");
    expect(typo.error.message).toContain('did you mean "function"?');
    const denied = await failing(["call", "playwright", "browser_run_code_unsafe", "code=1"]);
    expect(denied.error.code).toBe("TOOL_DENIED");
    expect(denied.error.message).toContain('disabledTools: "browser_run_code*"');
  }, 120_000);
});
