/**
 * `execute` in-process, without servers: snippets, files and stdin; guest failures (exit 2); every
 * sandbox limit but the call count (exit 5); sessions. What starts a server (live generation, saved
 * skills and their checks, --max-calls, a WebAssembly component) is in execute.e2e.test.ts.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { executeJson } from "./execute-document.js";
import { createSandbox, EVERYTHING_BIN, parseDocument, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        results: fixtureCommand("results"),
        changing: fixtureCommand("changing-tools", "--state", join(sandbox.root, "changing.state")),
      },
    }),
  );
});
afterAll(() => sandbox.remove());

async function execute(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return executeJson(sandbox, args, options);
}

describe("sources", () => {
  it("-e runs a snippet; its return value is the result", async () => {
    const human = await runMain(sandbox, ["execute", "-e", "return 1 + 1"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe("2\n");
    const { result, document } = await execute(["-e", "console.log('hi'); return { answer: 42 }"]);
    expect(result.code).toBe(0);
    expect(Object.keys(document).sort()).toEqual(["logs", "ok", "result", "stats"]);
    expect(document).toMatchObject({
      ok: true,
      result: { answer: 42 },
      logs: [{ level: "log", text: "hi" }],
    });
    expect(Object.keys(document.stats).sort()).toEqual(["durationMs", "memoryBytes", "toolCalls"]);
  });

  it("a file is a module whose default export is the result; logs go to stderr", async () => {
    sandbox.write(
      "work/module.ts",
      "const x: number = 20;\nconsole.warn('careful');\nconsole.log('working');\nexport default { doubled: x * 2 };\n",
    );
    const human = await runMain(sandbox, ["execute", "module.ts"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe('{\n  "doubled": 40\n}\n');
    expect(human.stderr).toContain("[warn] careful\nworking\n");
  });

  it("guest output cannot drive the terminal: control characters are escaped in human form, kept in JSON", async () => {
    const code = "console.log('\\u001b[2Jcleared'); return '\\u0007bell'";
    const human = await runMain(sandbox, ["execute", "-e", code]);
    expect(human.stdout).toBe("\\u0007bell\n");
    expect(human.stderr).toContain("\\u001b[2Jcleared\n");
    const { document } = await execute(["-e", code]);
    expect(document).toMatchObject({ result: "\u0007bell", logs: [{ text: "\u001b[2Jcleared" }] });
  });

  it("- reads the module from standard input", async () => {
    const { document } = await execute(["-"], {
      input: "export default await Promise.resolve('from stdin');",
    });
    expect(document).toMatchObject({ ok: true, result: "from stdin" });
  });

  it("an undefined result is null", async () => {
    expect((await execute(["-e", "return undefined"])).document).toMatchObject({ ok: true, result: null });
    expect((await runMain(sandbox, ["execute", "-e", "return undefined"])).stdout).toBe("null\n");
  });

  it("nothing to run, or two things: exit 1, USAGE; a missing file: FILE_NOT_FOUND", async () => {
    for (const args of [[], ["x.ts", "-e", "return 1"]]) {
      const result = await runMain(sandbox, ["execute", "--json", ...args]);
      expect(result.code).toBe(1);
      expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "USAGE" } });
    }
    const missing = await runMain(sandbox, ["execute", "--json", "missing.ts"]);
    expect(missing.code).toBe(1);
    expect(parseDocument(missing)).toMatchObject({ error: { code: "FILE_NOT_FOUND" } });
  });
});

describe("guest failures exit 2 with the logs kept", () => {
  it("a thrown error is GUEST_ERROR", async () => {
    const { result, document } = await execute(["-e", "console.log('before'); throw new Error('boom')"]);
    expect(result.code).toBe(2);
    expect(document).toMatchObject({ ok: false, error: { code: "GUEST_ERROR" }, logs: [{ text: "before" }] });
    expect(document.error?.message).toContain("boom");
    const human = await runMain(sandbox, ["execute", "-e", "console.log('before'); throw new Error('boom')"]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe("");
    expect(human.stderr).toContain("before\n");
    expect(human.stderr).toContain("boom");
    expect(human.stderr).toContain("GUEST_ERROR");
  });

  it("code that does not compile is GUEST_SYNTAX", async () => {
    const { result, document } = await execute(["-e", "return )("]);
    expect(result.code).toBe(2);
    expect(document.error?.code).toBe("GUEST_SYNTAX");
  });

  it("a result JSON cannot represent is RESULT_UNSERIALIZABLE", async () => {
    const { result, document } = await execute(["-e", "const a: any = {}; a.self = a; return a"]);
    expect(result.code).toBe(2);
    expect(document.error?.code).toBe("RESULT_UNSERIALIZABLE");
  });

  it("no host access: process, require and fetch do not exist", async () => {
    const { document } = await execute(["-e", "return [typeof process, typeof require, typeof fetch]"]);
    expect(document.result).toEqual(["undefined", "undefined", "undefined"]);
  });
});

describe("limits exit 5", () => {
  const cases: [string, string[], string][] = [
    ["wall time", ["--timeout", "300", "-e", "while (true) {}"], "LIMIT_"],
    [
      "memory",
      ["--memory", "16", "-e", "const a = []; while (true) a.push(new Array(10000).fill(1));"],
      "LIMIT_MEMORY",
    ],
    [
      "output",
      ["--max-output", "1", "-e", "for (let i = 0; i < 1000; i++) console.log('x'.repeat(100)); return 1"],
      "LIMIT_OUTPUT",
    ],
    ["stack", ["-e", "const f = (n: number): number => f(n + 1) + 1; return f(0)"], "LIMIT_STACK"],
  ];
  for (const [name, args, code] of cases) {
    it(name, async () => {
      const { result, document } = await execute(args);
      expect(result.code, JSON.stringify(document)).toBe(5);
      expect(document.ok).toBe(false);
      expect(document.error?.code.startsWith(code)).toBe(true);
    });
  }

  it("the strict profile is stricter than the default", async () => {
    const code =
      "const a = []; for (let i = 0; i < 2000; i++) a.push('y'.repeat(200)); console.log(a.join('')); return 1";
    expect((await execute(["-e", code])).result.code).toBe(0);
    expect((await execute(["--profile", "strict", "-e", code])).result.code).toBe(5);
  });

  it("the configuration's sandbox settings apply, and flags override them", async () => {
    const configPath = sandbox.write(
      "sandbox-config.json",
      JSON.stringify({ mcpServers: {}, sandbox: { profile: "strict", timeout: 300 } }),
    );
    const loop = ["--config", configPath, "-e", "while (true) {}"];
    const fromConfig = await execute(loop);
    expect(fromConfig.result.code).toBe(5);
    expect(fromConfig.document.error?.code).toBe("LIMIT_TIME");
    expect(fromConfig.document.error?.message).toContain("300 ms");
    const fromFlag = await execute(["--timeout", "600", ...loop]);
    expect(fromFlag.document.error?.message).toContain("600 ms");
    const invalid = sandbox.write("bad-sandbox.json", JSON.stringify({ sandbox: { profile: "lax" } }));
    const rejected = await execute(["--config", invalid, "-e", "return 1"]);
    expect(rejected.result.code).toBe(1);
    expect(rejected.document.error?.code).toBe("CONFIG_INVALID");
  });

  it("an invalid limit value is a usage error", async () => {
    const result = await runMain(sandbox, ["execute", "--timeout", "soon", "-e", "return 1", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
  });
});

describe("servers, none started", () => {
  it("a server that was not named is not callable", async () => {
    const { document } = await execute([
      "-e",
      "try { await callTool('everything', 'echo', {message: 'x'}) } catch (e: any) { return e.code }",
    ]);
    expect(document.result).toBe("SERVER_UNKNOWN");
  });

  it("a module without export default runs, with a warning that it has no result", async () => {
    sandbox.write("work/no-default.ts", "console.log('side effect only');\n");
    const human = await runMain(sandbox, ["execute", "no-default.ts"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toContain("no-default.ts has no `export default`");
    sandbox.write("work/with-default.ts", "export default null;\n");
    const explicit = await runMain(sandbox, ["execute", "with-default.ts"]);
    expect(explicit.stderr).not.toContain("export default");
  });
});

describe("sessions", () => {
  it("keeps state between runs of one session and isolates sessions", async () => {
    const bump = "const n = (getState('n') ?? 0) + 1; setState('n', n); return n";
    expect((await execute(["--session", "alpha", "-e", bump])).document.result).toBe(1);
    expect((await execute(["--session", "alpha", "-e", bump])).document.result).toBe(2);
    expect((await execute(["--session", "beta", "-e", bump])).document.result).toBe(1);
    const sessions = join(sandbox.home, ".local/state/mcp-cli/sessions");
    expect(existsSync(sessions)).toBe(true);
    expect(readdirSync(sessions).length).toBeGreaterThanOrEqual(2);
  });

  it("an invalid session id is NAME_INVALID", async () => {
    const result = await runMain(sandbox, ["execute", "--session", "../x", "-e", "return 1", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "NAME_INVALID" } });
  });
});
