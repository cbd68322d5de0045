/**
 * The save of one skill as a transaction: everything rendered in memory, then under the skill's
 * lock written to a staging folder, swapped in by two renames (the commit point), the old version
 * deleted; a failure before the commit leaves the old version in place.
 */
import { mkdir, rename } from "node:fs/promises";
import { dirname } from "node:path";
import {
  McpCliError,
  type SaveSkillInput,
  type SkillMetadata,
  type SkillServerRecord,
  type SkillSummary,
  skillId,
} from "@mcp-execution/core";
import { VirtualFileSystem } from "@mcp-execution/vfs";
import { digestOf, formatChecksumFile } from "./checksum-file.js";
import { errorCode, removeTree, syncDirectory, writeTreeDurably } from "./disk.js";
import { CHECKSUM_FILE, DIRECTORY_MODE, METADATA_JSON, sidePath, skillPath, VFS_JSON } from "./layout.js";
import { newToken, SkillLock } from "./lock.js";
import { formatMetadata } from "./metadata.js";
import { existingSkill, recover } from "./recovery.js";
import { checkGeneratedFiles, checkManifest, serverRecords } from "./save-input.js";
import { describeDescriptionProblem } from "./skill-md.js";
import type { SkillsDirectory } from "./skills-directory.js";

export function summaryOf(metadata: SkillMetadata, directory: string): SkillSummary {
  return {
    name: metadata.name,
    description: metadata.description,
    server: metadata.server,
    toolCount: metadata.toolCount,
    updatedAt: metadata.updatedAt,
    directory,
  };
}

/**
 * Saves (or replaces) a skill atomically. Steps, each durable before the next
 * (docs/skill-store.md has the full argument):
 * 1. check the name, description and generated paths, render every file in memory;
 * 2. take `.<name>.lock`; repair what an interrupted save or remove of this skill left behind;
 * 3. write every file (0600, fsync) into `.<name>.tmp-<token>/` (0700), fsync its directories;
 * 4. if the skill exists, rename it to `.<name>.old-<token>`; rename the temporary directory to
 *    `<name>`; fsync the skills directory: this is the commit point;
 * 5. delete the old version and release the lock.
 * A crash before the commit leaves the old version (moved back by the next save, load or list
 * when step 4 was half done); after it, the new one.
 * Errors: `NAME_INVALID`, `USAGE`, `PATH_INVALID`, `FILE_EXISTS` (a folder not made by mcp-cli,
 * unless `force`), `SKILL_LOCKED`.
 */
export async function saveSkill(
  dir: SkillsDirectory,
  input: SaveSkillInput,
  options: { readonly force?: boolean } = {},
): Promise<SkillSummary> {
  const name = skillId(input.name);
  const descriptionProblem = describeDescriptionProblem(input.description);
  if (descriptionProblem !== undefined) {
    throw new McpCliError("USAGE", `invalid description for skill ${name}: ${descriptionProblem}`, {
      details: { name, field: "description", rule: descriptionProblem },
    });
  }
  checkManifest(name, input);
  const generated = checkGeneratedFiles(name, input.files, input.description);
  const vfs = VirtualFileSystem.withTools(generated);
  let vfsJson: string;
  try {
    vfsJson = `${JSON.stringify(vfs.snapshot({ area: "mcp-tools" }), null, 2)}\n`;
  } finally {
    vfs.dispose();
  }

  const target = skillPath(dir.root, name);
  // Before any mkdir: a recursive mkdir would go through a linked `.claude`.
  await dir.check();
  await mkdir(dirname(dir.root), { recursive: true });
  try {
    await mkdir(dir.root, { mode: DIRECTORY_MODE });
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
  }
  await dir.check();
  const step = (what: string): void => dir.debug(`save ${name}: ${what}`);
  const lock = await SkillLock.acquire(dir.root, name, dir.lockOptions);
  const token = newToken();
  const staging = sidePath(dir.root, name, "tmp", token);
  const old = sidePath(dir.root, name, "old", token);
  let committed = false;
  try {
    step("locked");
    await recover(dir, name);
    const existing = await existingSkill(dir, name, target);
    if (existing === "foreign" && options.force !== true) {
      throw new McpCliError(
        "FILE_EXISTS",
        `${target} exists and was not saved by mcp-cli (no metadata.json or checksum.blake3 of its own); choose another name or force the save to replace it`,
        { details: { name, directory: target } },
      );
    }
    const now = dir.now().toISOString();
    const records = serverRecords(input);
    const first = records[0] as SkillServerRecord;
    const metadata: SkillMetadata = {
      name,
      description: input.description,
      ...first,
      toolCount: records.reduce((sum, record) => sum + record.toolCount, 0),
      generatorVersion: input.generatorVersion,
      createdAt: typeof existing === "object" ? existing.createdAt : now,
      updatedAt: now,
      ...(records.length > 1 ? { servers: records } : {}),
    };
    const files = new Map<string, Uint8Array>();
    for (const file of generated) files.set(file.path, Buffer.from(file.contents, "utf8"));
    files.set(METADATA_JSON, Buffer.from(formatMetadata(metadata), "utf8"));
    files.set(VFS_JSON, Buffer.from(vfsJson, "utf8"));
    const digests = new Map<string, string>();
    for (const [path, bytes] of files) digests.set(path, await digestOf(bytes));
    files.set(CHECKSUM_FILE, Buffer.from(await formatChecksumFile(digests), "utf8"));

    await writeTreeDurably(staging, files, (path) => step(`staged ${path}`));
    step("staging synced");
    if (!(await lock.isHeld())) {
      throw new McpCliError(
        "SKILL_LOCKED",
        `the lock on skill ${name} was taken over while saving (judged stale); nothing was changed`,
        { details: { name } },
      );
    }
    if (existing !== undefined) {
      await rename(target, old);
      step("old version moved aside");
    }
    await rename(staging, target);
    step("new version in place");
    await syncDirectory(dir.root);
    committed = true;
    step("skills directory synced");
    if (existing !== undefined) {
      try {
        await removeTree(old);
        step("old version removed");
      } catch (error) {
        // The save is committed; the leftover is deleted by the next save or list.
        dir.warn(
          `skill ${name} saved, but its previous version could not be deleted: ${(error as Error).message}`,
        );
      }
    }
    return summaryOf(metadata, target);
  } finally {
    if (!committed) {
      // Put the old version back if the swap failed halfway (a crash instead is repaired by #recover).
      if ((await dir.kind(target)) === undefined && (await dir.kind(old)) !== undefined) {
        await rename(old, target);
        await syncDirectory(dir.root);
      }
      await removeTree(staging);
    }
    step("unlocking");
    await lock.release();
  }
}
