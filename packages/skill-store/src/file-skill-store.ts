/**
 * Skills on disk (docs/conventions.md section 4, docs/adr/006-skill-format.md): atomic, locked saves;
 * loads that verify every checksum first; verification that names each changed, missing or extra
 * file; removal; and the tool-fingerprint check that catches a server changing under a skill.
 */
import { readdir, rename } from "node:fs/promises";
import { isAbsolute } from "node:path";
import {
  type DiagnosticListener,
  type GeneratedFile,
  isMcpCliError,
  isSkillId,
  type LoadedSkill,
  McpCliError,
  type SaveSkillInput,
  type SkillId,
  type SkillMetadata,
  type SkillStore,
  type SkillSummary,
  skillId,
  type ToolFingerprint,
} from "@mcp-execution/core";
import {
  decodeSnapshotFile,
  MCP_TOOLS_ROOT,
  VirtualFileSystem,
  type VirtualFileSystemOptions,
} from "@mcp-execution/vfs";
import { readSkill } from "./consistent-read.js";
import { errorCode, removeTree, type SkillTree, syncDirectory } from "./disk.js";
import { compareFingerprints, type FingerprintCheck, skillServers } from "./fingerprint-check.js";
import { CHECKSUM_FILE, METADATA_JSON, parseSideEntry, sidePath, skillPath } from "./layout.js";
import { newToken, SkillLock } from "./lock.js";
import { hasMetadataMarker, parseMetadata } from "./metadata.js";
import { existingSkill, recover, tryRecover } from "./recovery.js";
import { generatedTreeFiles } from "./save-input.js";
import { saveSkill, summaryOf } from "./save-transaction.js";
import { compare, notFound, SkillsDirectory } from "./skills-directory.js";
import { inspectSkill, integrityError, type SkillVerificationReport } from "./verification.js";

export type { FingerprintCheck } from "./fingerprint-check.js";
export { compareFingerprints, skillServers } from "./fingerprint-check.js";
export type { SkillVerificationReport } from "./verification.js";

export interface FileSkillStoreOptions {
  /** The clock for `createdAt`/`updatedAt`; default `() => new Date()`. */
  readonly now?: () => Date;
  /**
   * Progress and warnings. Each save step is reported at `debug` level with `source: "skill-store"`
   * (`save <name>: locked`, `... staged SKILL.md`, `... new version in place`, `... unlocking`); removed stale locks and
   * repaired interrupted saves at `warn`.
   */
  readonly onDiagnostic?: DiagnosticListener;
  /** How long a save or remove waits for another one of the same skill; default 10,000 ms. */
  readonly lockTimeoutMs?: number;
  /** Age after which a lock is stale even if its process id is alive; default 30,000 ms. */
  readonly staleLockMs?: number;
  /**
   * The folder the skills directory was resolved from (the project folder for `./.claude/skills`,
   * the home folder for `~/.claude/skills`). The folders between it and the skills directory are
   * checked with lstat like the skills directory itself; without it only the skills directory is.
   */
  readonly base?: string;
}

export interface SaveOptions {
  /** Replace a folder of that name that mcp-cli did not create (a hand-written skill). */
  readonly force?: boolean;
}

export interface LoadOptions {
  /** Load a skill that fails verification anyway (the report is in `verification`). */
  readonly force?: boolean;
  /** Options for the returned volume (its `/workspace` quota). */
  readonly vfs?: VirtualFileSystemOptions;
}

export interface RemoveOptions {
  /** Remove a folder of that name that mcp-cli did not create. */
  readonly force?: boolean;
}

/** {@link LoadedSkill} plus the volume for the sandbox. The caller owns `vfs` and disposes it. */
export interface LoadedSkillWithVfs extends LoadedSkill {
  /** `/mcp-tools` holds the generated tree and is sealed; `/workspace` is empty. */
  readonly vfs: VirtualFileSystem;
  readonly verification: SkillVerificationReport;
}

const LOCK_TIMEOUT_MS = 10_000;
const STALE_LOCK_MS = 30_000;

/**
 * A {@link SkillStore} over one skills directory. The caller resolves which directory (project
 * `./.claude/skills`, user `~/.claude/skills`, `--skills-dir`, `$MCP_CLI_SKILLS_DIR`) and passes
 * it in as an absolute path; the store never reads the environment or the working directory.
 *
 * Every method validates the skill name (core's `skillId`) before touching the disk.
 * Errors: `NAME_INVALID`, `PATH_INVALID`, `SKILL_NOT_FOUND`, `INTEGRITY`, `FILE_EXISTS`,
 * `SKILL_LOCKED`, `USAGE` (an invalid description), `FINGERPRINT_MISMATCH` (checkFingerprint).
 * Other I/O failures (a full disk, permissions) surface as the Node error wrapped in `INTERNAL`
 * by the CLI's top-level handler.
 */
export class FileSkillStore implements SkillStore {
  /** The skills directory, as given. */
  readonly directory: string;
  readonly #dir: SkillsDirectory;

