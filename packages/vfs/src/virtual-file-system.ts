/**
 * The sandbox's virtual filesystem: a private memfs volume with two areas, `/mcp-tools` (the
 * generated tree, written once by the host and read-only to guests) and `/workspace` (guest
 * scratch space under a byte quota and an entry limit).
 */
import {
  DEFAULT_LIMIT_PROFILE,
  disposedError,
  type GeneratedFile,
  type GuestFileSystem,
  LIMIT_PROFILES,
  McpCliError,
} from "@mcp-execution/core";
import { memfs } from "memfs";
import { MCP_TOOLS_ROOT, normalizeVfsPath, type VfsArea, type VfsPath, WORKSPACE_ROOT } from "./path.js";
import {
  decodeSnapshotFile,
  decodeUtf8,
  encodeSnapshotFile,
  parseVfsSnapshot,
  VFS_SNAPSHOT_FORMAT,
  VFS_SNAPSHOT_VERSION,
  type VfsSnapshot,
  type VfsSnapshotEntry,
} from "./snapshot.js";

type Volume = ReturnType<typeof memfs>["vol"];

/** Default total size of `/workspace` files: the default limit profile's `workspaceBytes`. */
export const DEFAULT_WORKSPACE_QUOTA_BYTES = LIMIT_PROFILES[DEFAULT_LIMIT_PROFILE].workspaceBytes;
/** Default number of files plus directories `/workspace` may hold. */
export const DEFAULT_WORKSPACE_MAX_ENTRIES = 10_000;

export interface VirtualFileSystemOptions {
  /** Total bytes of file contents allowed under `/workspace`; default {@link DEFAULT_WORKSPACE_QUOTA_BYTES}. */
  readonly workspaceQuotaBytes?: number;
  /**
   * Files plus directories allowed under `/workspace` (the area root not counted); default
   * {@link DEFAULT_WORKSPACE_MAX_ENTRIES}. Bounds the memory that many empty files would take.
   */
  readonly workspaceMaxEntries?: number;
}

export type VfsEntryKind = "file" | "directory";

export interface VfsStat {
  readonly kind: VfsEntryKind;
  /** Bytes of a file; 0 for a directory. */
  readonly size: number;
}

export interface VfsUsage {
  readonly workspaceBytes: number;
  readonly workspaceEntries: number;
  readonly workspaceQuotaBytes: number;
  readonly workspaceMaxEntries: number;
  readonly toolsBytes: number;
  readonly toolsEntries: number;
}

export interface SnapshotOptions {
  /** Only the entries of this area; both areas when absent. */
  readonly area?: VfsArea;
}

/** What the index knows about an entry; the volume holds only the bytes. */
type IndexEntry = { readonly kind: "file"; readonly size: number } | { readonly kind: "directory" };

interface WritePlan {
  readonly target: VfsPath;
  readonly missingDirectories: readonly string[];
  readonly previousSize: number | undefined;
}

/**
 * What memfs sees as `process`. By default it asks the real one: `cwd()` for relative paths (so a
 * relative path that slipped through would resolve against the host's working directory), the
 * platform (win32 changes path rules) and `getuid()`/`getgid()` on every file created, which are
 * system calls and were 60% of the time of writing a 55-file tree. A fixed value removes all three.
 */
const VOLUME_PROCESS = {
  getuid: () => 0,
  getgid: () => 0,
  cwd: () => "/",
  platform: "linux",
  emitWarning: () => {},
  env: {},
};

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new McpCliError("USAGE", `${name} must be a non-negative integer, got ${String(value)}`, {
      details: { option: name, value: String(value) },
    });
  }
  return value;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pathError(path: string, rule: string, problem: string): McpCliError {
  return new McpCliError("PATH_INVALID", `${path}: ${problem}`, { details: { path, rule } });
}

function notFound(path: string): McpCliError {
  return new McpCliError("FILE_NOT_FOUND", `${path} does not exist`, { details: { path } });
}

function readOnly(path: string, why: string): McpCliError {
  return new McpCliError("READ_ONLY", `${path} is read-only: ${why}; write under ${WORKSPACE_ROOT} instead`, {
    details: { path },
  });
}

