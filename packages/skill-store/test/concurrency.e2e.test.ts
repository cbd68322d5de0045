/**
 * Saves of one skill across processes (child processes running the built package: fixtures/save-child.mjs):
 * three processes never hold the lock together; a reader sees a whole version while another
 * process keeps saving; the lock of a process that is gone is broken. In-process cases are in
 * concurrency.test.ts.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { type Diagnostic, skillId } from "@mcp-execution/core";
import { beforeAll, describe, expect, it } from "vitest";
import { FileSkillStore } from "../src/file-skill-store.js";
import { requireBuild, runChild, sideEntries, startChild, waitForLine } from "./child-process.js";
import { fixtureInput, useTempDirectory } from "./fixture.js";
import { expectNoInterleaving } from "./lock-order.js";

const temp = useTempDirectory();
const NAME = skillId("demo-skill");

beforeAll(() => requireBuild());

async function deadPid(): Promise<number> {
  const result = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(result.stdout.toString("utf8"));
}

describe("concurrent saves", () => {
  it("from three processes never hold the lock together and end with one whole version", async () => {
    const skills = join(temp.path, "skills");
    const log = join(temp.path, "lock.log");
    writeFileSync(log, "");
    const paths = await Promise.all(
      ["p0", "p1", "p2"].map(async (version) => {
        const path = join(temp.path, `${version}.json`);
        writeFileSync(path, JSON.stringify(await fixtureInput({ version, toolCount: 4 })));
        return path;
      }),
    );
    const results = await Promise.all(
      paths.map((input) => runChild({ mode: "repeat", skillsDirectory: skills, input, times: 4, log })),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const events = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const [owner = "", event = ""] = line.split(" ");
        return { owner, event };
      });
    expect(new Set(events.map((event) => event.owner)).size).toBe(3);
    expect(expectNoInterleaving(events)).toBe(12);
    const store = new FileSkillStore(skills);
    expect((await store.verify(NAME)).ok).toBe(true);
    expect(sideEntries(skills)).toEqual([]);
  });

  it("readers always see a whole version while another process keeps saving", async () => {
    const skills = join(temp.path, "skills");
    const store = new FileSkillStore(skills);
    const a = await fixtureInput({ version: "ra", toolCount: 6 });
    const b = await fixtureInput({ version: "rb", toolCount: 6 });
    writeFileSync(join(temp.path, "a.json"), JSON.stringify(a));
    writeFileSync(join(temp.path, "b.json"), JSON.stringify(b));
    await store.save(a);
    const { child, done } = startChild({
      mode: "loop",
      skillsDirectory: skills,
      inputs: [join(temp.path, "b.json"), join(temp.path, "a.json")],
    });
    try {
      await waitForLine(child, "ready ");
      const versions = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const loaded = await store.load(NAME);
        loaded.vfs.dispose();
        expect(loaded.verification.ok).toBe(true);
        versions.add(loaded.metadata.generatorVersion);
        const summaries = await store.list();
        expect(summaries.map((summary) => summary.name)).toEqual([NAME]);
      }
      expect([...versions].every((version) => ["0.1.0-ra", "0.1.0-rb"].includes(version))).toBe(true);
    } finally {
      child.kill("SIGKILL");
      await done;
    }
  });
});

describe("the lock file", () => {
  it("is broken when its owner process is gone", async () => {
    const diagnostics: Diagnostic[] = [];
    const store = new FileSkillStore(temp.path, {
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    });
    const pid = await deadPid();
    writeFileSync(
      join(temp.path, `.${NAME}.lock`),
      JSON.stringify({ pid, host: hostname(), token: "dead", createdAt: Date.now() }),
    );
    await store.save(await fixtureInput());
    expect((await store.verify(NAME)).ok).toBe(true);
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: expect.stringContaining(`removed a stale lock on skill ${NAME}`),
      }),
    );
    expect(sideEntries(temp.path)).toEqual([]);
  });
});
