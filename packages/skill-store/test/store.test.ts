import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { type Diagnostic, type ErrorCode, isMcpCliError, type SkillId, skillId } from "@mcp-execution/core";
import { parseVfsSnapshot } from "@mcp-execution/vfs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CHECKSUM_HEADER, parseChecksumFile } from "../src/checksum-file.js";
import { FileSkillStore } from "../src/file-skill-store.js";
import { fingerprintOf, fixtureInput, fixtureTools, useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();
const NAME = skillId("demo-skill");

async function codeOf(action: () => Promise<unknown>): Promise<ErrorCode | "none"> {
  try {
    await action();
  } catch (error) {
    if (isMcpCliError(error)) return error.code;
    throw error;
  }
  return "none";
}

function filesUnder(root: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...filesUnder(root, path));
    else found.push(path);
  }
  return found.sort();
}

function clock(...times: string[]): () => Date {
  let index = 0;
  return () => new Date(times[Math.min(index++, times.length - 1)] as string);
}

describe("save and load", () => {
  it("round-trips a skill: layout, files, metadata, checksums, volume", async () => {
    const skills = join(temp.path, "skills");
    const store = new FileSkillStore(skills, { now: clock("2026-01-02T03:04:05.000Z") });
    const input = await fixtureInput({ toolCount: 3 });
    const summary = await store.save(input);
    const directory = join(skills, NAME);
    expect(summary).toEqual({
      name: NAME,
      description: input.description,
      server: "demo",
      toolCount: 3,
      updatedAt: "2026-01-02T03:04:05.000Z",
      directory,
    });
    expect(filesUnder(directory)).toEqual([
      "REFERENCE.md",
      "SKILL.md",
      "checksum.blake3",
      "metadata.json",
      "servers/demo/index.ts",
      "servers/demo/manifest.json",
      "servers/demo/tool_0.ts",
      "servers/demo/tool_1.ts",
      "servers/demo/tool_2.ts",
      "vfs.json",
    ]);
    // Only the skill itself: no temporary, old or lock entries left beside it.
    expect(readdirSync(skills)).toEqual([NAME]);

    const loaded = await store.load(NAME);
    try {
      expect(loaded.verification).toEqual({
        name: NAME,
        ok: true,
        changed: [],
        missing: [],
        extra: [],
        problems: [],
      });
      expect(loaded.directory).toBe(directory);
      expect(loaded.metadata).toEqual({
        name: NAME,
        description: input.description,
        server: "demo",
        serverName: "demo-server",
        serverVersion: "1.2.3",
        protocolVersion: "2025-06-18",
        toolCount: 3,
        fingerprint: input.manifest.fingerprint,
        generatorVersion: "0.1.0-v1",
        createdAt: "2026-01-02T03:04:05.000Z",
        updatedAt: "2026-01-02T03:04:05.000Z",
      });
      const byPath = new Map(loaded.files.map((file) => [file.path, file.contents]));
      expect([...byPath.keys()]).toEqual([
        "REFERENCE.md",
        "SKILL.md",
        "servers/demo/index.ts",
        "servers/demo/manifest.json",
        "servers/demo/tool_0.ts",
        "servers/demo/tool_1.ts",
        "servers/demo/tool_2.ts",
      ]);
      for (const file of input.files) {
        if (file.path !== "SKILL.md") expect(byPath.get(file.path)).toBe(file.contents);
        expect(readFileSync(join(directory, file.path), "utf8")).toBe(byPath.get(file.path));
      }
      // The volume is the sandbox's: the tree under /mcp-tools, sealed and read-only.
      expect(loaded.vfs.sealed).toBe(true);
      expect(loaded.vfs.readFile("/mcp-tools/servers/demo/tool_1.ts")).toBe(
        byPath.get("servers/demo/tool_1.ts"),
      );
      expect(() => loaded.vfs.writeFile("/mcp-tools/SKILL.md", "x")).toThrow(/read-only/);
      expect(loaded.vfs.listFiles("/workspace")).toEqual([]);
    } finally {
      loaded.vfs.dispose();
    }
  });

  it("writes SKILL.md front matter with the skill's name and description through YAML, keeping other keys", async () => {
    const store = new FileSkillStore(temp.path);
    const description = 'Calls "demo": lists #things, 100% typed; use when: you need demo tools.';
    await store.save(await fixtureInput({ description }));
    const text = readFileSync(join(temp.path, NAME, "SKILL.md"), "utf8");
    const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
    expect(match).not.toBeNull();
    expect(parseYaml(match?.[1] ?? "")).toEqual({ name: NAME, description, license: "MIT" });
    expect(match?.[2]).toBe("\n# demo (v1)\n\nImport from ./servers/demo/index.ts.\n");
  });

  it("writes checksum.blake3 in its documented format", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput());
    const text = readFileSync(join(temp.path, NAME, "checksum.blake3"), "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(CHECKSUM_HEADER);
    expect(lines.at(-1)).toMatch(/^# list [0-9a-f]{64}$/);
    const paths = lines.slice(1, -1).map((line) => {
      expect(line).toMatch(/^[0-9a-f]{64} {2}\S/);
      return line.slice(66);
    });
    expect(paths).toEqual(filesUnder(join(temp.path, NAME)).filter((path) => path !== "checksum.blake3"));
    expect((await parseChecksumFile(text)).ok).toBe(true);
  });

  it("stores the generated tree in vfs.json as a sealed snapshot of /mcp-tools", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput());
    const snapshot = parseVfsSnapshot(JSON.parse(readFileSync(join(temp.path, NAME, "vfs.json"), "utf8")));
    expect(snapshot.sealed).toBe(true);
    expect(snapshot.entries.map((entry) => entry.path)).toEqual([
      "/mcp-tools/REFERENCE.md",
      "/mcp-tools/SKILL.md",
      "/mcp-tools/servers/demo/index.ts",
      "/mcp-tools/servers/demo/manifest.json",
      "/mcp-tools/servers/demo/tool_0.ts",
      "/mcp-tools/servers/demo/tool_1.ts",
      "/mcp-tools/servers/demo/tool_2.ts",
    ]);
  });

  it("replaces a saved skill whole, keeping createdAt and dropping files the new version lacks", async () => {
    const store = new FileSkillStore(temp.path, {
      now: clock("2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"),
    });
    await store.save(await fixtureInput({ version: "v1", toolCount: 5 }));
    const summary = await store.save(await fixtureInput({ version: "v2", toolCount: 2 }));
    expect(summary.updatedAt).toBe("2026-02-01T00:00:00.000Z");
    const loaded = await store.load(NAME);
    loaded.vfs.dispose();
    expect(loaded.metadata.createdAt).toBe("2026-01-01T00:00:00.000Z");
    expect(loaded.metadata.generatorVersion).toBe("0.1.0-v2");
    expect(loaded.metadata.toolCount).toBe(2);
    expect(existsSync(join(temp.path, NAME, "servers/demo/tool_4.ts"))).toBe(false);
    expect(readFileSync(join(temp.path, NAME, "REFERENCE.md"), "utf8")).toContain("(v2)");
    expect(readdirSync(temp.path)).toEqual([NAME]);
  });

  it("creates the skills directory and every file 0600, every directory 0700", async () => {
    if (process.platform === "win32") return;
    const skills = join(temp.path, "nested", "skills");
    await new FileSkillStore(skills).save(await fixtureInput());
    const directory = join(skills, NAME);
    expect(statSync(skills).mode & 0o777).toBe(0o700);
    for (const path of ["", "servers", "servers/demo"]) {
      expect(statSync(join(directory, path)).mode & 0o777, path || "skill folder").toBe(0o700);
    }
    for (const path of filesUnder(directory)) {
      expect(lstatSync(join(directory, path)).mode & 0o777, path).toBe(0o600);
    }
  });
});

