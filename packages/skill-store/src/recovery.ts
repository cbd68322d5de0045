/**
 * Repair of what interrupted saves and removals left beside a skill, and the question a save or
 * removal asks first: what is at `<name>` now (nothing, ours, or someone else's folder)?
 */
import { lstat, readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { McpCliError, type SkillId } from "@mcp-execution/core";
import { parseChecksumFile } from "./checksum-file.js";
import { readContainedFile } from "./contained-path.js";
import { errorCode, MAX_SKILL_FILE_BYTES, removeTree, syncDirectory } from "./disk.js";
import { CHECKSUM_FILE, METADATA_JSON, parseSideEntry, skillPath } from "./layout.js";
import { isAbandonedLockFile, readLockFile, SkillLock } from "./lock.js";
import { hasMetadataMarker, parseMetadata } from "./metadata.js";
import type { SkillsDirectory } from "./skills-directory.js";

/**
 * What is at `<name>` now: nothing, a skill saved by this store (with its createdAt when its
 * metadata still reads), or a folder of someone else's. A symlink or a file is `PATH_INVALID`.
 */
export async function existingSkill(
  dir: SkillsDirectory,
  name: SkillId,
  target: string,
): Promise<undefined | "foreign" | { createdAt: string } | "ours"> {
  const kind = await dir.kind(target);
  if (kind === undefined) return undefined;
  if (kind === "other") {
    throw new McpCliError(
      "PATH_INVALID",
      `${target} is not a directory (a symlink or a file); mcp-cli manages skill folders it created itself`,
      { details: { path: target, rule: "not-a-directory" } },
    );
  }
  // Never through a link: a metadata.json pointing at another file is not this store's.
  const metadataRead = await readContainedFile(target, METADATA_JSON, MAX_SKILL_FILE_BYTES);
  if (metadataRead.kind === "file") {
    const metadataText = metadataRead.bytes.toString("utf8");
    const metadata = parseMetadata(metadataText, name);
    if (typeof metadata !== "string") return { createdAt: metadata.createdAt };
    if (hasMetadataMarker(metadataText)) return "ours";
  }
  const checksumRead = await readContainedFile(target, CHECKSUM_FILE, MAX_SKILL_FILE_BYTES);
  if (checksumRead.kind === "file") {
    const checksum = checksumRead.bytes.toString("utf8");
    if ((await parseChecksumFile(checksum)).ok || checksum.startsWith("# mcp-execution skill checksums")) {
      return "ours";
    }
  }
  return "foreign";
}

/**
 * Repairs what interrupted saves and removes of `name` left behind. The caller holds the lock.
 * If `<name>` is missing and an `.old-` version exists, a save died between its two renames:
 * the old version is moved back. Temporary, old and trash directories are then deleted, and so
 * are new-lock and stale-lock files whose process is gone (others may belong to a process
 * trying to take the lock right now).
 */
export async function recover(dir: SkillsDirectory, name: SkillId): Promise<void> {
  const leftovers = (await readdir(dir.root))
    .map((entry) => ({ entry, side: parseSideEntry(entry) }))
    .filter(({ side }) => side !== undefined && side.name === name && side.kind !== "lock");
  if (leftovers.length === 0) return;
  const target = skillPath(dir.root, name);
  const targetKind = await dir.kind(target);
  if (targetKind === undefined) {
    const olds = leftovers.filter(({ side }) => side?.kind === "old");
    if (olds.length > 0) {
      // Normally one; if several survived, the most recently moved aside is the newest version.
      const times = await Promise.all(
        olds.map(async ({ entry }) => (await lstat(join(dir.root, entry))).ctimeMs),
      );
      const newest = olds[times.indexOf(Math.max(...times))] as { entry: string };
      await rename(join(dir.root, newest.entry), target);
      await syncDirectory(dir.root);
      dir.warn(`skill ${name}: an interrupted save was rolled back to the previous version`);
    }
  }
  let removed = false;
  for (const { entry, side } of leftovers) {
    const path = join(dir.root, entry);
    // An old version is only garbage once a directory (the committed new version) replaced it.
    if (side?.kind === "old" && targetKind === "other") {
      dir.warn(`skill ${name}: ${target} is not a directory; keeping the previous version in ${path}`);
      continue;
    }
    if (side?.kind === "lock-new" || side?.kind === "lock-stale") {
      const lockFile = await readLockFile(path);
      if (lockFile === undefined) continue;
      if (!isAbandonedLockFile(lockFile.text, entry, lockFile.ageMs, dir.lockOptions.staleMs)) continue;
    }
    if ((await dir.kind(path)) === undefined) continue;
    await removeTree(path);
    removed = true;
  }
  if (removed) {
    await syncDirectory(dir.root);
    dir.debug(`skill ${name}: removed leftovers of interrupted saves`);
  }
}

/** {@link #recover} if the lock is free; skipped when it is busy or the directory is read-only. */
export async function tryRecover(dir: SkillsDirectory, name: SkillId): Promise<boolean> {
  let lock: SkillLock | undefined;
  try {
    lock = await SkillLock.tryAcquire(dir.root, name, dir.lockOptions);
  } catch (error) {
    if (["EACCES", "EPERM", "EROFS"].includes(errorCode(error) ?? "")) return false;
    throw error;
  }
  if (lock === undefined) return false;
  try {
    await recover(dir, name);
    return true;
  } finally {
    await lock.release();
  }
}
