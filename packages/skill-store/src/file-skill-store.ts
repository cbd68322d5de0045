/**
 * Skills on disk (docs/conventions.md section 4, docs/adr/006-skill-format.md): atomic, locked saves;
 * loads that verify every checksum first; verification that names each changed, missing or extra
 * file; removal; and the tool-fingerprint check that catches a server changing under a skill.
 */
import { lstatSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, rename } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import {
  type DiagnosticListener,
  diffFingerprints,
  digestsEqual,
  type FingerprintDiff,
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
  type SkillVerification,
  skillId,
  type ToolFingerprint,
} from "@mcp-execution/core";
import {
  decodeSnapshotFile,
  MCP_TOOLS_ROOT,
  normalizeVfsPath,
  parseVfsSnapshot,
  type VfsSnapshot,
  VirtualFileSystem,
  type VirtualFileSystemOptions,
} from "@mcp-execution/vfs";
import { digestOf, formatChecksumFile, parseChecksumFile } from "./checksum-file.js";
import {
  errorCode,
  readSkillTree,
  removeTree,
  type SkillTree,
  syncDirectory,
  TreeChangedError,
  writeTreeDurably,
} from "./disk.js";
import {
  CHECKSUM_FILE,
  DIRECTORY_MODE,
  METADATA_JSON,
  parseSideEntry,
  REFERENCE_MD,
  SERVERS_DIRECTORY,
  SKILL_MD,
  sidePath,
  skillPath,
  VFS_JSON,
} from "./layout.js";
import { isAbandonedLockFile, newToken, SkillLock } from "./lock.js";
import { formatMetadata, hasMetadataMarker, parseMetadata } from "./metadata.js";
import { checkSkillMarkdown, describeDescriptionProblem, renderSkillMarkdown } from "./skill-md.js";

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

/** {@link SkillVerification} with the problems that are not a single file's checksum. */
export interface SkillVerificationReport extends SkillVerification {
  /**
   * Sentences for everything wrong beyond checksums: a malformed checksum file, SKILL.md front
   * matter that breaks the Agent Skills rule, metadata.json that does not parse or names another
   * skill, vfs.json that does not parse or disagrees with the files under `servers/`.
   */
  readonly problems: readonly string[];
}

/** {@link LoadedSkill} plus the volume for the sandbox. The caller owns `vfs` and disposes it. */
export interface LoadedSkillWithVfs extends LoadedSkill {
  /** `/mcp-tools` holds the generated tree and is sealed; `/workspace` is empty. */
  readonly vfs: VirtualFileSystem;
  readonly verification: SkillVerificationReport;
}

export interface FingerprintCheck {
  readonly name: SkillId;
  readonly server: string;
  /** False when the server's tools differ from the saved ones. */
  readonly matches: boolean;
  readonly diff: FingerprintDiff;
}

const LOCK_TIMEOUT_MS = 10_000;
const STALE_LOCK_MS = 30_000;
const UNLOCKED_READ_ATTEMPTS = 3;
const READ_ATTEMPTS = 6;
const REQUIRED_FILES = [SKILL_MD, METADATA_JSON, VFS_JSON, CHECKSUM_FILE];

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isGeneratedTreePath(path: string): boolean {
  return path === SKILL_MD || path === REFERENCE_MD || path.startsWith(`${SERVERS_DIRECTORY}/`);
}

/** Files of the skill directory that belong to the generated tree (and so to vfs.json). */
function generatedTreeFiles(paths: Iterable<string>): string[] {
  return [...paths].filter(isGeneratedTreePath).sort(compare);
}