describe("list, info, remove", () => {
  it("lists saved skills sorted, skipping hand-written skills and hidden entries", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput({ name: "zeta", server: "zeta" }));
    await store.save(await fixtureInput({ name: "alpha", server: "alpha" }));
    mkdirSync(join(temp.path, "hand-written"));
    writeFileSync(
      join(temp.path, "hand-written", "SKILL.md"),
      "---\nname: hand-written\ndescription: mine\n---\n",
    );
    writeFileSync(join(temp.path, "notes.txt"), "not a skill");
    const listed = await store.list();
    expect(listed.map((skill) => [skill.name, skill.server, skill.toolCount])).toEqual([
      ["alpha", "alpha", 3],
      ["zeta", "zeta", 3],
    ]);
    expect(listed[0]?.directory).toBe(join(temp.path, "alpha"));
  });

  it("lists nothing when the skills directory does not exist", async () => {
    expect(await new FileSkillStore(join(temp.path, "absent")).list()).toEqual([]);
  });

  it("skips a saved skill with broken metadata.json and says so", async () => {
    const diagnostics: Diagnostic[] = [];
    const store = new FileSkillStore(temp.path, {
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    });
    await store.save(await fixtureInput());
    const path = join(temp.path, NAME, "metadata.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"toolCount": 3', '"toolCount": "three"'));
    expect(await store.list()).toEqual([]);
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ level: "warn", message: expect.stringMatching(/demo-skill.*toolCount/) }),
    );
  });

  it("info returns the metadata; a missing or hand-written skill is SKILL_NOT_FOUND", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput());
    expect((await store.info(NAME)).server).toBe("demo");
    expect(await codeOf(() => store.info("absent"))).toBe("SKILL_NOT_FOUND");
    mkdirSync(join(temp.path, "hand-written"));
    writeFileSync(join(temp.path, "hand-written", "SKILL.md"), "---\nname: hand-written\n---\n");
    expect(await codeOf(() => store.info("hand-written"))).toBe("SKILL_NOT_FOUND");
    expect(await codeOf(() => store.verify("hand-written"))).toBe("SKILL_NOT_FOUND");
    expect(await codeOf(() => store.load("hand-written"))).toBe("SKILL_NOT_FOUND");
    expect(await codeOf(() => store.verify("absent"))).toBe("SKILL_NOT_FOUND");
  });

  it("info refuses metadata.json that names another skill with INTEGRITY", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput());
    const path = join(temp.path, NAME, "metadata.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"name": "demo-skill"', '"name": "other-skill"'));
    expect(await codeOf(() => store.info(NAME))).toBe("INTEGRITY");
  });

  it("removes a skill and nothing else", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput());
    await store.save(await fixtureInput({ name: "other" }));
    await store.remove(NAME);
    expect(readdirSync(temp.path)).toEqual(["other"]);
    expect(await codeOf(() => store.remove(NAME))).toBe("SKILL_NOT_FOUND");
    expect(await codeOf(() => new FileSkillStore(join(temp.path, "absent")).remove(NAME))).toBe(
      "SKILL_NOT_FOUND",
    );
  });

  it("will not replace or remove a hand-written skill unless forced", async () => {
    const store = new FileSkillStore(temp.path);
    const folder = join(temp.path, NAME);
    mkdirSync(folder);
    writeFileSync(join(folder, "SKILL.md"), "---\nname: demo-skill\ndescription: mine\n---\n");
    expect(await codeOf(async () => store.save(await fixtureInput()))).toBe("FILE_EXISTS");
    expect(await codeOf(() => store.remove(NAME))).toBe("SKILL_NOT_FOUND");
    expect(readFileSync(join(folder, "SKILL.md"), "utf8")).toContain("mine");
    await store.save(await fixtureInput(), { force: true });
    expect((await store.verify(NAME)).ok).toBe(true);
    mkdirSync(join(temp.path, "mine"));
    await store.remove("mine", { force: true });
    expect(existsSync(join(temp.path, "mine"))).toBe(false);
  });

  it("refuses a skill folder that is a symlink", async () => {
    if (process.platform === "win32") return;
    const store = new FileSkillStore(join(temp.path, "skills"));
    await store.save(await fixtureInput({ name: "real" }));
    symlinkSync(join(temp.path, "skills", "real"), join(temp.path, "skills", NAME));
    expect(await codeOf(() => store.load(NAME))).toBe("PATH_INVALID");
    expect(await codeOf(async () => store.save(await fixtureInput()))).toBe("PATH_INVALID");
    expect(await codeOf(() => store.remove(NAME))).toBe("PATH_INVALID");
    expect((await store.verify("real")).ok).toBe(true);
  });
});

