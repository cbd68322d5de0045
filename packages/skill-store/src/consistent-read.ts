/**
 * Reading a skill directory consistently while other processes may be saving it: a read spoiled
 * by a swap is retried, then done under the lock; a skill caught between a save's two renames is
 * waited for or repaired (or, in a read-only skills directory, its old version is read in place).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { McpCliError, type SkillId } from "@mcp-execution/core";
import { errorCode, readSkillTree, type SkillTree, TreeChangedError } from "./disk.js";
import { parseSideEntry, skillPath } from "./layout.js";
import { SkillLock } from "./lock.js";
import { recover } from "./recovery.js";
import { notFound, type SkillsDirectory, sleep } from "./skills-directory.js";

const UNLOCKED_READ_ATTEMPTS = 3;
const READ_ATTEMPTS = 6;

/**
 * Reads the skill directory consistently: if a save swaps it in the middle (another process),
 * reads again. If the skill is missing because a save is between its two renames or died
 * there, waits for or repairs it; in a read-only skills directory, reads the old version in place.
 */
export async function readSkill(
  dir: SkillsDirectory,
  name: SkillId,
  wanted: (path: string) => boolean,
): Promise<{ tree: SkillTree; directory: string }> {
  const target = skillPath(dir.root, name);
  if (!(await dir.check())) throw notFound(name, dir.root);
  for (let attempt = 1; ; attempt++) {
    let directory = target;
    const kind = await dir.kind(target);
    if (kind === "other") {
      throw new McpCliError("PATH_INVALID", `${target} is not a directory (a symlink or a file)`, {
        details: { path: target, rule: "not-a-directory" },
      });
    }
    if (kind === undefined) {
      const entries = await readdir(dir.root).catch((error: unknown) => {
        if (errorCode(error) === "ENOENT") return [] as string[];
        throw error;
      });
      const old = entries.find((entry) => {
        const side = parseSideEntry(entry);
        return side?.name === name && side.kind === "old";
      });
      if (old === undefined) throw notFound(name, dir.root);
      try {
        const lock = await SkillLock.acquire(dir.root, name, dir.lockOptions);
        try {
          await recover(dir, name);
        } finally {
          await lock.release();
        }
        continue;
      } catch (error) {
        if (!["EACCES", "EPERM", "EROFS"].includes(errorCode(error) ?? "")) throw error;
        directory = join(dir.root, old);
      }
    }
    // After a few reads spoiled by saves of another process, read under the lock so that no
    // save can swap the directory meanwhile (unless the skills directory is read-only).
    const lock = attempt > UNLOCKED_READ_ATTEMPTS ? await lockForRead(dir, name) : undefined;
    try {
      return { tree: readSkillTree(directory, wanted), directory: target };
    } catch (error) {
      if (!(error instanceof TreeChangedError) || attempt >= READ_ATTEMPTS) throw error;
      await sleep(5 * attempt);
    } finally {
      await lock?.release();
    }
  }
}

async function lockForRead(dir: SkillsDirectory, name: SkillId): Promise<SkillLock | undefined> {
  try {
    return await SkillLock.acquire(dir.root, name, dir.lockOptions);
  } catch (error) {
    if (["EACCES", "EPERM", "EROFS"].includes(errorCode(error) ?? "")) return undefined;
    throw error;
  }
}