  constructor(skillsDirectory: string, options: FileSkillStoreOptions = {}) {
    if (typeof skillsDirectory !== "string" || !isAbsolute(skillsDirectory)) {
      throw new McpCliError(
        "PATH_INVALID",
        `the skills directory must be an absolute path, got ${JSON.stringify(skillsDirectory)}`,
        { details: { path: String(skillsDirectory), rule: "relative-without-base" } },
      );
    }
    this.directory = skillsDirectory;
    this.#dir = new SkillsDirectory(
      skillsDirectory,
      {
        timeoutMs: options.lockTimeoutMs ?? LOCK_TIMEOUT_MS,
        staleMs: options.staleLockMs ?? STALE_LOCK_MS,
        onDiagnostic: options.onDiagnostic,
      },
      options.now ?? (() => new Date()),
      options.onDiagnostic,
      options.base,
    );
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
  async save(input: SaveSkillInput, options: SaveOptions = {}): Promise<SkillSummary> {
    return saveSkill(this.#dir, input, options);
  }

  /**
   * The skills saved in this directory by mcp-cli, sorted by name. Folders without this store's
   * metadata.json (hand-written skills) and symlinks are skipped; a saved skill whose
   * metadata.json is broken is skipped with a `warn` diagnostic (run `verify` on it). Repairs
   * leftovers of interrupted saves first, for every skill whose lock is free; a skill that a save
   * in another process is swapping right now is waited for, so it is never missing from the list.
   * A missing skills directory lists nothing.
   */
  async list(): Promise<readonly SkillSummary[]> {
    const dir = this.#dir;
    if (!(await dir.check())) return [];
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(this.directory, { withFileTypes: true });
    } catch (error) {
      if (errorCode(error) === "ENOENT") return [];
      throw error;
    }
    const names = new Set<SkillId>();
    const leftovers = new Set<SkillId>();
    for (const entry of entries) {
      if (entry.isDirectory() && isSkillId(entry.name)) names.add(entry.name);
      const side = parseSideEntry(entry.name);
      if (side === undefined || !isSkillId(side.name)) continue;
      leftovers.add(side.name);
      // A save between its two renames: the skill is only there as .<name>.old-*; #read waits for it.
      if (side.kind === "old") names.add(side.name);
    }
    for (const name of leftovers) await tryRecover(dir, name);

    const summaries: SkillSummary[] = [];
    for (const name of [...names].sort(compare)) {
      let read: { tree: SkillTree; directory: string };
      try {
        read = await readSkill(dir, name, (path) => path === METADATA_JSON);
      } catch (error) {
        if (isMcpCliError(error, "SKILL_NOT_FOUND") || isMcpCliError(error, "PATH_INVALID")) continue;
        throw error;
      }
      const bytes = read.tree.files.get(METADATA_JSON);
      if (bytes === undefined) continue; // a hand-written skill
      const text = Buffer.from(bytes).toString("utf8");
      const metadata = parseMetadata(text, name);
      if (typeof metadata === "string") {
        if (hasMetadataMarker(text)) dir.warn(`skill ${name} is not listed: ${metadata}`);
        continue;
      }
      summaries.push(summaryOf(metadata, read.directory));
    }
    return summaries;
  }

  /**
   * The skill's metadata.json, checked for shape and name but without verifying checksums (use
   * `verify` or `load` for that). Errors: `NAME_INVALID`, `SKILL_NOT_FOUND`, `INTEGRITY`.
   */
  async info(name: SkillId | string): Promise<SkillMetadata> {
    const dir = this.#dir;
    const id = skillId(name);
    const { tree, directory } = await readSkill(dir, id, (path) => path === METADATA_JSON);
    const bytes = tree.files.get(METADATA_JSON);
    if (bytes === undefined) {
      if (tree.regular.has(CHECKSUM_FILE)) {
        throw integrityError(
          { name: id, ok: false, changed: [], missing: [METADATA_JSON], extra: [], problems: [] },
          directory,
        );
      }
      throw notFound(id, this.directory, "was saved by mcp-cli (the folder has no metadata.json)");
    }
    const metadata = parseMetadata(Buffer.from(bytes).toString("utf8"), id);
    if (typeof metadata === "string") {
      throw integrityError(
        { name: id, ok: false, changed: [], missing: [], extra: [], problems: [metadata] },
        directory,
      );
    }
    return metadata;
  }

