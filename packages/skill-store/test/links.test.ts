/**
 * Regression (issue 11.1, 11.7): a hostile file tree (a cloned repository can ship links) never
 * makes a write, a removal or a read go through a symbolic link. Links to outside files and
 * folders are planted at every level of the output tree and of the skills directory; each
 * operation is refused with PATH_INVALID (or the link is treated as not ours) and the outside
 * file or folder is left exactly as it was. (A FIFO, which takes `mkfifo` to make, is in
 * links.e2e.test.ts.)
 */

import {
  existsSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { isMcpCliError, skillId } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { writeContainedFile } from "../src/contained-path.js";
import { FileSkillStore } from "../src/file-skill-store.js";
import { MAX_LOCK_FILE_BYTES } from "../src/lock.js";
import { readTreeManifests, writeGeneratedTree } from "../src/output-tree.js";
import { fixtureInput, useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();
const NAME = skillId("demo-skill");

async function codeOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    if (isMcpCliError(error)) return error.code;
    throw error;
  }
  return undefined;
}

/** An outside folder with one file, and a function that says it is untouched. */
function outside(): { dir: string; file: string; untouched: () => void } {
  const dir = join(temp.path, "outside");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "secret.txt");
  writeFileSync(file, "keep me\n");
  return {
    dir,
    file,
    untouched: () => {
      expect(readFileSync(file, "utf8")).toBe("keep me\n");
      expect(readdirNames(dir)).toEqual(["secret.txt"]);
    },
  };
}

function readdirNames(dir: string): string[] {
  return readdirSync(dir).sort();
}

const TREE = [
  { path: "SKILL.md", contents: "# skill\n" },
  { path: "REFERENCE.md", contents: "# reference\n" },
  { path: "servers/demo/index.ts", contents: "export {};\n" },
  { path: "servers/demo/tool.ts", contents: "export const x = 1;\n" },
  { path: "servers/demo/manifest.json", contents: "{}\n" },
];

describe("the generated output tree (generate -o DIR)", () => {
  it.each([
    ["the output folder itself", "out", "dir"],
    ["SKILL.md", "out/SKILL.md", "file"],
    ["REFERENCE.md", "out/REFERENCE.md", "file"],
    ["servers/", "out/servers", "dir"],
    ["servers/<server>/", "out/servers/demo", "dir"],
    ["a tool file", "out/servers/other/tool.ts", "file"],
    ["manifest.json", "out/servers/other/manifest.json", "file"],
  ] as const)("a link as %s is refused with PATH_INVALID", async (_label, link, kind) => {
    const target = outside();
    const out = join(temp.path, "out");
    mkdirSync(join(out, "servers"), { recursive: true });
    const linkPath = join(temp.path, link);
    mkdirSync(join(linkPath, ".."), { recursive: true });
    rmSync(linkPath, { recursive: true, force: true });
    symlinkSync(kind === "dir" ? target.dir : target.file, linkPath);
    const tree = [
      ...TREE,
      { path: "servers/other/tool.ts", contents: "x" },
      { path: "servers/other/manifest.json", contents: "{}" },
    ];
    expect(await codeOf(() => writeGeneratedTree(out, tree, { replaceServers: ["demo"] }))).toBe(
      "PATH_INVALID",
    );
    target.untouched();
    expect(lstatSync(linkPath).isSymbolicLink()).toBe(true);
  });

  it("links inside a server folder being replaced are removed as links, never followed", async () => {
    const target = outside();
    const out = join(temp.path, "out");
    mkdirSync(join(out, "servers/demo"), { recursive: true });
    symlinkSync(target.file, join(out, "servers/demo/tool.ts"));
    symlinkSync(target.dir, join(out, "servers/demo/nested"));
    await writeGeneratedTree(out, TREE, { replaceServers: ["demo"] });
    expect(lstatSync(join(out, "servers/demo/tool.ts")).isFile()).toBe(true);
    expect(existsSync(join(out, "servers/demo/nested"))).toBe(false);
    target.untouched();
  });

  it("regression: replacing a server's folder never deletes through a servers link", async () => {
    const target = outside();
    mkdirSync(join(target.dir, "demo"));
    writeFileSync(join(target.dir, "demo", "precious.txt"), "x");
    const out = join(temp.path, "out");
    mkdirSync(out);
    symlinkSync(target.dir, join(out, "servers"));
    expect(await codeOf(() => writeGeneratedTree(out, TREE, { replaceServers: ["demo"] }))).toBe(
      "PATH_INVALID",
    );
    expect(readFileSync(join(target.dir, "demo", "precious.txt"), "utf8")).toBe("x");
  });

  it("a hard link is replaced, not written through", async () => {
    const target = outside();
    const out = join(temp.path, "out");
    mkdirSync(out);
    linkSync(target.file, join(out, "SKILL.md"));
    await writeContainedFile(out, "SKILL.md", "new\n");
    expect(readFileSync(join(out, "SKILL.md"), "utf8")).toBe("new\n");
    target.untouched();
  });

  it("writes a whole tree when nothing is in the way, and paths cannot leave it", async () => {
    const out = join(temp.path, "fresh/out");
    await writeGeneratedTree(out, TREE);
    expect(readFileSync(join(out, "servers/demo/tool.ts"), "utf8")).toBe("export const x = 1;\n");
    for (const path of ["../escape.txt", "/etc/passwd", "servers//x", "servers/./x"]) {
      expect(await codeOf(() => writeContainedFile(out, path, "x"))).toBe("PATH_INVALID");
    }
    expect(existsSync(join(temp.path, "fresh/escape.txt"))).toBe(false);
  });

  it("reading an existing tree back skips linked server folders and manifests, naming them", async () => {
    const target = outside();
    const out = join(temp.path, "out");
    mkdirSync(join(out, "servers/real"), { recursive: true });
    writeFileSync(join(target.dir, "manifest.json"), "{}");
    symlinkSync(target.dir, join(out, "servers/linked"));
    symlinkSync(join(target.dir, "manifest.json"), join(out, "servers/real/manifest.json"));
    const read = await readTreeManifests(out);
    expect(read.manifests).toEqual([]);
    expect(read.skipped).toEqual([
      'servers/"linked" is not a plain folder (a link, a file or an odd name)',
      'servers/"real" has a manifest.json that is a symbolic link',
    ]);
    symlinkSync(target.dir, join(temp.path, "linked-out"));
    expect(await codeOf(() => readTreeManifests(join(temp.path, "linked-out")))).toBe("PATH_INVALID");
  });
});

