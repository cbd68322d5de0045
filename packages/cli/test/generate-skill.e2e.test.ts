/**
 * `generate` (tree on disk, token report, --save-skill with both scopes) and `skill list | info |
 * load | remove | verify`, against server-everything over stdio, with a tampered skill for exit 6.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, EVERYTHING_BIN, parseDocument, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN } } }),
  );
});
afterAll(() => sandbox.remove());

interface GenerateDocument {
  ok: true;
  server: string;
  output: string;
  files: string[];
  fingerprint: string;
  tokens: { encoding: string; fullListing: number; skill: number; oneTool: { average: number } };
  skill?: { name: string; directory: string; toolCount: number };
}

describe("generate", () => {
  it("writes the tree to ./mcp-tools and reports tokens", async () => {
    const result = await runMain(sandbox, ["generate", "everything"]);
    expect(result.code, result.stderr).toBe(0);
    const out = join(sandbox.cwd, "mcp-tools");
    for (const path of [
      "SKILL.md",
      "REFERENCE.md",
      "servers/everything/index.ts",
      "servers/everything/echo.ts",
      "servers/everything/manifest.json",
    ]) {
      expect(existsSync(join(out, path)), path).toBe(true);
      expect(result.stdout).toContain(`  ${path}`);
    }
    expect(result.stdout).toMatch(/Wrote 20 files for everything \(16 tools\) to mcp-tools\//);
    expect(result.stdout).toMatch(/full tools\/list listing\s+[\d,]+/);
    expect(result.stdout).toMatch(/SKILL\.md \+ one tool file \(average\)\s+[\d,]+\s+[\d.]+% of the listing/);
    expect(readFileSync(join(out, "servers/everything/echo.ts"), "utf8")).toContain(
      "export async function echo",
    );
  });

  it("--json lists the files and the measured token report", async () => {
    const result = await runMain(sandbox, ["generate", "everything", "-o", "out-json", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const document = parseDocument(result) as unknown as GenerateDocument;
    expect(document.output).toBe(join(sandbox.cwd, "out-json"));
    expect(document.files).toContain("servers/everything/get-sum.ts");
    expect(document.tokens.encoding).toBe("o200k_base");
    expect(document.tokens.fullListing).toBeGreaterThan(document.tokens.oneTool.average);
    expect(document.skill).toBeUndefined();
  });

  it("replaces the server's directory, so a tool that disappeared does not linger", async () => {
    const stale = sandbox.write("work/out-stale/servers/everything/removed-tool.ts", "export {};\n");
    const other = sandbox.write("work/out-stale/servers/other/keep.ts", "export {};\n");
    const result = await runMain(sandbox, ["generate", "everything", "-o", "out-stale", "-q"]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(other)).toBe(true);
  });

  it("refuses an output path that is a file", async () => {
    sandbox.write("work/a-file", "x");
    const result = await runMain(sandbox, ["generate", "everything", "-o", "a-file", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "PATH_INVALID" } });
  });

  it("regression: never writes through a SKILL.md link nor deletes through a servers link (PATH_INVALID)", async () => {
    const secret = sandbox.write("outside/secret.txt", "keep me\n");
    const victim = sandbox.write("outside/everything/precious.txt", "x");
    mkdirSync(join(sandbox.cwd, "linked-skill"), { recursive: true });
    symlinkSync(secret, join(sandbox.cwd, "linked-skill/SKILL.md"));
    const first = await runMain(sandbox, ["generate", "everything", "-o", "linked-skill", "--json"]);
    expect(first.code).toBe(1);
    expect(parseDocument(first)).toMatchObject({ error: { code: "PATH_INVALID" } });
    mkdirSync(join(sandbox.cwd, "linked-servers"), { recursive: true });
    symlinkSync(join(sandbox.root, "outside"), join(sandbox.cwd, "linked-servers/servers"));
    const second = await runMain(sandbox, ["generate", "everything", "-o", "linked-servers", "--json"]);
    expect(second.code).toBe(1);
    expect(parseDocument(second)).toMatchObject({ error: { code: "PATH_INVALID" } });
    symlinkSync(join(sandbox.root, "outside"), join(sandbox.cwd, "linked-out"));
    const third = await runMain(sandbox, ["generate", "everything", "-o", "linked-out", "--json"]);
    expect(third.code).toBe(1);
    expect(parseDocument(third)).toMatchObject({ error: { code: "PATH_INVALID" } });
    expect(readFileSync(secret, "utf8")).toBe("keep me\n");
    expect(readFileSync(victim, "utf8")).toBe("x");
  });

  it("regression: --save-skill never writes through a linked .claude folder (PATH_INVALID)", async () => {
    const elsewhere = join(sandbox.root, "elsewhere");
    mkdirSync(elsewhere, { recursive: true });
    const project = join(sandbox.cwd, "linked-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, ".mcp.json"),
      JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN } } }),
    );
    symlinkSync(elsewhere, join(project, ".claude"));
    const result = await runMain(sandbox, ["generate", "everything", "--save-skill", "--json"], {
      cwd: project,
    });
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "PATH_INVALID" } });
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("refuses an invalid skill name before starting the server", async () => {
    const result = await runMain(sandbox, [
      "generate",
      "everything",
      "--save-skill",
      "Claude Tools",
      "--json",
    ]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "NAME_INVALID" } });
  });

  it("--scope without --save-skill is a usage error", async () => {
    const result = await runMain(sandbox, ["generate", "everything", "--scope", "user", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
  });
});

describe("skills", () => {
  it("saves a skill in the project scope by default and in the user scope on request", async () => {
    const project = await runMain(sandbox, ["generate", "everything", "--save-skill", "--json"]);
    expect(project.code, project.stderr).toBe(0);
    const saved = (parseDocument(project) as unknown as GenerateDocument).skill;
    expect(saved).toMatchObject({
      name: "everything",
      toolCount: 16,
      directory: join(sandbox.cwd, ".claude/skills/everything"),
    });
    for (const file of [
      "SKILL.md",
      "REFERENCE.md",
      "metadata.json",
      "vfs.json",
      "checksum.blake3",
      "servers/everything/echo.ts",
    ]) {
      expect(existsSync(join(saved?.directory ?? "", file)), file).toBe(true);
    }
    const user = await runMain(sandbox, [
      "generate",
      "everything",
      "-o",
      "out-user",
      "--save-skill",
      "demo-tools",
      "--description",
      "Echo and sum numbers. Use when a task needs server-everything.",
      "--scope",
      "user",
    ]);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toContain(
      `Saved skill demo-tools to ${join(sandbox.home, ".claude/skills/demo-tools")}`,
    );
    expect(readFileSync(join(sandbox.home, ".claude/skills/demo-tools/SKILL.md"), "utf8")).toMatch(
      /^---\nname: demo-tools\ndescription: Echo and sum numbers\. Use when a task needs server-everything\.\n/,
    );
  });

  it("lists skills per scope and directory", async () => {
    const project = parseDocument(await runMain(sandbox, ["skill", "list", "--json"])) as {
      skills: { name: string }[];
    };
    expect(project.skills.map((skill) => skill.name)).toEqual(["everything"]);
    const user = await runMain(sandbox, ["skill", "list", "--scope", "user"]);
    expect(user.stdout).toMatch(/demo-tools\s+everything\s+16\s+\d{4}-\d\d-\d\d\s+Echo and sum numbers/);
    const viaEnv = parseDocument(
      await runMain(sandbox, ["skill", "list", "--json"], {
        env: { MCP_CLI_SKILLS_DIR: join(sandbox.home, ".claude/skills") },
      }),
    ) as { skills: { name: string }[] };
    expect(viaEnv.skills.map((skill) => skill.name)).toEqual(["demo-tools"]);
    const viaFlag = parseDocument(
      await runMain(sandbox, [
        "skill",
        "list",
        "--json",
        "--skills-dir",
        join(sandbox.home, ".claude/skills"),
      ]),
    ) as { skills: { name: string }[] };
    expect(viaFlag.skills.map((skill) => skill.name)).toEqual(["demo-tools"]);
  });

  it("shows info and loads a verified skill", async () => {
    const info = await runMain(sandbox, ["skill", "info", "everything", "--json"]);
    expect(parseDocument(info)).toMatchObject({
      ok: true,
      skill: { name: "everything", server: "everything", toolCount: 16 },
    });
    const load = await runMain(sandbox, ["skill", "load", "everything"]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toMatch(/^---\nname: everything\n/);
    const loadJson = parseDocument(await runMain(sandbox, ["skill", "load", "everything", "--json"])) as {
      files: { path: string }[];
    };
    expect(loadJson.files.map((file) => file.path)).toContain("servers/everything/get-sum.ts");
  });

  it("verify passes, then fails with exit 6 once a file is changed; load refuses it", async () => {
    const ok = await runMain(sandbox, ["skill", "verify", "everything", "--json"]);
    expect(ok.code).toBe(0);
    expect(parseDocument(ok)).toMatchObject({ ok: true, verification: { ok: true } });

    const target = join(sandbox.cwd, ".claude/skills/everything/servers/everything/echo.ts");
    const original = readFileSync(target, "utf8");
    appendFileSync(target, "\n// tampered\n");
    const failed = await runMain(sandbox, ["skill", "verify", "everything", "--json"]);
    expect(failed.code).toBe(6);
    expect(parseDocument(failed)).toMatchObject({
      ok: false,
      error: { code: "INTEGRITY", details: { changed: ["servers/everything/echo.ts"] } },
    });
    const human = await runMain(sandbox, ["skill", "verify", "everything"]);
    expect(human.code).toBe(6);
    expect(human.stdout).toContain("changed  servers/everything/echo.ts");
    const load = await runMain(sandbox, ["skill", "load", "everything", "--json"]);
    expect(load.code).toBe(6);
    expect(parseDocument(load)).toMatchObject({ error: { code: "INTEGRITY" } });
    writeFileSync(target, original);
    expect((await runMain(sandbox, ["skill", "verify", "everything"])).code).toBe(0);
  });

  it("unknown and invalid names: exit 1", async () => {
    const missing = await runMain(sandbox, ["skill", "info", "nope", "--json"]);
    expect(missing.code).toBe(1);
    expect(parseDocument(missing)).toMatchObject({ error: { code: "SKILL_NOT_FOUND" } });
    const invalid = await runMain(sandbox, ["skill", "remove", "../etc", "--json"]);
    expect(invalid.code).toBe(1);
    expect(parseDocument(invalid)).toMatchObject({ error: { code: "NAME_INVALID" } });
  });

  it("removes a skill", async () => {
    const result = await runMain(sandbox, ["skill", "remove", "demo-tools", "--scope", "user", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(sandbox.home, ".claude/skills/demo-tools"))).toBe(false);
    const again = await runMain(sandbox, ["skill", "remove", "demo-tools", "--scope", "user"]);
    expect(again.code).toBe(1);
  });
});
