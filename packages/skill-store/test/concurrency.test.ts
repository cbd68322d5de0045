/**
 * Saves of one skill never interleave: not inside one process, not across processes; a stale lock
 * is broken and a live one is waited for; readers see a whole version while saves run. What takes
 * other processes (saves from three of them, a reader beside a saving one, the lock of a process
 * that is gone) is in concurrency.e2e.test.ts.
 */
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { type Diagnostic, isMcpCliError, skillId } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { FileSkillStore } from "../src/file-skill-store.js";
import { sideEntries } from "./child-process.js";
import { fixtureInput, useTempDirectory } from "./fixture.js";
import { expectNoInterleaving } from "./lock-order.js";

const temp = useTempDirectory();
const NAME = skillId("demo-skill");

function lockEvents(diagnostics: readonly Diagnostic[]): { owner: string; event: string }[] {
  return diagnostics.flatMap((diagnostic) => {
    const match = /^save [a-z0-9-]+: (locked|unlocking)$/.exec(diagnostic.message);
    return match === null ? [] : [{ owner: "store", event: match[1] as string }];
  });
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
});

describe("the lock file", () => {
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