describe("the skills directory", () => {
  it("a skills directory that is a link is refused for every operation", async () => {
    const target = outside();
    const skills = join(temp.path, "skills");
    symlinkSync(target.dir, skills);
    const store = new FileSkillStore(skills);
    const input = await fixtureInput();
    expect(await codeOf(() => store.save(input))).toBe("PATH_INVALID");
    expect(await codeOf(() => store.list())).toBe("PATH_INVALID");
    expect(await codeOf(() => store.load(NAME))).toBe("PATH_INVALID");
    expect(await codeOf(() => store.remove(NAME))).toBe("PATH_INVALID");
    target.untouched();
  });

  it("with a base, a link between it and the skills directory (.claude -> elsewhere) is refused before any mkdir", async () => {
    const target = outside();
    const project = join(temp.path, "project");
    mkdirSync(project);
    symlinkSync(target.dir, join(project, ".claude"));
    const store = new FileSkillStore(join(project, ".claude", "skills"), { base: project });
    expect(await codeOf(async () => store.save(await fixtureInput()))).toBe("PATH_INVALID");
    expect(await codeOf(() => store.list())).toBe("PATH_INVALID");
    target.untouched();
    // Without a link on the way the same layout is created as real folders.
    rmSync(join(project, ".claude"));
    await store.save(await fixtureInput());
    expect(lstatSync(join(project, ".claude")).isDirectory()).toBe(true);
  });

  it("a skill folder that is a link is neither replaced, loaded nor removed", async () => {
    const target = outside();
    const skills = join(temp.path, "skills");
    mkdirSync(skills);
    symlinkSync(target.dir, join(skills, NAME));
    const store = new FileSkillStore(skills);
    expect(await codeOf(async () => store.save(await fixtureInput()))).toBe("PATH_INVALID");
    expect(await codeOf(() => store.load(NAME))).toBe("PATH_INVALID");
    expect(await codeOf(() => store.remove(NAME, { force: true }))).toBe("PATH_INVALID");
    expect(readlinkSync(join(skills, NAME))).toBe(target.dir);
    target.untouched();
  });

  it("metadata.json and checksum.blake3 that are links do not make a foreign folder ours", async () => {
    const target = outside();
    const skills = join(temp.path, "skills");
    const store = new FileSkillStore(skills);
    await store.save(await fixtureInput());
    // Plant a look-alike folder whose metadata and checksum files are links to a real skill's.
    const fake = join(skills, "fake-skill");
    mkdirSync(fake);
    symlinkSync(join(skills, NAME, "metadata.json"), join(fake, "metadata.json"));
    symlinkSync(join(skills, NAME, "checksum.blake3"), join(fake, "checksum.blake3"));
    writeFileSync(join(fake, "mine.txt"), "hand-written");
    expect(await codeOf(() => store.remove("fake-skill"))).toBe("SKILL_NOT_FOUND");
    expect(readFileSync(join(fake, "mine.txt"), "utf8")).toBe("hand-written");
    // A saved skill whose checksum.blake3 became a link fails verification instead of reading through it.
    const checksum = join(skills, NAME, "checksum.blake3");
    rmSync(checksum);
    symlinkSync(target.file, checksum);
    const report = await store.verify(NAME);
    expect(report.ok).toBe(false);
    expect([...report.changed, ...report.missing]).toContain("checksum.blake3");
    target.untouched();
  });
});

