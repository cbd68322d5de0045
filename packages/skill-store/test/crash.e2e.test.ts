/**
 * Crash safety: a child process saving a skill is SIGKILLed at every step of the save and at
 * many random moments; afterwards the skill on disk must load and verify as the old version or
 * the new one, whole, and the next list() must clear every leftover.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMcpCliError, type SaveSkillInput, skillId } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { FileSkillStore } from "../src/file-skill-store.js";
import {
  budgetForChildren,
  measureOneChildMs,
  requireBuild,
  runChild,
  sideEntries,
  startChild,
  waitForLine,
} from "./child-process.js";
import { fixtureInput, useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();
const NAME = skillId("demo-skill");

requireBuild();
/** One child's cost here and now; each test below runs a known number of children. */
const CHILD_MS = await (async () => {
  const directory = mkdtempSync(join(tmpdir(), "skill-store-calibration-"));
  try {
    const inputPath = join(directory, "input.json");
    writeFileSync(inputPath, JSON.stringify(await fixtureInput({ version: "va" })));
    return await measureOneChildMs(join(directory, "skills"), inputPath);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
})();
/** A save reports about 16 debug steps; a replace kills one child per step plus one that completes. */
const STEP_CHILDREN = 24;
const RANDOM_KILLS = 32;

interface Versions {
  readonly a: SaveSkillInput;
  readonly b: SaveSkillInput;
  readonly aPath: string;
  readonly bPath: string;
}

async function versions(directory: string): Promise<Versions> {
  const a = await fixtureInput({ version: "va" });
  const b = await fixtureInput({ version: "vb" });
  const aPath = join(directory, "a.json");
  const bPath = join(directory, "b.json");
  writeFileSync(aPath, JSON.stringify(a));
  writeFileSync(bPath, JSON.stringify(b));
  return { a, b, aPath, bPath };
}

/** The version on disk ("va", "vb") after checking it loads and verifies whole; `undefined` if absent. */
async function versionOnDisk(store: FileSkillStore): Promise<string | undefined> {
  let loaded: Awaited<ReturnType<FileSkillStore["load"]>>;
  try {
    loaded = await store.load(NAME);
  } catch (error) {
    if (isMcpCliError(error, "SKILL_NOT_FOUND")) return undefined;
    throw error;
  }
  try {
    expect(loaded.verification.ok).toBe(true);
    const version = /^0\.1\.0-(v[ab])$/.exec(loaded.metadata.generatorVersion)?.[1];
    // Every file belongs to the same version: nothing of the other one mixed in.
    for (const file of loaded.files) {
      if (file.path.endsWith(".ts") && file.path !== "servers/demo/index.ts")
        expect(file.contents).toContain(`(${version})`);
    }
    expect(loaded.vfs.readFile("/mcp-tools/REFERENCE.md")).toContain(`(${version})`);
    return version;
  } finally {
    loaded.vfs.dispose();
  }
}

/** The debug steps of one save, in order, as the store reports them. */
async function stepsOfSave(
  directory: string,
  input: SaveSkillInput,
  over?: SaveSkillInput,
): Promise<string[]> {
  const steps: string[] = [];
  const store = new FileSkillStore(directory, {
    onDiagnostic: (diagnostic) => {
      if (diagnostic.level === "debug") steps.push(diagnostic.message.replace(/^save [a-z0-9-]+: /, ""));
    },
  });
  if (over !== undefined) await new FileSkillStore(directory).save(over);
  steps.length = 0;
  await store.save(input);
  return steps.map((step) => (step.startsWith("staged ") ? "staged" : step));
}

describe("SIGKILL during save", () => {
  it(
    "at every step of replacing a skill leaves the old version before the swap and the new one after",
    async () => {
      const { a, b, aPath, bPath } = await versions(temp.path);
      const skills = join(temp.path, "skills");
      const steps = await stepsOfSave(join(temp.path, "probe"), b, a);
      expect(steps.slice(-6)).toEqual([
        "staging synced",
        "old version moved aside",
        "new version in place",
        "skills directory synced",
        "old version removed",
        "unlocking",
      ]);
      const commit = steps.indexOf("new version in place") + 1;
      const store = new FileSkillStore(skills);
      await store.save(a);
      let current = "va";
      for (let killAt = 1; killAt <= steps.length + 1; killAt++) {
        const next = current === "va" ? "vb" : "va";
        const result = await runChild({
          mode: "step",
          skillsDirectory: skills,
          input: next === "va" ? aPath : bPath,
          killAtStep: killAt,
        });
        if (killAt <= steps.length) expect(result.signal, result.stderr).toBe("SIGKILL");
        else expect(result.code, result.stderr).toBe(0);
        const found = await versionOnDisk(store);
        expect(found, `killed after step ${killAt} (${steps[killAt - 1] ?? "none: completed"})`).toBe(
          killAt < commit ? current : next,
        );
        await store.list();
        expect(sideEntries(skills)).toEqual([]);
        expect((await store.verify(NAME)).ok).toBe(true);
        current = found as string;
      }
    },
    budgetForChildren(STEP_CHILDREN, CHILD_MS),
  );

  it(
    "at every step of a first save leaves no skill before the swap and the whole skill after",
    async () => {
      const { b, bPath } = await versions(temp.path);
      const skills = join(temp.path, "skills");
      const steps = await stepsOfSave(join(temp.path, "probe"), b);
      expect(steps).not.toContain("old version moved aside");
      const commit = steps.indexOf("new version in place") + 1;
      const store = new FileSkillStore(skills);
      for (let killAt = 1; killAt <= steps.length; killAt++) {
        const result = await runChild({
          mode: "step",
          skillsDirectory: skills,
          input: bPath,
          killAtStep: killAt,
        });
        expect(result.signal, result.stderr).toBe("SIGKILL");
        const found = await versionOnDisk(store);
        expect(found, `killed after step ${killAt} (${steps[killAt - 1]})`).toBe(
          killAt < commit ? undefined : "vb",
        );
        await store.list();
        expect(sideEntries(skills)).toEqual([]);
        if (found !== undefined) await store.remove(NAME);
      }
    },
    budgetForChildren(STEP_CHILDREN, CHILD_MS),
  );

  it(
    `at ${RANDOM_KILLS} random moments of a save loop leaves a whole old or new version`,
    async () => {
      const { a, aPath, bPath } = await versions(temp.path);
      const skills = join(temp.path, "skills");
      const store = new FileSkillStore(skills);
      await store.save(a);
      for (let i = 0; i < RANDOM_KILLS; i++) {
        const { child, done } = startChild({ mode: "loop", skillsDirectory: skills, inputs: [bPath, aPath] });
        // The child saved once and reports how long that took; the kills are spread evenly over
        // two save cycles of the loop that follows, so they land at every stage of a save.
        const saveMs = Number((await waitForLine(child, "ready ")).slice("ready ".length));
        await new Promise((resolve) => setTimeout(resolve, ((i + 0.5) / RANDOM_KILLS) * 2 * saveMs));
        child.kill("SIGKILL");
        const result = await done;
        expect(result.signal, result.stderr).toBe("SIGKILL");
        const found = await versionOnDisk(store);
        expect(["va", "vb"]).toContain(found);
        await store.list();
        expect(sideEntries(skills)).toEqual([]);
      }
    },
    budgetForChildren(RANDOM_KILLS, CHILD_MS),
  );
});