/** The parts of the manifest and input that metadata.json records must be there and typed. */
function checkManifest(name: SkillId, input: SaveSkillInput): void {
  const manifest = input.manifest as Partial<SaveSkillInput["manifest"]> | undefined;
  const fingerprint = manifest?.fingerprint;
  const problem =
    typeof manifest?.server !== "string" || manifest.server.length === 0
      ? "manifest.server must be a non-empty string"
      : typeof manifest.serverInfo?.name !== "string" || typeof manifest.serverInfo.version !== "string"
        ? "manifest.serverInfo must have a name and a version"
        : typeof manifest.protocolVersion !== "string"
          ? "manifest.protocolVersion must be a string"
          : !Array.isArray(manifest.tools)
            ? "manifest.tools must be an array"
            : fingerprint?.algorithm !== "blake3" ||
                typeof fingerprint.digest !== "string" ||
                typeof fingerprint.tools !== "object" ||
                fingerprint.tools === null
              ? "manifest.fingerprint must be a blake3 tool fingerprint"
              : typeof input.generatorVersion !== "string" || input.generatorVersion.length === 0
                ? "generatorVersion must be a non-empty string"
                : undefined;
  if (problem !== undefined) {
    throw new McpCliError("USAGE", `cannot save skill ${name}: ${problem}`, {
      details: { name, rule: problem },
    });
  }
}

function notFound(name: SkillId, root: string, why = "is saved"): McpCliError {
  return new McpCliError("SKILL_NOT_FOUND", `no skill named ${name} ${why} in ${root}`, {
    details: { name, directory: root },
  });
}

function summaryOf(metadata: SkillMetadata, directory: string): SkillSummary {
  return {
    name: metadata.name,
    description: metadata.description,
    server: metadata.server,
    toolCount: metadata.toolCount,
    updatedAt: metadata.updatedAt,
    directory,
  };
}

function integrityError(report: SkillVerificationReport, directory: string): McpCliError {
  const parts = [
    report.changed.length > 0 ? `changed: ${report.changed.join(", ")}` : undefined,
    report.missing.length > 0 ? `missing: ${report.missing.join(", ")}` : undefined,
    report.extra.length > 0 ? `extra: ${report.extra.join(", ")}` : undefined,
    ...report.problems,
  ].filter((part) => part !== undefined);
  return new McpCliError(
    "INTEGRITY",
    `skill ${report.name} in ${directory} does not match its checksums (${parts.join("; ")}); save it again from its server or remove it`,
    {
      details: {
        name: report.name,
        directory,
        changed: report.changed,
        missing: report.missing,
        extra: report.extra,
        problems: report.problems,
      },
    },
  );
}