/**
 * A virtual filesystem for one sandbox run (or one loaded skill). It owns a private memfs volume;
 * nothing in it touches the host disk. Every path goes through {@link normalizeVfsPath}.
 *
 * Errors: `PATH_INVALID` (bad path, wrong kind of entry), `FILE_NOT_FOUND`, `FILE_EXISTS`,
 * `READ_ONLY` (any write to `/mcp-tools` through the guest API, or populating it after `seal()`),
 * `LIMIT_STORAGE` (the workspace quota or entry limit), `UNSUPPORTED` (text read of a file that is
 * not UTF-8), `SNAPSHOT_INVALID`, and `DISPOSED` after {@link VirtualFileSystem.dispose}.
 *
 * Not safe to share between concurrent runs that expect isolation: give each run its own instance
 * (`fromSnapshot` makes copies cheaply).
 */
export class VirtualFileSystem implements GuestFileSystem, Disposable {
  readonly workspaceQuotaBytes: number;
  readonly workspaceMaxEntries: number;
  #volume: Volume | undefined;
  /**
   * Kind and size of every entry, kept in step with the volume by the only three methods that
   * change it (#write, #makeDirectories, remove). Answers every existence, kind and quota question
   * without asking memfs, whose failed lookups build an Error each (most of the cost of a write).
   * Only files and directories can be in it: nothing here creates a symlink.
   */
  readonly #index = new Map<string, IndexEntry>([
    ["/", { kind: "directory" }],
    [MCP_TOOLS_ROOT, { kind: "directory" }],
    [WORKSPACE_ROOT, { kind: "directory" }],
  ]);
  #sealed = false;
  #workspaceBytes = 0;
  #workspaceEntries = 0;
  #toolsBytes = 0;
  #toolsEntries = 0;

  /** An empty volume: `/mcp-tools` (unsealed, empty) and `/workspace` (empty). */
  constructor(options: VirtualFileSystemOptions = {}) {
    this.workspaceQuotaBytes = checkLimit(
      "workspaceQuotaBytes",
      options.workspaceQuotaBytes,
      DEFAULT_WORKSPACE_QUOTA_BYTES,
    );
    this.workspaceMaxEntries = checkLimit(
      "workspaceMaxEntries",
      options.workspaceMaxEntries,
      DEFAULT_WORKSPACE_MAX_ENTRIES,
    );
    const { vol } = memfs(undefined, { cwd: "/", process: VOLUME_PROCESS });
    vol.mkdirSync(MCP_TOOLS_ROOT);
    vol.mkdirSync(WORKSPACE_ROOT);
    this.#volume = vol;
  }

  /** A volume whose `/mcp-tools` holds `files` and is sealed. See {@link populateTools}. */
  static withTools(
    files: readonly GeneratedFile[],
    options: VirtualFileSystemOptions = {},
  ): VirtualFileSystem {
    const vfs = new VirtualFileSystem(options);
    try {
      vfs.populateTools(files);
      vfs.seal();
      return vfs;
    } catch (error) {
      vfs.dispose();
      throw error;
    }
  }

  /**
   * Rebuilds a volume from a snapshot (a parsed `vfs.json`), byte for byte. The snapshot is checked
   * with `parseVfsSnapshot` first; workspace files count against `options`' quota; `/mcp-tools` is
   * sealed when the snapshot says so. Errors: `SNAPSHOT_INVALID`, `PATH_INVALID`, `LIMIT_STORAGE`.
   */
  static fromSnapshot(snapshot: unknown, options: VirtualFileSystemOptions = {}): VirtualFileSystem {
    const parsed = parseVfsSnapshot(snapshot);
    const vfs = new VirtualFileSystem(options);
    try {
      for (const entry of parsed.entries) {
        const target = normalizeVfsPath(entry.path);
        // The snapshot's author wrote /mcp-tools (as the host); /workspace files count against the quota.
        const writer = target.area === "mcp-tools" ? "host" : "guest";
        if (entry.type === "directory") {
          vfs.#makeDirectories(target, writer);
        } else {
          const bytes = decodeSnapshotFile(entry);
          vfs.#write(vfs.#plan(target, bytes.byteLength, writer), bytes);
        }
      }
      if (parsed.sealed) vfs.seal();
      return vfs;
    } catch (error) {
      vfs.dispose();
      throw error;
    }
  }

  /** True once {@link seal} was called: `/mcp-tools` can no longer be populated. */
  get sealed(): boolean {
    return this.#sealed;
  }

  get disposed(): boolean {
    return this.#volume === undefined;
  }

  /**
   * Writes the generated tree under `/mcp-tools`. Each `path` must be relative (`servers/x/y.ts`,
   * `SKILL.md`) and stay inside `/mcp-tools`; the whole list is checked before anything is written,
   * so a refused list leaves the volume as it was. An existing file is never replaced.
   * Errors: `READ_ONLY` after {@link seal}; `PATH_INVALID`; `FILE_EXISTS` for a path given twice or
   * already present.
   */
  populateTools(files: readonly GeneratedFile[]): void {
    this.#live();
    if (this.#sealed) throw readOnly(MCP_TOOLS_ROOT, "it was sealed after being populated");
    const targets = new Map<string, { target: VfsPath; bytes: Uint8Array }>();
    for (const file of files) {
      if (/^[/\\]/.test(file.path)) {
        throw pathError(file.path, "absolute", "a generated file's path must be relative to the tree root");
      }
      const target = normalizeVfsPath(file.path, { base: MCP_TOOLS_ROOT });
      if (target.area !== "mcp-tools" || target.segments.length < 2) {
        throw pathError(file.path, "escapes-root", `must name a file inside ${MCP_TOOLS_ROOT}`);
      }
      if (targets.has(target.path) || this.#index.has(target.path)) {
        throw new McpCliError("FILE_EXISTS", `${target.path} is given twice or already exists`, {
          details: { path: target.path },
        });
      }
      targets.set(target.path, { target, bytes: Buffer.from(file.contents, "utf8") });
    }
    for (const { target } of targets.values()) {
      // A path that is both a file and another file's directory would fail halfway: refuse it first.
      for (let depth = 2; depth < target.segments.length; depth++) {
        const parent = `/${target.segments.slice(0, depth).join("/")}`;
        if (targets.has(parent)) {
          throw pathError(parent, "not-a-directory", `is a file and also the directory of ${target.path}`);
        }
      }
      this.#missingParents(target);
    }
    for (const { target, bytes } of targets.values()) {
      this.#write(this.#plan(target, bytes.byteLength, "host"), bytes);
    }
  }

  /** Makes `/mcp-tools` permanently read-only, also for the host. Idempotent. */
  seal(): void {
    this.#live();
    this.#sealed = true;
  }

  /** The text of a file. Errors: `PATH_INVALID`, `FILE_NOT_FOUND`, `UNSUPPORTED` when it is not UTF-8. */
  readFile(path: string): string {
    const target = normalizeVfsPath(path);
    const bytes = this.#readBytes(target);
    const text = decodeUtf8(bytes);
    if (text === undefined) {
      throw new McpCliError(
        "UNSUPPORTED",
        `${target.path} is not UTF-8 text (${bytes.byteLength} bytes); readFile returns text only`,
        { details: { path: target.path, size: bytes.byteLength } },
      );
    }
    return text;
  }

  /** The bytes of a file (a copy). Errors: `PATH_INVALID`, `FILE_NOT_FOUND`. */
  readBytes(path: string): Uint8Array {
    return this.#readBytes(normalizeVfsPath(path));
  }

  /**
   * Writes `text` as UTF-8, creating missing parent directories. Only `/workspace` is writable.
   * Errors: `READ_ONLY`, `PATH_INVALID`, `LIMIT_STORAGE` (nothing is written when refused).
   */
  writeFile(path: string, text: string): void {
    if (typeof text !== "string") {
      throw new McpCliError("UNSUPPORTED", `writeFile expects text (a string), got ${typeof text}`, {
        details: { type: typeof text },
      });
    }
    this.writeBytes(path, Buffer.from(text, "utf8"));
  }

  /** {@link writeFile} for bytes; the bytes are copied. */
  writeBytes(path: string, bytes: Uint8Array): void {
    this.#live();
    const target = normalizeVfsPath(path);
    const copy = Buffer.from(bytes);
    this.#write(this.#plan(target, copy.byteLength, "guest"), copy);
  }

  /**
   * The names in a directory, sorted, directories with a trailing `/` (`["index.ts", "sub/"]`).
   * `/` lists the two areas. Errors: `PATH_INVALID` (not a directory), `FILE_NOT_FOUND`.
   */
  listFiles(directory: string): string[] {
    const target = normalizeVfsPath(directory);
    return this.#children(this.#directory(target.path)).map(({ name, entry }) =>
      entry.kind === "directory" ? `${name}/` : name,
    );
  }

  /** Every file below `directory` (or `directory` itself if it is a file), as sorted absolute paths. */
  listTree(directory: string): string[] {
    const files: string[] = [];
    for (const { path, entry } of this.#walk(normalizeVfsPath(directory).path)) {
      if (entry.kind === "file") files.push(path);
    }
    return files.sort(compareStrings);
  }

  /** Kind and size of an entry. Errors: `PATH_INVALID`, `FILE_NOT_FOUND`. */
  stat(path: string): VfsStat {
    this.#live();
    const target = normalizeVfsPath(path);
    const entry = this.#index.get(target.path);
    if (entry === undefined) throw notFound(target.path);
    return { kind: entry.kind, size: entry.kind === "file" ? entry.size : 0 };
  }

  /** Whether an entry exists. An invalid path still throws `PATH_INVALID`. */
  exists(path: string): boolean {
    this.#live();
    return this.#index.has(normalizeVfsPath(path).path);
  }

  /**
   * Creates a directory and its missing parents under `/workspace`; an existing directory is fine.
   * Errors: `READ_ONLY`, `PATH_INVALID`, `FILE_EXISTS` (a file is in the way), `LIMIT_STORAGE`.
   */
  makeDirectory(path: string): void {
    this.#live();
    this.#makeDirectories(normalizeVfsPath(path), "guest");
  }

  /**
   * Removes a file or an empty directory under `/workspace`, giving its bytes back to the quota.
   * Errors: `READ_ONLY`, `PATH_INVALID` (an area root, a non-empty directory), `FILE_NOT_FOUND`.
   */
  remove(path: string): void {
    const volume = this.#live();
    const target = normalizeVfsPath(path);
    if (target.area === "mcp-tools") throw readOnly(target.path, "the generated tree cannot be changed");
    if (target.segments.length < 2)
      throw pathError(target.path, "area-root", "an area root cannot be removed");
    const entry = this.#index.get(target.path);
    if (entry === undefined) throw notFound(target.path);
    if (entry.kind === "file") {
      volume.unlinkSync(target.path);
      this.#workspaceBytes -= entry.size;
    } else {
      if (volume.readdirSync(target.path).length > 0) {
        throw pathError(target.path, "not-empty", "is a directory that is not empty");
      }
      volume.rmdirSync(target.path);
    }
    this.#index.delete(target.path);
    this.#workspaceEntries -= 1;
  }

  /** What the areas hold and the workspace limits. */
  usage(): VfsUsage {
    this.#live();
    return {
      workspaceBytes: this.#workspaceBytes,
      workspaceEntries: this.#workspaceEntries,
      workspaceQuotaBytes: this.workspaceQuotaBytes,
      workspaceMaxEntries: this.workspaceMaxEntries,
      toolsBytes: this.#toolsBytes,
      toolsEntries: this.#toolsEntries,
    };
  }

  /**
   * Every file (and every empty directory) of the volume or of one area, sorted by path, as a
   * plain JSON value that {@link fromSnapshot} turns back into an equal volume. Deterministic:
   * the same contents always give the same `JSON.stringify` output.
   */
  snapshot(options: SnapshotOptions = {}): VfsSnapshot {
    const volume = this.#live();
    const roots = options.area === undefined ? [MCP_TOOLS_ROOT, WORKSPACE_ROOT] : [`/${options.area}`];
    const entries: VfsSnapshotEntry[] = [];
    for (const root of roots) {
      for (const { path, entry, empty } of this.#walk(root)) {
        if (entry.kind === "file") {
          entries.push(encodeSnapshotFile(path, volume.readFileSync(path) as Buffer));
        } else if (empty && path !== root) {
          entries.push({ path, type: "directory" });
        }
      }
    }
    entries.sort((a, b) => compareStrings(a.path, b.path));
    return { format: VFS_SNAPSHOT_FORMAT, version: VFS_SNAPSHOT_VERSION, sealed: this.#sealed, entries };
  }

  /** Drops the volume. Idempotent; any later call throws `DISPOSED`. */
  dispose(): void {
    this.#volume = undefined;
    this.#index.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #live(): Volume {
    if (this.#volume === undefined) throw disposedError("virtual filesystem");
    return this.#volume;
  }

  #readBytes(target: VfsPath): Uint8Array {
    const volume = this.#live();
    const entry = this.#index.get(target.path);
    if (entry === undefined) throw notFound(target.path);
    if (entry.kind !== "file") throw pathError(target.path, "is-a-directory", "is a directory, not a file");
    return new Uint8Array(volume.readFileSync(target.path) as Buffer);
  }

  /** `path` when it is a directory; otherwise `FILE_NOT_FOUND` or `PATH_INVALID`. */
  #directory(path: string): string {
    this.#live();
    const entry = this.#index.get(path);
    if (entry === undefined) throw notFound(path);
    if (entry.kind !== "directory") throw pathError(path, "not-a-directory", "is a file, not a directory");
    return path;
  }

  /** The entries of a directory, sorted by name. */
  #children(directory: string): { name: string; path: string; entry: IndexEntry }[] {
    const volume = this.#live();
    const children: { name: string; path: string; entry: IndexEntry }[] = [];
    for (const raw of volume.readdirSync(directory) as (string | Buffer)[]) {
      const name = String(raw);
      const path = directory === "/" ? `/${name}` : `${directory}/${name}`;
      const entry = this.#index.get(path);
      if (entry === undefined) {
        throw new McpCliError("INTERNAL", `the vfs index has no entry for ${path}`, { details: { path } });
      }
      children.push({ name, path, entry });
    }
    return children.sort((a, b) => compareStrings(a.name, b.name));
  }

  /** Every entry at and below `root`; each directory says whether it is empty. */
  *#walk(root: string): Generator<{ path: string; entry: IndexEntry; empty: boolean }> {
    this.#live();
    const rootEntry = this.#index.get(root);
    if (rootEntry === undefined) throw notFound(root);
    if (rootEntry.kind === "file") {
      yield { path: root, entry: rootEntry, empty: false };
      return;
    }
    const pending = [root];
    while (pending.length > 0) {
      const directory = pending.pop() as string;
      const children = this.#children(directory);
      yield { path: directory, entry: { kind: "directory" }, empty: children.length === 0 };
      for (const child of children) {
        if (child.entry.kind === "directory") pending.push(child.path);
        else yield { path: child.path, entry: child.entry, empty: false };
      }
    }
  }

  /**
   * Checks everything a write needs before anything changes: the area is writable by `writer`,
   * every parent is a directory (or missing), the target is not a directory, and the workspace
   * quota and entry limit hold after the write.
   */
  #plan(target: VfsPath, byteLength: number, writer: "guest" | "host"): WritePlan {
    if (target.area === undefined || target.segments.length < 2) {
      throw pathError(target.path, "is-a-directory", "is a directory, not a file");
    }
    this.#checkWritable(target, writer);
    const missingDirectories = this.#missingParents(target);
    const existing = this.#index.get(target.path);
    if (existing?.kind === "directory") {
      throw pathError(target.path, "is-a-directory", "is a directory, not a file");
    }
    if (existing !== undefined && writer === "host") {
      throw new McpCliError("FILE_EXISTS", `${target.path} already exists`, {
        details: { path: target.path },
      });
    }
    const previousSize = existing?.size;
    if (target.area === "workspace") {
      const addedEntries = missingDirectories.length + (previousSize === undefined ? 1 : 0);
      this.#checkQuota(target.path, byteLength - (previousSize ?? 0), addedEntries);
    }
    return { target, missingDirectories, previousSize };
  }

  #checkWritable(target: VfsPath, writer: "guest" | "host"): void {
    if (target.area === "mcp-tools") {
      if (writer === "guest") throw readOnly(target.path, "the generated tree cannot be changed");
      if (this.#sealed) throw readOnly(target.path, "it was sealed after being populated");
    } else if (writer === "host") {
      throw new McpCliError("INTERNAL", `host population may only write under ${MCP_TOOLS_ROOT}`, {
        details: { path: target.path },
      });
    }
  }

  /** The parent directories of `target` that do not exist yet, outermost first. */
  #missingParents(target: VfsPath): string[] {
    const missing: string[] = [];
    let parent = `/${target.segments[0]}`;
    for (const segment of target.segments.slice(1, -1)) {
      parent = `${parent}/${segment}`;
      if (missing.length > 0) {
        missing.push(parent);
        continue;
      }
      const entry = this.#index.get(parent);
      if (entry === undefined) missing.push(parent);
      else if (entry.kind === "file") {
        throw pathError(parent, "not-a-directory", `is a file, so ${target.path} cannot be created`);
      }
    }
    return missing;
  }

  #checkQuota(path: string, addedBytes: number, addedEntries: number): void {
    const bytes = this.#workspaceBytes + addedBytes;
    if (bytes > this.workspaceQuotaBytes) {
      throw new McpCliError(
        "LIMIT_STORAGE",
        `writing ${path} would use ${bytes} bytes of the ${this.workspaceQuotaBytes}-byte workspace quota (${this.#workspaceBytes} in use); nothing was written`,
        {
          details: {
            path,
            quotaBytes: this.workspaceQuotaBytes,
            usedBytes: this.#workspaceBytes,
            wouldUseBytes: bytes,
          },
        },
      );
    }
    const entries = this.#workspaceEntries + addedEntries;
    if (entries > this.workspaceMaxEntries) {
      throw new McpCliError(
        "LIMIT_STORAGE",
        `${path} would make ${entries} files and directories in ${WORKSPACE_ROOT}, more than the ${this.workspaceMaxEntries} allowed; nothing was written`,
        { details: { path, maxEntries: this.workspaceMaxEntries, usedEntries: this.#workspaceEntries } },
      );
    }
  }

  #write(plan: WritePlan, bytes: Uint8Array): void {
    const volume = this.#live();
    for (const directory of plan.missingDirectories) {
      volume.mkdirSync(directory);
      this.#index.set(directory, { kind: "directory" });
    }
    volume.writeFileSync(plan.target.path, bytes);
    this.#index.set(plan.target.path, { kind: "file", size: bytes.byteLength });
    const addedEntries = plan.missingDirectories.length + (plan.previousSize === undefined ? 1 : 0);
    const addedBytes = bytes.byteLength - (plan.previousSize ?? 0);
    if (plan.target.area === "workspace") {
      this.#workspaceBytes += addedBytes;
      this.#workspaceEntries += addedEntries;
    } else {
      this.#toolsBytes += addedBytes;
      this.#toolsEntries += addedEntries;
    }
  }

  #makeDirectories(target: VfsPath, writer: "guest" | "host"): void {
    const volume = this.#live();
    if (target.area === undefined || target.segments.length < 2) return;
    this.#checkWritable(target, writer);
    const missing = this.#missingParents(target);
    const existing = this.#index.get(target.path);
    if (existing?.kind === "file") {
      throw new McpCliError("FILE_EXISTS", `${target.path} exists and is a file`, {
        details: { path: target.path },
      });
    }
    if (existing === undefined) missing.push(target.path);
    if (target.area === "workspace") this.#checkQuota(target.path, 0, missing.length);
    for (const directory of missing) {
      volume.mkdirSync(directory);
      this.#index.set(directory, { kind: "directory" });
    }
    if (target.area === "workspace") this.#workspaceEntries += missing.length;
    else this.#toolsEntries += missing.length;
  }
}