  /**
   * Reads the skill, verifies every checksum (constant-time compares) and its structure, and
   * returns its metadata, generated files and a sealed volume for the sandbox. A skill that fails
   * verification is refused with `INTEGRITY` (exit 6) unless `force`; even forced, a skill whose
   * metadata.json is unreadable cannot be loaded. Errors: `NAME_INVALID`, `SKILL_NOT_FOUND`,
   * `INTEGRITY`, `PATH_INVALID`.
   */
  async load(name: SkillId | string, options: LoadOptions = {}): Promise<LoadedSkillWithVfs> {
    const dir = this.#dir;
    const id = skillId(name);
    const { inspection, directory } = await inspectSkill(dir, id);
    const { report, metadata, snapshot, tree } = inspection;
    if (!report.ok && options.force !== true) throw integrityError(report, directory);
    if (metadata === undefined) throw integrityError(report, directory);
    if (!report.ok) {
      dir.warn(
        `loading skill ${id} although it failed verification: ${integrityError(report, directory).message}`,
      );
    }
    let files: GeneratedFile[];
    let vfs: VirtualFileSystem;
    if (snapshot !== undefined) {
      vfs = VirtualFileSystem.fromSnapshot(snapshot, options.vfs);
      files = snapshot.entries.flatMap((entry) =>
        entry.type === "file" && entry.path.startsWith(`${MCP_TOOLS_ROOT}/`)
          ? [
              {
                path: entry.path.slice(MCP_TOOLS_ROOT.length + 1),
                contents:
                  entry.encoding === "utf8"
                    ? entry.data
                    : Buffer.from(decodeSnapshotFile(entry)).toString("utf8"),
              },
            ]
          : [],
      );
    } else {
      // Forced past a broken vfs.json: use the materialized tree, which is what an agent reads.
      files = generatedTreeFiles(tree.files.keys()).map((path) => ({
        path,
        contents: Buffer.from(tree.files.get(path) as Uint8Array).toString("utf8"),
      }));
      vfs = VirtualFileSystem.withTools(files, options.vfs);
    }
    return { metadata, files, directory, vfs, verification: report };
  }

  /**
   * Checks every file against checksum.blake3 and the skill's structure. Never throws for a
   * tampered skill: the report lists changed, missing and extra files (relative paths, sorted) and
   * other problems. Errors: `NAME_INVALID`, `SKILL_NOT_FOUND`, `PATH_INVALID`.
   */
  async verify(name: SkillId | string): Promise<SkillVerificationReport> {
    const dir = this.#dir;
    const id = skillId(name);
    return (await inspectSkill(dir, id)).inspection.report;
  }

  /**
   * Removes a skill: under its lock, renames it to `.<name>.trash-<token>` (the commit point),
   * fsyncs the skills directory, then deletes the tree. Errors: `NAME_INVALID`, `SKILL_NOT_FOUND`
   * (also for a folder mcp-cli did not create, unless `force`), `PATH_INVALID`, `SKILL_LOCKED`.
   */
  async remove(name: SkillId | string, options: RemoveOptions = {}): Promise<void> {
    const dir = this.#dir;
    const id = skillId(name);
    const target = skillPath(this.directory, id);
    if (!(await dir.check())) throw notFound(id, this.directory);
    const lock = await SkillLock.acquire(this.directory, id, dir.lockOptions);
    try {
      await recover(dir, id);
      const existing = await existingSkill(dir, id, target);
      if (existing === undefined) throw notFound(id, this.directory);
      if (existing === "foreign" && options.force !== true) {
        throw notFound(
          id,
          this.directory,
          "was saved by mcp-cli (the folder has no metadata.json); force removes it anyway",
        );
      }
      const trash = sidePath(this.directory, id, "trash", newToken());
      await rename(target, trash);
      await syncDirectory(this.directory);
      await removeTree(trash);
    } finally {
      await lock.release();
    }
  }

  /**
   * Rug-pull detection: compares a server's current tool fingerprint with the one the skill was
   * saved from. Equal: `matches: true`. Different: throws `FINGERPRINT_MISMATCH` (exit 6) whose
   * details list the tools added, removed and changed, unless `accept` is set, in which case it
   * returns `matches: false` and the diff. Errors also as {@link info}.
   */
  async checkFingerprint(
    name: SkillId | string,
    current: ToolFingerprint,
    options: { readonly accept?: boolean; readonly server?: string } = {},
  ): Promise<FingerprintCheck> {
    const metadata = await this.info(name);
    const check = compareFingerprints(metadata, current, options.server);
    if (!check.matches && options.accept !== true) {
      const { added, removed, changed } = check.diff;
      const parts = [
        added.length > 0 ? `added ${added.join(", ")}` : undefined,
        removed.length > 0 ? `removed ${removed.join(", ")}` : undefined,
        changed.length > 0 ? `changed ${changed.join(", ")}` : undefined,
      ].filter((part) => part !== undefined);
      throw new McpCliError(
        "FINGERPRINT_MISMATCH",
        `the tools of server ${check.server} differ from the ones skill ${metadata.name} was saved from (${parts.join("; ") || "same tool names, different digest"}); regenerate the skill (mcp-cli generate ${skillServers(
          metadata,
        )
          .map((record) => record.server)
          .join(" ")} --save-skill ${metadata.name}) or accept the change`,
        {
          details: {
            name: metadata.name,
            server: check.server,
            added,
            removed,
            changed,
            savedDigest: skillServers(metadata).find((record) => record.server === check.server)?.fingerprint
              .digest,
            currentDigest: current.digest,
          },
        },
      );
    }
    return check;
  }
}