describe("input checks happen before the disk is touched", () => {
  const skills = (): string => join(temp.path, "never-created");

  it.each([
    ["..", "NAME_INVALID"],
    ["../escape", "NAME_INVALID"],
    ["a/b", "NAME_INVALID"],
    ["/tmp/x", "NAME_INVALID"],
    ["Demo", "NAME_INVALID"],
    ["a".repeat(65), "NAME_INVALID"],
    ["claude", "NAME_INVALID"],
    ["my-claude-tools", "NAME_INVALID"],
    ["anthropic", "NAME_INVALID"],
    ["", "NAME_INVALID"],
    ["-lead", "NAME_INVALID"],
    ["double--hyphen", "NAME_INVALID"],
  ])("the name %j is %s in every method", async (name, code) => {
    const store = new FileSkillStore(skills());
    const input = { ...(await fixtureInput()), name: name as SkillId };
    expect(await codeOf(() => store.save(input))).toBe(code);
    expect(await codeOf(() => store.load(name))).toBe(code);
    expect(await codeOf(() => store.info(name))).toBe(code);
    expect(await codeOf(() => store.verify(name))).toBe(code);
    expect(await codeOf(() => store.remove(name))).toBe(code);
    expect(await codeOf(() => store.checkFingerprint(name, input.manifest.fingerprint))).toBe(code);
    expect(existsSync(skills())).toBe(false);
  });

  it("accepts a 64-character name", async () => {
    const name = `a${"-b".repeat(31)}c`;
    expect(name).toHaveLength(64);
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput({ name }));
    expect((await store.verify(name)).ok).toBe(true);
  });

  it.each<[string, (input: Awaited<ReturnType<typeof fixtureInput>>) => object, ErrorCode]>([
    ["an empty description", (input) => ({ ...input, description: " " }), "USAGE"],
    ["a 1025-character description", (input) => ({ ...input, description: "d".repeat(1025) }), "USAGE"],
    ["a description with an XML tag", (input) => ({ ...input, description: "Use <b>now</b>" }), "USAGE"],
    ["a traversing file path", (input) => withFile(input, "../escape.ts"), "PATH_INVALID"],
    ["a traversing path inside servers", (input) => withFile(input, "servers/../../x.ts"), "PATH_INVALID"],
    ["an absolute file path", (input) => withFile(input, "/etc/passwd"), "PATH_INVALID"],
    ["a backslash path", (input) => withFile(input, "servers\\demo\\x.ts"), "PATH_INVALID"],
    ["a file outside the layout", (input) => withFile(input, "index.ts"), "PATH_INVALID"],
    ["a generated metadata.json", (input) => withFile(input, "metadata.json"), "PATH_INVALID"],
    ["a generated checksum.blake3", (input) => withFile(input, "checksum.blake3"), "PATH_INVALID"],
    ["a duplicate path", (input) => withFile(input, "servers/demo/index.ts"), "PATH_INVALID"],
    ["paths differing only in case", (input) => withFile(input, "servers/demo/INDEX.ts"), "PATH_INVALID"],
    [
      "no SKILL.md",
      (input) => ({ ...input, files: input.files.filter((file) => file.path !== "SKILL.md") }),
      "USAGE",
    ],
    [
      "a fingerprint that is not blake3",
      (input) => ({
        ...input,
        manifest: { ...input.manifest, fingerprint: { algorithm: "md5", digest: "", tools: {} } },
      }),
      "USAGE",
    ],
  ])("%s is refused", async (_name, change, code) => {
    const store = new FileSkillStore(skills());
    const input = change(await fixtureInput()) as Awaited<ReturnType<typeof fixtureInput>>;
    expect(await codeOf(() => store.save(input))).toBe(code);
    expect(existsSync(skills())).toBe(false);
  });

  it("refuses a relative skills directory", () => {
    expect(() => new FileSkillStore(".claude/skills")).toThrow(
      expect.objectContaining({ code: "PATH_INVALID" }),
    );
  });
});

