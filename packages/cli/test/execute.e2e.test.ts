/**
 * `execute` with servers (it starts them): servers generated live and saved skills (with the
 * integrity and fingerprint checks, exit 6), --max-calls, a WebAssembly component. Real
 * server-everything and fixtures over stdio; the CLI runs in-process. See execute.test.ts for the rest.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { executeJson } from "./execute-document.js";
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

async function execute(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return executeJson(sandbox, args, options);
}

describe("limits exit 5", () => {
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
