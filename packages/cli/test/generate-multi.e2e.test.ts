/**
 * Issue 15.3: several servers in one tree. `generate a b` and `generate --all` write one SKILL.md
 * and REFERENCE.md covering all of them; generating into an existing tree adds a server instead
 * of replacing the tree's top-level files; `--save-skill` saves the combined skill. Real servers
 * (server-everything, server-memory) over stdio through the built CLI.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, EVERYTHING_BIN, parseDocument, REPO_ROOT, runCli, type Sandbox } from "./helpers.js";

const MEMORY_BIN = join(REPO_ROOT, "node_modules", ".bin", "mcp-server-memory");

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        memory: { command: MEMORY_BIN, env: { MEMORY_FILE_PATH: join(sandbox.root, "memory.jsonl") } },
        off: { command: "/nonexistent/server", disabled: true },
      },
    }),
  );
});
afterAll(() => sandbox.remove());

interface GenerateDocument {
  ok: true;
  servers: string[];
  generated: string[];
  files: string[];
  tokens: { toolCount: number };
  skill?: { name: string; directory: string; toolCount: number };
}

function skillMd(directory: string): string {
  return readFileSync(join(sandbox.cwd, directory, "SKILL.md"), "utf8");
}

describe("generate with several servers", { timeout: 120_000 }, () => {
  it("generate a b writes one tree with one SKILL.md and REFERENCE.md covering both", async () => {
    const result = await runCli(sandbox, ["generate", "everything", "memory", "-o", "both", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const document = parseDocument(result) as unknown as GenerateDocument;
    expect(document.servers).toEqual(["everything", "memory"]);
    expect(document.files.filter((path) => !path.startsWith("servers/"))).toEqual([
      "REFERENCE.md",
      "SKILL.md",
    ]);
    const skill = skillMd("both");
    expect(skill).toContain("--server everything --server memory");
    expect(skill).toMatch(/^everything: /m);
    expect(skill).toMatch(/^memory: /m);
    expect(readFileSync(join(sandbox.cwd, "both", "REFERENCE.md"), "utf8")).toContain("## Server memory");
  });

  it("generating into an existing tree adds the server and keeps the others in SKILL.md", async () => {
    const first = await runCli(sandbox, ["generate", "everything", "-o", "grow", "-q"]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(sandbox, ["generate", "memory", "-o", "grow"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("kept everything, already in the tree; SKILL.md covers all");
    expect(existsSync(join(sandbox.cwd, "grow/servers/everything/echo.ts"))).toBe(true);
    expect(skillMd("grow")).toContain("--server everything --server memory");
    // The same tree as generating both at once.
    expect(skillMd("grow")).toBe(skillMd("both"));
  });

  it("a server folder in the tree without a readable manifest is left out, with a warning", async () => {
    sandbox.write("work/odd/servers/broken/manifest.json", "{ not json");
    sandbox.write("work/odd/servers/broken/tool.ts", "export {};\n");
    const result = await runCli(sandbox, ["generate", "memory", "-o", "odd"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'servers/"broken" has a manifest.json that is not JSON; it is left out of SKILL.md',
    );
    expect(skillMd("odd")).not.toContain("broken");
    expect(readFileSync(join(sandbox.cwd, "odd/servers/broken/tool.ts"), "utf8")).toBe("export {};\n");
  });

  it("--all generates every enabled configured server", async () => {
    const result = await runCli(sandbox, ["generate", "--all", "-o", "all", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect((parseDocument(result) as unknown as GenerateDocument).generated).toEqual([
      "everything",
      "memory",
    ]);
  });

  it("--all with server names is a usage error", async () => {
    const result = await runCli(sandbox, ["generate", "--all", "everything", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
  });

  it("--save-skill saves the combined skill, which verifies and lists both servers", async () => {
    const result = await runCli(sandbox, [
      "generate",
      "everything",
      "memory",
      "-o",
      "combined",
      "--save-skill",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const saved = (parseDocument(result) as unknown as GenerateDocument).skill;
    expect(saved).toMatchObject({ name: "everything-memory" });
    const metadata = JSON.parse(readFileSync(join(saved?.directory ?? "", "metadata.json"), "utf8")) as {
      server: string;
      toolCount: number;
      servers: { server: string; toolCount: number }[];
    };
    expect(metadata.server).toBe("everything");
    expect(metadata.servers.map((entry) => entry.server)).toEqual(["everything", "memory"]);
    expect(metadata.toolCount).toBe(metadata.servers[0]!.toolCount + metadata.servers[1]!.toolCount);
    const verify = await runCli(sandbox, ["skill", "verify", "everything-memory", "--json"]);
    expect(verify.code, verify.stderr).toBe(0);
    // execute --skill connects every server of a combined skill and checks each one's fingerprint.
    const both = await runCli(sandbox, [
      "execute",
      "--no-daemon",
      "--skill",
      "everything-memory",
      "-e",
      'const sum = await callTool("everything", "get-sum", { a: 2, b: 3 }); const graph = await callTool("memory", "read_graph", {}); return { sum, entities: graph.entities.length };',
      "--json",
    ]);
    expect(both.code, both.stderr).toBe(0);
    expect(parseDocument(both)).toMatchObject({
      ok: true,
      result: { sum: "The sum of 2 and 3 is 5.", entities: 0 },
    });
    writeFileSync(join(saved?.directory ?? "", "servers/memory/read_graph.ts"), "tampered");
    const tampered = await runCli(sandbox, ["skill", "verify", "everything-memory", "--json"]);
    expect(tampered.code).toBe(6);
  });
});