function withFile(input: Awaited<ReturnType<typeof fixtureInput>>, path: string): object {
  return { ...input, files: [...input.files, { path, contents: "x" }] };
}

describe("rug-pull detection", () => {
  it("matches the saved fingerprint and reports added, removed and changed tools", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput({ tools: ["alpha", "beta", "gamma"] }));
    const same = await fingerprintOf(fixtureTools("v1", ["alpha", "beta", "gamma"]));
    expect(await store.checkFingerprint(NAME, same)).toEqual({
      name: NAME,
      server: "demo",
      matches: true,
      diff: { added: [], removed: [], changed: [] },
    });

    const tools = fixtureTools("v1", ["alpha", "gamma", "delta"]);
    tools[1] = { ...(tools[1] as (typeof tools)[number]), description: "Now deletes everything." };
    const current = await fingerprintOf(tools);
    let error: unknown;
    try {
      await store.checkFingerprint(NAME, current);
    } catch (caught) {
      error = caught;
    }
    expect(isMcpCliError(error, "FINGERPRINT_MISMATCH")).toBe(true);
    const mismatch = error as { exitCode: number; details: unknown; message: string };
    expect(mismatch.exitCode).toBe(6);
    expect(mismatch.details).toMatchObject({
      added: ["delta"],
      removed: ["beta"],
      changed: ["gamma"],
      server: "demo",
    });
    expect(mismatch.message).toMatch(/added delta; removed beta; changed gamma/);
    expect(mismatch.message).toMatch(/mcp-cli generate demo --save-skill demo-skill/);

    const accepted = await store.checkFingerprint(NAME, current, { accept: true });
    expect(accepted.matches).toBe(false);
    expect(accepted.diff).toEqual({ added: ["delta"], removed: ["beta"], changed: ["gamma"] });
  });
});