describe("lock files are inert (issue 11.7)", () => {
  it("a lock that is a link to an outside file is never read or followed, and is broken by age", async () => {
    const target = outside();
    const skills = join(temp.path, "skills");
    mkdirSync(skills);
    const lock = join(skills, `.${NAME}.lock`);
    symlinkSync(target.file, lock);
    const past = new Date(Date.now() - 120_000);
    lutimesSync(lock, past, past);
    const messages: string[] = [];
    const store = new FileSkillStore(skills, {
      staleLockMs: 60_000,
      onDiagnostic: (diagnostic) => messages.push(diagnostic.message),
    });
    await store.save(await fixtureInput());
    expect(existsSync(lock)).toBe(false);
    target.untouched();
    expect(messages.join("\n")).not.toContain("keep me");
  });

  it("a lock with an mtime far in the future and a live foreign pid does not hold forever", async () => {
    const skills = join(temp.path, "skills");
    mkdirSync(skills);
    const lock = join(skills, `.${NAME}.lock`);
    // pid 1 is alive on every Unix system and is not this process.
    writeFileSync(lock, JSON.stringify({ pid: 1, host: hostname(), token: "x", createdAt: 0 }));
    const future = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
    utimesSync(lock, future, future);
    const store = new FileSkillStore(skills, { staleLockMs: 60_000, lockTimeoutMs: 5_000 });
    await store.save(await fixtureInput());
    expect((await store.verify(NAME)).ok).toBe(true);
  });

  it("an oversized lock file is not read and its contents never reach a message", async () => {
    const skills = join(temp.path, "skills");
    mkdirSync(skills);
    const lock = join(skills, `.${NAME}.lock`);
    const hostile = `{"pid":${process.pid},"host":"\u001b[31mEVIL","token":"t","createdAt":0}`;
    writeFileSync(lock, hostile + " ".repeat(MAX_LOCK_FILE_BYTES));
    const store = new FileSkillStore(skills, { lockTimeoutMs: 200 });
    const error: unknown = await store.save(await fixtureInput()).catch((caught: unknown) => caught);
    expect(isMcpCliError(error, "SKILL_LOCKED")).toBe(true);
    expect((error as Error).message).toContain("locked by another process");
    expect(JSON.stringify((error as { details?: unknown }).details)).not.toContain("EVIL");
  });

  it("a lock record with a control character in its host is not believed, nor printed", async () => {
    const skills = join(temp.path, "skills");
    mkdirSync(skills);
    const lock = join(skills, `.${NAME}.lock`);
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: "a\u001b]0;pwned\u0007", token: "t", createdAt: 0 }),
    );
    const store = new FileSkillStore(skills, { lockTimeoutMs: 200 });
    const error: unknown = await store.save(await fixtureInput()).catch((caught: unknown) => caught);
    expect(isMcpCliError(error, "SKILL_LOCKED")).toBe(true);
    expect(
      JSON.stringify({
        message: (error as Error).message,
        details: (error as { details?: unknown }).details,
      }),
    ).not.toContain("pwned");
  });
});
