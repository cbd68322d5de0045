/**
 * Saves of one skill never interleave: not inside one process, not across processes; a stale lock
 * is broken and a live one is waited for; readers see a whole version while saves run.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { type Diagnostic, isMcpCliError, skillId } from "@mcp-execution/core";
import { beforeAll, describe, expect, it } from "vitest";
import { FileSkillStore } from "../src/file-skill-store.js";
import { requireBuild, runChild, sideEntries, startChild, waitForLine } from "./child-process.js";
import { fixtureInput, useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();
const NAME = skillId("demo-skill");

beforeAll(() => requireBuild());

/** Checks that lock events alternate locked/unlocking with the same owner; returns the number of saves. */
function expectNoInterleaving(events: readonly { owner: string; event: string }[]): number {
  let holder: string | undefined;
  let saves = 0;
  for (const [index, { owner, event }] of events.entries()) {
    if (event === "locked") {
      expect(holder, `event ${index}: ${owner} locked while ${holder} held the lock`).toBeUndefined();
      holder = owner;
    } else {
      expect(holder, `event ${index}: ${owner} released a lock it did not hold`).toBe(owner);
      holder = undefined;
      saves++;
    }
  }
  expect(holder).toBeUndefined();
  return saves;
}

function lockEvents(diagnostics: readonly Diagnostic[]): { owner: string; event: string }[] {
  return diagnostics.flatMap((diagnostic) => {
    const match = /^save [a-z0-9-]+: (locked|unlocking)$/.exec(diagnostic.message);
    return match === null ? [] : [{ owner: "store", event: match[1] as string }];
  });
}

async function deadPid(): Promise<number> {
  const result = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(result.stdout.toString("utf8"));
}

describe("concurrent saves", () => {
  it("in one process are serialized by the lock and end with one whole version", async () => {
    const diagnostics: Diagnostic[] = [];
    const store = new FileSkillStore(temp.path, {
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    });
    const inputs = await Promise.all(
      ["v0", "v1", "v2", "v3", "v4", "v5"].map((version) => fixtureInput({ version, toolCount: 4 })),
    );
    await Promise.all(inputs.map((input) => store.save(input)));
    expect(expectNoInterleaving(lockEvents(diagnostics))).toBe(6);
    expect((await store.verify(NAME)).ok).toBe(true);
    const loaded = await store.load(NAME);
    loaded.vfs.dispose();
    expect(inputs.map((input) => input.generatorVersion)).toContain(loaded.metadata.generatorVersion);
    expect(sideEntries(temp.path)).toEqual([]);
  });

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

  it("held by a live process makes a save wait, then fail with SKILL_LOCKED", async () => {
    const store = new FileSkillStore(temp.path, { lockTimeoutMs: 300 });
    const lock = join(temp.path, `.${NAME}.lock`);
    // This test process is alive; a record from another host is judged by age only.
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: hostname(), token: "live", createdAt: Date.now() }),
    );
    let error: unknown;
    try {
      await store.save(await fixtureInput());
    } catch (caught) {
      error = caught;
    }
    expect(isMcpCliError(error, "SKILL_LOCKED")).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`locked by process ${process.pid} \\(`));
    expect(readFileSync(lock, "utf8")).toContain('"token":"live"');
    expect(sideEntries(temp.path)).toEqual([`.${NAME}.lock`]);
  });

  it("older than the stale age is broken even if its process id is alive", async () => {
    const store = new FileSkillStore(temp.path, { staleLockMs: 1_000, lockTimeoutMs: 5_000 });
    const lock = join(temp.path, `.${NAME}.lock`);
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: "another-host", token: "old", createdAt: 0 }),
    );
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    await store.save(await fixtureInput());
    expect(sideEntries(temp.path)).toEqual([]);
  });

  it("taken over during a save (judged stale by another process) makes the save give up before its commit", async () => {
    const lock = join(temp.path, `.${NAME}.lock`);
    const takeover = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      token: "thief",
      createdAt: Date.now(),
    });
    const store = new FileSkillStore(temp.path, {
      onDiagnostic: (diagnostic) => {
        if (diagnostic.message.endsWith(": staging synced")) writeFileSync(lock, takeover);
      },
    });
    await new FileSkillStore(temp.path).save(await fixtureInput({ version: "old" }));
    let error: unknown;
    try {
      await store.save(await fixtureInput({ version: "new" }));
    } catch (caught) {
      error = caught;
    }
    expect(isMcpCliError(error, "SKILL_LOCKED")).toBe(true);
    expect((error as Error).message).toMatch(/taken over/);
    // The other owner's lock is left alone; the old version is intact; the staging copy is gone.
    expect(readFileSync(lock, "utf8")).toBe(takeover);
    expect(sideEntries(temp.path)).toEqual([`.${NAME}.lock`]);
    const loaded = await new FileSkillStore(temp.path, { lockTimeoutMs: 100 }).load(NAME);
    loaded.vfs.dispose();
    expect(loaded.metadata.generatorVersion).toBe("0.1.0-old");
  });
});

describe("a save that fails between its two renames", () => {
  it("puts the old version back", async () => {
    const store = new FileSkillStore(temp.path, {
      onDiagnostic: (diagnostic) => {
        if (diagnostic.message.endsWith(": old version moved aside")) throw new Error("injected failure");
      },
    });
    await new FileSkillStore(temp.path).save(await fixtureInput({ version: "old" }));
    await expect(store.save(await fixtureInput({ version: "new" }))).rejects.toThrow("injected failure");
    expect(sideEntries(temp.path)).toEqual([]);
    const loaded = await new FileSkillStore(temp.path).load(NAME);
    loaded.vfs.dispose();
    expect(loaded.verification.ok).toBe(true);
    expect(loaded.metadata.generatorVersion).toBe("0.1.0-old");
  });
});
