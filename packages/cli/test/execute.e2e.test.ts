/**
 * `execute` end to end: snippets, files and stdin; servers generated live and saved skills (with the
 * integrity and fingerprint checks, exit 6); guest failures (exit 2); every sandbox limit (exit 5);
 * sessions; a WebAssembly component; SIGINT (exit 130). Real server-everything and fixtures over stdio.
 */
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, EVERYTHING_BIN, parseDocument, REPO_ROOT, type Sandbox } from "./helpers.js";
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

interface ExecutionDocument {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  logs: { level: string; text: string }[];
  stats: { durationMs: number; toolCalls: number; memoryBytes: number };
}

async function execute(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const result = await runMain(sandbox, ["execute", "--json", ...args], options);
  return { result, document: parseDocument(result) as unknown as ExecutionDocument };
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

  it("tool calls, per --max-calls", async () => {
    const { result, document } = await execute([
      "--server",
      "everything",
      "--max-calls",
      "2",
      "-e",
      "for (let i = 0; i < 3; i++) await callTool('everything', 'echo', { message: String(i) }); return 'done'",
    ]);
    expect(result.code).toBe(5);
    expect(document.error?.code).toBe("LIMIT_CALLS");
    expect(document.stats.toolCalls).toBeLessThanOrEqual(3);
  });

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

describe("servers", () => {
  it("--server generates the API live: the script imports the wrappers and calls two tools in parallel", async () => {
    sandbox.write(
      "work/report.ts",
      `import { echo } from "./servers/everything/echo.ts";
import { getSum } from "./servers/everything/get-sum";
const [greeting, sum] = await Promise.all([echo({ message: "hi" }), getSum({ a: 2, b: 3 })]);
const files = listFiles("/mcp-tools/servers/everything");
export default { greeting, sum, hasIndex: files.includes("index.ts"), skill: readFile("/mcp-tools/SKILL.md").startsWith("---") };`,
    );
    const { result, document } = await execute(["report.ts", "--server", "everything"]);
    expect(result.code, result.stderr).toBe(0);
    expect(document).toMatchObject({
      ok: true,
      result: { greeting: "Echo: hi", sum: "The sum of 2 and 3 is 5.", hasIndex: true, skill: true },
      stats: { toolCalls: 2 },
    });
  });

  it("a tool error rejects with a coded Error the guest can catch; uncaught it is exit 2", async () => {
    const caught = await execute([
      "--server",
      "results",
      "-e",
      "try { await callTool('results', 'fail', {}) } catch (e: any) { return [e.code, e.server, e.tool] }",
    ]);
    expect(caught.document.result).toEqual(["TOOL_ERROR", "results", "fail"]);
    const uncaught = await execute([
      "--server",
      "results",
      "-e",
      "return await callTool('results', 'fail', {})",
    ]);
    expect(uncaught.result.code).toBe(2);
  });

  it("a server that was not named is not callable", async () => {
    const { document } = await execute([
      "-e",
      "try { await callTool('everything', 'echo', {message: 'x'}) } catch (e: any) { return e.code }",
    ]);
    expect(document.result).toBe("SERVER_UNKNOWN");
  });

  it("a configured server that was not passed: SERVER_UNKNOWN with a hint naming --server", async () => {
    const { result, document } = await execute(["-e", "return await callTool('results', 'ok', {})"]);
    expect(result.code).toBe(1);
    expect(document.error?.code).toBe("SERVER_UNKNOWN");
    expect(document.error?.message).toContain("pass --server results");
    expect(document.error?.details).toMatchObject({ server: "results" });
    // With another server passed, the bridge's own message gets the same hint.
    const other = await execute([
      "--server",
      "everything",
      "-e",
      "return await callTool('results', 'ok', {})",
    ]);
    expect(other.document.error?.message).toContain("allowed servers: everything");
    expect(other.document.error?.message).toContain("pass --server results");
    // A name nobody configured gets no hint.
    const unknown = await execute(["-e", "return await callTool('nowhere', 'x', {})"]);
    expect(unknown.document.error?.code).toBe("SERVER_UNKNOWN");
    expect(unknown.document.error?.message).not.toContain("--server");
  });

  it("--all-servers makes every configured, enabled server callable with its API generated", async () => {
    const config = sandbox.write(
      "all-servers.json",
      JSON.stringify({
        mcpServers: {
          everything: { command: EVERYTHING_BIN },
          results: fixtureCommand("results"),
          off: { command: "/nonexistent/off", disabled: true },
        },
      }),
    );
    const { result, document } = await execute([
      "--config",
      config,
      "--all-servers",
      "-e",
      "return [listFiles('/mcp-tools/servers'), await callTool('everything', 'echo', { message: 'x' })]",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(document.result).toEqual([["everything/", "results/"], "Echo: x"]);
  });

  it("--all-servers leaves out a server it cannot reach, with a warning", async () => {
    const config = sandbox.write(
      "all-servers-broken.json",
      JSON.stringify({
        mcpServers: {
          everything: { command: EVERYTHING_BIN },
          broken: { command: "/nonexistent/broken-server" },
        },
      }),
    );
    const { result, document } = await execute([
      "--config",
      config,
      "--all-servers",
      "-e",
      "return listFiles('/mcp-tools/servers')",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(document.result).toEqual(["everything/"]);
    expect(result.stderr).toContain("left out server broken");
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

  it("an ad-hoc server after -- with --env", async () => {
    const { result, document } = await execute([
      "--env",
      "MCP_EXECUTE_MARK=yes",
      "--name",
      "adhoc",
      "-e",
      "const env: any = await callTool('adhoc', 'get-env', {}); return env.MCP_EXECUTE_MARK",
      "--",
      EVERYTHING_BIN,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(document.result).toBe("yes");
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

describe("skills", () => {
  it("runs from a saved skill; a tampered skill is refused with exit 6", async () => {
    const saved = await runMain(sandbox, ["generate", "everything", "-o", "skill-out", "--save-skill", "-q"]);
    expect(saved.code, saved.stderr).toBe(0);
    sandbox.write(
      "work/from-skill.ts",
      'import { getSum } from "./servers/everything/get-sum.ts";\nexport default await getSum({ a: 40, b: 2 });\n',
    );
    const ok = await execute(["from-skill.ts", "--skill", "everything"]);
    expect(ok.result.code, ok.result.stderr).toBe(0);
    expect(ok.document.result).toBe("The sum of 40 and 2 is 42.");

    appendFileSync(
      join(sandbox.cwd, ".claude/skills/everything/servers/everything/get-sum.ts"),
      "\n// changed\n",
    );
    const tampered = await execute(["from-skill.ts", "--skill", "everything"]);
    expect(tampered.result.code).toBe(6);
    expect(tampered.document).toMatchObject({ ok: false, error: { code: "INTEGRITY" } });
  });

  it("refuses a skill whose server changed its tools (exit 6) unless --accept-tool-changes", async () => {
    // changing-tools alternates its tool list on every start: generation 1 is saved here.
    const saved = await runMain(sandbox, [
      "generate",
      "changing",
      "-o",
      "changing-out",
      "--save-skill",
      "-q",
    ]);
    expect(saved.code, saved.stderr).toBe(0);
    const run = ["-e", "return await callTool('changing', 'stable', {})", "--skill", "changing"];
    const changed = await execute(run); // generation 2
    expect(changed.result.code).toBe(6);
    expect(changed.document.error).toMatchObject({
      code: "FINGERPRINT_MISMATCH",
      details: { added: ["beta"], changed: ["alpha"], removed: [] },
    });
    const same = await execute(run); // generation 3: the same tools as generation 1
    expect(same.result.code, same.result.stderr).toBe(0);
    const accepted = await execute([...run, "--accept-tool-changes"]); // generation 4
    expect(accepted.result.code, accepted.result.stderr).toBe(0);
    expect(accepted.result.stderr).toContain("changed since skill changing was saved");
  });

  it("a skill whose server is not configured is SERVER_UNKNOWN", async () => {
    const skills = join(sandbox.root, "other-skills");
    const saved = await runMain(sandbox, [
      "generate",
      "everything",
      "-o",
      "other-out",
      "--save-skill",
      "--skills-dir",
      skills,
      "-q",
    ]);
    expect(saved.code, saved.stderr).toBe(0);
    const empty = sandbox.write("empty.json", '{"mcpServers":{}}');
    const result = await runMain(sandbox, [
      "execute",
      "--json",
      "--config",
      empty,
      "--skills-dir",
      skills,
      "--skill",
      "everything",
      "-e",
      "return 1",
    ]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({
      error: { code: "SERVER_UNKNOWN", details: { skill: "everything", server: "everything" } },
    });
  });
});

describe("WebAssembly components", () => {
  it("runs the example component against server-everything", async () => {
    const component = join(REPO_ROOT, "examples/wasm-component/everything-tools.wasm");
    const { result, document } = await execute([component, "--server", "everything"]);
    expect(result.code, result.stderr).toBe(0);
    expect(document).toMatchObject({
      ok: true,
      result: {
        echo: "Echo: hello from a WebAssembly component",
        sum: "The sum of 19 and 23 is 42.",
        missingTool: "TOOL_UNKNOWN",
      },
    });
    expect(Object.keys(document).sort()).toEqual(["logs", "ok", "result", "stats"]);
  }, 60_000);
});