/** What {@link FileSkillStore} learns from reading and checking one skill directory. */
interface Inspection {
  readonly report: SkillVerificationReport;
  readonly metadata: SkillMetadata | undefined;
  /** vfs.json, when it parsed as a snapshot. */
  readonly snapshot: VfsSnapshot | undefined;
  readonly tree: SkillTree;
}

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
  readonly #now: () => Date;
  readonly #diagnostic: DiagnosticListener | undefined;
  readonly #lockOptions: {
    timeoutMs: number;
    staleMs: number;
    onDiagnostic?: DiagnosticListener | undefined;
  };

  constructor(skillsDirectory: string, options: FileSkillStoreOptions = {}) {
    if (typeof skillsDirectory !== "string" || !isAbsolute(skillsDirectory)) {
      throw new McpCliError(
        "PATH_INVALID",
        `the skills directory must be an absolute path, got ${JSON.stringify(skillsDirectory)}`,
        { details: { path: String(skillsDirectory), rule: "relative-without-base" } },
      );
    }
    this.directory = skillsDirectory;
    this.#now = options.now ?? (() => new Date());
    this.#diagnostic = options.onDiagnostic;
    this.#lockOptions = {
      timeoutMs: options.lockTimeoutMs ?? LOCK_TIMEOUT_MS,
      staleMs: options.staleLockMs ?? STALE_LOCK_MS,
      onDiagnostic: options.onDiagnostic,
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
  async save(input: SaveSkillInput, options: SaveOptions = {}): Promise<SkillSummary> {
    const name = skillId(input.name);
    const descriptionProblem = describeDescriptionProblem(input.description);
    if (descriptionProblem !== undefined) {
      throw new McpCliError("USAGE", `invalid description for skill ${name}: ${descriptionProblem}`, {
        details: { name, field: "description", rule: descriptionProblem },
      });
    }
    checkManifest(name, input);
    const generated = this.#checkGeneratedFiles(name, input.files, input.description);
    const vfs = VirtualFileSystem.withTools(generated);
    let vfsJson: string;
    try {
      vfsJson = `${JSON.stringify(vfs.snapshot({ area: "mcp-tools" }), null, 2)}\n`;
    } finally {
      vfs.dispose();
    }

    const target = skillPath(this.directory, name);
    await mkdir(this.directory, { recursive: true, mode: DIRECTORY_MODE });
    const step = (what: string): void => this.#debug(`save ${name}: ${what}`);
    const lock = await SkillLock.acquire(this.directory, name, this.#lockOptions);
    const token = newToken();
    const staging = sidePath(this.directory, name, "tmp", token);
    const old = sidePath(this.directory, name, "old", token);
    let committed = false;
    try {
      step("locked");
      await this.#recover(name);
      const existing = await this.#existingSkill(name, target);
      if (existing === "foreign" && options.force !== true) {
        throw new McpCliError(
          "FILE_EXISTS",
          `${target} exists and was not saved by mcp-cli (no metadata.json or checksum.blake3 of its own); choose another name or force the save to replace it`,
          { details: { name, directory: target } },
        );
      }
      const now = this.#now().toISOString();
      const metadata: SkillMetadata = {
        name,
        description: input.description,
        server: input.manifest.server,
        serverName: input.manifest.serverInfo.name,
        serverVersion: input.manifest.serverInfo.version,
        protocolVersion: input.manifest.protocolVersion,
        toolCount: input.manifest.tools.length,
        fingerprint: input.manifest.fingerprint,
        generatorVersion: input.generatorVersion,
        createdAt: typeof existing === "object" ? existing.createdAt : now,
        updatedAt: now,
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
      await syncDirectory(this.directory);
      committed = true;
      step("skills directory synced");
      if (existing !== undefined) {
        try {
          await removeTree(old);
          step("old version removed");
        } catch (error) {
          // The save is committed; the leftover is deleted by the next save or list.
          this.#warn(
            `skill ${name} saved, but its previous version could not be deleted: ${(error as Error).message}`,
          );
        }
      }
      return summaryOf(metadata, target);
    } finally {
      if (!committed) {
        // Put the old version back if the swap failed halfway (a crash instead is repaired by #recover).
        if ((await this.#kind(target)) === undefined && (await this.#kind(old)) !== undefined) {
          await rename(old, target);
          await syncDirectory(this.directory);
        }
        await removeTree(staging);
      }
      step("unlocking");
      await lock.release();
    }
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
    for (const name of leftovers) await this.#tryRecover(name);

    const summaries: SkillSummary[] = [];
    for (const name of [...names].sort(compare)) {
      let read: { tree: SkillTree; directory: string };
      try {
        read = await this.#read(name, (path) => path === METADATA_JSON);
      } catch (error) {
        if (isMcpCliError(error, "SKILL_NOT_FOUND") || isMcpCliError(error, "PATH_INVALID")) continue;
        throw error;
      }
      const bytes = read.tree.files.get(METADATA_JSON);
      if (bytes === undefined) continue; // a hand-written skill
      const text = Buffer.from(bytes).toString("utf8");
      const metadata = parseMetadata(text, name);
      if (typeof metadata === "string") {
        if (hasMetadataMarker(text)) this.#warn(`skill ${name} is not listed: ${metadata}`);
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
    const id = skillId(name);
    const { tree, directory } = await this.#read(id, (path) => path === METADATA_JSON);
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
    const id = skillId(name);
    const { inspection, directory } = await this.#inspect(id);
    const { report, metadata, snapshot, tree } = inspection;
    if (!report.ok && options.force !== true) throw integrityError(report, directory);
    if (metadata === undefined) throw integrityError(report, directory);
    if (!report.ok) {
      this.#warn(
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
    const id = skillId(name);
    return (await this.#inspect(id)).inspection.report;
  }

  /**
   * Removes a skill: under its lock, renames it to `.<name>.trash-<token>` (the commit point),
   * fsyncs the skills directory, then deletes the tree. Errors: `NAME_INVALID`, `SKILL_NOT_FOUND`
   * (also for a folder mcp-cli did not create, unless `force`), `PATH_INVALID`, `SKILL_LOCKED`.
   */
  async remove(name: SkillId | string, options: RemoveOptions = {}): Promise<void> {
    const id = skillId(name);
    const target = skillPath(this.directory, id);
    if ((await this.#kind(this.directory)) === undefined) throw notFound(id, this.directory);
    const lock = await SkillLock.acquire(this.directory, id, this.#lockOptions);
    try {
      await this.#recover(id);
      const existing = await this.#existingSkill(id, target);
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
    options: { readonly accept?: boolean } = {},
  ): Promise<FingerprintCheck> {
    const metadata = await this.info(name);
    const check = compareFingerprints(metadata, current);
    if (!check.matches && options.accept !== true) {
      const { added, removed, changed } = check.diff;
      const parts = [
        added.length > 0 ? `added ${added.join(", ")}` : undefined,
        removed.length > 0 ? `removed ${removed.join(", ")}` : undefined,
        changed.length > 0 ? `changed ${changed.join(", ")}` : undefined,
      ].filter((part) => part !== undefined);
      throw new McpCliError(
        "FINGERPRINT_MISMATCH",
        `the tools of server ${metadata.server} differ from the ones skill ${metadata.name} was saved from (${parts.join("; ") || "same tool names, different digest"}); regenerate the skill (mcp-cli generate ${metadata.server} --save-skill ${metadata.name}) or accept the change`,
        {
          details: {
            name: metadata.name,
            server: metadata.server,
            added,
            removed,
            changed,
            savedDigest: metadata.fingerprint.digest,
            currentDigest: current.digest,
          },
        },
      );
    }
    return check;
  }

  // -------------------------------------------------------------------------------------------

  #debug(message: string): void {
    this.#diagnostic?.({ level: "debug", message, source: "skill-store" });
  }

  #warn(message: string): void {
    this.#diagnostic?.({ level: "warn", message, source: "skill-store" });
  }

  // Synchronous: one lstat costs less than a round trip through the thread pool.
  async #kind(path: string): Promise<"directory" | "other" | undefined> {
    try {
      return lstatSync(path).isDirectory() ? "directory" : "other";
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    }
  }

  /**
   * What is at `<name>` now: nothing, a skill saved by this store (with its createdAt when its
   * metadata still reads), or a folder of someone else's. A symlink or a file is `PATH_INVALID`.
   */
  async #existingSkill(
    name: SkillId,
    target: string,
  ): Promise<undefined | "foreign" | { createdAt: string } | "ours"> {
    const kind = await this.#kind(target);
    if (kind === undefined) return undefined;
    if (kind === "other") {
      throw new McpCliError(
        "PATH_INVALID",
        `${target} is not a directory (a symlink or a file); mcp-cli manages skill folders it created itself`,
        { details: { path: target, rule: "not-a-directory" } },
      );
    }
    let metadataText: string | undefined;
    try {
      metadataText = await readFile(join(target, METADATA_JSON), "utf8");
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
    }
    if (metadataText !== undefined) {
      const metadata = parseMetadata(metadataText, name);
      if (typeof metadata !== "string") return { createdAt: metadata.createdAt };
      if (hasMetadataMarker(metadataText)) return "ours";
    }
    try {
      const checksum = await readFile(join(target, CHECKSUM_FILE), "utf8");
      if ((await parseChecksumFile(checksum)).ok || checksum.startsWith("# mcp-execution skill checksums")) {
        return "ours";
      }
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
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
  async #recover(name: SkillId): Promise<void> {
    const leftovers = (await readdir(this.directory))
      .map((entry) => ({ entry, side: parseSideEntry(entry) }))
      .filter(({ side }) => side !== undefined && side.name === name && side.kind !== "lock");
    if (leftovers.length === 0) return;
    const target = skillPath(this.directory, name);
    const targetKind = await this.#kind(target);
    if (targetKind === undefined) {
      const olds = leftovers.filter(({ side }) => side?.kind === "old");
      if (olds.length > 0) {
        // Normally one; if several survived, the most recently moved aside is the newest version.
        const times = await Promise.all(
          olds.map(async ({ entry }) => (await lstat(join(this.directory, entry))).ctimeMs),
        );
        const newest = olds[times.indexOf(Math.max(...times))] as { entry: string };
        await rename(join(this.directory, newest.entry), target);
        await syncDirectory(this.directory);
        this.#warn(`skill ${name}: an interrupted save was rolled back to the previous version`);
      }
    }
    let removed = false;
    for (const { entry, side } of leftovers) {
      const path = join(this.directory, entry);
      // An old version is only garbage once a directory (the committed new version) replaced it.
      if (side?.kind === "old" && targetKind === "other") {
        this.#warn(`skill ${name}: ${target} is not a directory; keeping the previous version in ${path}`);
        continue;
      }
      if (side?.kind === "lock-new" || side?.kind === "lock-stale") {
        const info = await lstat(path).catch(() => undefined);
        const text = await readFile(path, "utf8").catch(() => undefined);
        if (info === undefined || text === undefined) continue;
        if (!isAbandonedLockFile(text, entry, Date.now() - info.mtimeMs, this.#lockOptions.staleMs)) continue;
      }
      if ((await this.#kind(path)) === undefined) continue;
      await removeTree(path);
      removed = true;
    }
    if (removed) {
      await syncDirectory(this.directory);
      this.#debug(`skill ${name}: removed leftovers of interrupted saves`);
    }
  }

  /** {@link #recover} if the lock is free; skipped when it is busy or the directory is read-only. */
  async #tryRecover(name: SkillId): Promise<boolean> {
    let lock: SkillLock | undefined;
    try {
      lock = await SkillLock.tryAcquire(this.directory, name, this.#lockOptions);
    } catch (error) {
      if (["EACCES", "EPERM", "EROFS"].includes(errorCode(error) ?? "")) return false;
      throw error;
    }
    if (lock === undefined) return false;
    try {
      await this.#recover(name);
      return true;
    } finally {
      await lock.release();
    }
  }

  /**
   * Reads the skill directory consistently: if a save swaps it in the middle (another process),
   * reads again. If the skill is missing because a save is between its two renames or died
   * there, waits for or repairs it; in a read-only skills directory, reads the old version in place.
   */
  async #read(
    name: SkillId,
    wanted: (path: string) => boolean,
  ): Promise<{ tree: SkillTree; directory: string }> {
    const target = skillPath(this.directory, name);
    for (let attempt = 1; ; attempt++) {
      let directory = target;
      const kind = await this.#kind(target);
      if (kind === "other") {
        throw new McpCliError("PATH_INVALID", `${target} is not a directory (a symlink or a file)`, {
          details: { path: target, rule: "not-a-directory" },
        });
      }
      if (kind === undefined) {
        const entries = await readdir(this.directory).catch((error: unknown) => {
          if (errorCode(error) === "ENOENT") return [] as string[];
          throw error;
        });
        const old = entries.find((entry) => {
          const side = parseSideEntry(entry);
          return side?.name === name && side.kind === "old";
        });
        if (old === undefined) throw notFound(name, this.directory);
        try {
          const lock = await SkillLock.acquire(this.directory, name, this.#lockOptions);
          try {
            await this.#recover(name);
          } finally {
            await lock.release();
          }
          continue;
        } catch (error) {
          if (!["EACCES", "EPERM", "EROFS"].includes(errorCode(error) ?? "")) throw error;
          directory = join(this.directory, old);
        }
      }
      // After a few reads spoiled by saves of another process, read under the lock so that no
      // save can swap the directory meanwhile (unless the skills directory is read-only).
      const lock = attempt > UNLOCKED_READ_ATTEMPTS ? await this.#lockForRead(name) : undefined;
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

  async #lockForRead(name: SkillId): Promise<SkillLock | undefined> {
    try {
      return await SkillLock.acquire(this.directory, name, this.#lockOptions);
    } catch (error) {
      if (["EACCES", "EPERM", "EROFS"].includes(errorCode(error) ?? "")) return undefined;
      throw error;
    }
  }

  /** Reads everything and checks it; see {@link SkillVerificationReport}. */
  async #inspect(name: SkillId): Promise<{ inspection: Inspection; directory: string }> {
    const { tree, directory } = await this.#read(name, () => true);
    if (!tree.regular.has(METADATA_JSON) && !tree.regular.has(CHECKSUM_FILE)) {
      throw notFound(
        name,
        this.directory,
        "was saved by mcp-cli (the folder has neither metadata.json nor checksum.blake3)",
      );
    }
    const changed = new Set<string>();
    const missing = new Set<string>();
    const extra = new Set<string>();
    const problems: string[] = [];

    const checksumBytes = tree.files.get(CHECKSUM_FILE);
    let expected: ReadonlyMap<string, string> | undefined;
    if (checksumBytes === undefined) {
      missing.add(CHECKSUM_FILE);
      problems.push("checksum.blake3 is missing, so no file can be verified");
    } else {
      const parsed = await parseChecksumFile(Buffer.from(checksumBytes).toString("utf8"));
      if (!parsed.ok) {
        changed.add(CHECKSUM_FILE);
        problems.push(parsed.problem);
      }
      expected = parsed.digests;
    }
    if (expected !== undefined) {
      for (const [path, digest] of expected) {
        const bytes = tree.files.get(path);
        if (tree.irregular.has(path) || tree.oversized.has(path)) changed.add(path);
        else if (bytes === undefined) missing.add(path);
        else if (!digestsEqual(await digestOf(bytes), digest)) changed.add(path);
      }
    }
    for (const path of [...tree.regular, ...tree.irregular]) {
      if (path !== CHECKSUM_FILE && expected !== undefined && !expected.has(path)) extra.add(path);
    }
    for (const path of REQUIRED_FILES) {
      if (!tree.regular.has(path) && !tree.irregular.has(path)) missing.add(path);
    }

    const text = (path: string): string | undefined => {
      const bytes = tree.files.get(path);
      return bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8");
    };
    const skillMd = text(SKILL_MD);
    if (skillMd !== undefined) problems.push(...checkSkillMarkdown(skillMd, name));
    let metadata: SkillMetadata | undefined;
    const metadataText = text(METADATA_JSON);
    if (metadataText !== undefined) {
      const parsed = parseMetadata(metadataText, name);
      if (typeof parsed === "string") problems.push(parsed);
      else metadata = parsed;
    }
    let snapshot: VfsSnapshot | undefined;
    const vfsText = text(VFS_JSON);
    if (vfsText !== undefined) {
      try {
        snapshot = parseVfsSnapshot(JSON.parse(vfsText));
      } catch (error) {
        if (!(error instanceof SyntaxError) && !isMcpCliError(error)) throw error;
        problems.push(`vfs.json cannot be read: ${(error as Error).message}`);
      }
    }
    if (snapshot !== undefined) problems.push(...compareTreeWithSnapshot(tree, snapshot));

    const sorted = (set: Set<string>): string[] => [...set].sort(compare);
    const report: SkillVerificationReport = {
      name,
      ok: changed.size === 0 && missing.size === 0 && extra.size === 0 && problems.length === 0,
      changed: sorted(changed),
      missing: sorted(missing),
      extra: sorted(extra),
      problems,
    };
    return { inspection: { report, metadata, snapshot, tree }, directory };
  }

  /**
   * Checks the generated tree and returns it with SKILL.md's front matter set to this skill's
   * name and description. Paths must be canonical relative paths: `SKILL.md`, `REFERENCE.md` or
   * under `servers/`; two paths may not differ only in case (they would collide on macOS and
   * Windows).
   */
  #checkGeneratedFiles(name: SkillId, files: readonly GeneratedFile[], description: string): GeneratedFile[] {
    const byPath = new Map<string, string>();
    const folded = new Map<string, string>();
    for (const file of files) {
      const normalized = normalizeVfsPath(file.path, { base: MCP_TOOLS_ROOT });
      if (normalized.path !== `${MCP_TOOLS_ROOT}/${file.path}`) {
        throw new McpCliError(
          "PATH_INVALID",
          `generated file path ${JSON.stringify(file.path)} is not a normalized relative path (like servers/x/tool.ts)`,
          { details: { path: file.path, rule: "not-normalized" } },
        );
      }
      if (!isGeneratedTreePath(file.path)) {
        throw new McpCliError(
          "PATH_INVALID",
          `generated file ${file.path} is outside the skill layout: only SKILL.md, REFERENCE.md and files under servers/ are saved`,
          { details: { path: file.path, rule: "outside-layout" } },
        );
      }
      if (typeof file.contents !== "string") {
        throw new McpCliError("USAGE", `generated file ${file.path} has no text contents`, {
          details: { path: file.path },
        });
      }
      const lower = file.path.toLowerCase();
      const clash = folded.get(lower);
      if (clash !== undefined) {
        throw new McpCliError(
          "PATH_INVALID",
          clash === file.path
            ? `generated file ${file.path} is given twice`
            : `generated files ${clash} and ${file.path} differ only in case`,
          { details: { path: file.path, other: clash, rule: "duplicate" } },
        );
      }
      folded.set(lower, file.path);
      byPath.set(file.path, file.contents);
    }
    if (!byPath.has(SKILL_MD)) {
      throw new McpCliError("USAGE", `the generated files for skill ${name} contain no SKILL.md`, {
        details: { name },
      });
    }
    byPath.set(SKILL_MD, renderSkillMarkdown(byPath.get(SKILL_MD), name, description));
    return [...byPath.keys()].sort(compare).map((path) => ({ path, contents: byPath.get(path) as string }));
  }
}

/** Compares a saved skill's fingerprint with a server's current one (see `diffFingerprints`). */
export function compareFingerprints(metadata: SkillMetadata, current: ToolFingerprint): FingerprintCheck {
  const diff = diffFingerprints(metadata.fingerprint, current);
  const sameDigest = digestsEqual(metadata.fingerprint.digest, current.digest);
  const emptyDiff = diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
  return { name: metadata.name, server: metadata.server, matches: sameDigest && emptyDiff, diff };
}

/** vfs.json and the materialized tree must hold the same files with the same bytes. */
function compareTreeWithSnapshot(tree: SkillTree, snapshot: VfsSnapshot): string[] {
  const problems: string[] = [];
  const inSnapshot = new Map<string, Uint8Array>();
  for (const entry of snapshot.entries) {
    if (!entry.path.startsWith(`${MCP_TOOLS_ROOT}/`)) {
      problems.push(`vfs.json holds ${entry.path}, outside ${MCP_TOOLS_ROOT}`);
    } else if (entry.type === "file") {
      inSnapshot.set(entry.path.slice(MCP_TOOLS_ROOT.length + 1), decodeSnapshotFile(entry));
    }
  }
  if (!snapshot.sealed) problems.push("vfs.json is not sealed");
  const onDisk = generatedTreeFiles(tree.regular);
  const diskSet = new Set(onDisk);
  for (const path of [...inSnapshot.keys()].sort(compare)) {
    if (!diskSet.has(path)) problems.push(`vfs.json holds ${path}, which is not in the skill folder`);
  }
  for (const path of onDisk) {
    const copy = inSnapshot.get(path);
    if (copy === undefined) {
      problems.push(`${path} is in the skill folder but not in vfs.json`);
      continue;
    }
    const bytes = tree.files.get(path);
    if (bytes !== undefined && !Buffer.from(bytes).equals(copy)) {
      problems.push(`${path} differs from its copy in vfs.json`);
    }
  }
  return problems;
}
