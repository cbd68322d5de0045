/**
 * The snapshot format: a plain JSON document holding every file of a volume (or of one area), in
 * sorted order, text as text and everything else as base64. It is what a skill's `vfs.json` holds.
 */
import { McpCliError } from "@mcp-execution/core";
import { normalizeVfsPath } from "./path.js";

export const VFS_SNAPSHOT_FORMAT = "mcp-execution/vfs-snapshot";
export const VFS_SNAPSHOT_VERSION = 1;

/**
 * A file: `utf8` when its bytes are valid UTF-8 (a byte-order mark included and kept), otherwise
 * `base64` (standard alphabet, padded). Decoding `data` gives the file's bytes exactly.
 */
export interface VfsSnapshotFile {
  readonly path: string;
  readonly type: "file";
  readonly encoding: "utf8" | "base64";
  readonly data: string;
}

/** A directory with nothing in it; directories that hold files are implied by their files' paths. */
export interface VfsSnapshotDirectory {
  readonly path: string;
  readonly type: "directory";
}

export type VfsSnapshotEntry = VfsSnapshotFile | VfsSnapshotDirectory;

/**
 * Version 1 of the snapshot. `entries` are sorted by `path` (UTF-16 code unit order, as
 * `Array.prototype.sort` does), have unique, normalized, absolute paths, and never hold symlinks.
 * `sealed` says whether `/mcp-tools` was sealed (see `VirtualFileSystem.seal`). Key order is
 * fixed, so `JSON.stringify` of a snapshot is byte-for-byte deterministic.
 */
export interface VfsSnapshot {
  readonly format: typeof VFS_SNAPSHOT_FORMAT;
  readonly version: typeof VFS_SNAPSHOT_VERSION;
  readonly sealed: boolean;
  readonly entries: readonly VfsSnapshotEntry[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of `bytes` when they are valid UTF-8, else `undefined`. A leading BOM is kept. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Encodes file bytes the way a snapshot stores them. */
export function encodeSnapshotFile(path: string, bytes: Uint8Array): VfsSnapshotFile {
  const text = decodeUtf8(bytes);
  return text === undefined
    ? { path, type: "file", encoding: "base64", data: Buffer.from(bytes).toString("base64") }
    : { path, type: "file", encoding: "utf8", data: text };
}

/** The bytes a snapshot file entry stands for. */
export function decodeSnapshotFile(entry: VfsSnapshotFile): Uint8Array {
  return entry.encoding === "utf8" ? Buffer.from(entry.data, "utf8") : Buffer.from(entry.data, "base64");
}

function invalid(problem: string, details: Record<string, unknown> = {}): McpCliError {
  return new McpCliError("SNAPSHOT_INVALID", `invalid vfs snapshot: ${problem}`, { details });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkKeys(entry: Record<string, unknown>, allowed: readonly string[], index: number): void {
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) {
      throw invalid(`entries[${index}] has an unknown key ${JSON.stringify(key)}`, { index, key });
    }
  }
}

function parseEntry(value: unknown, index: number): VfsSnapshotEntry {
  if (!isRecord(value)) throw invalid(`entries[${index}] is not an object`, { index });
  const { path, type } = value;
  if (typeof path !== "string") throw invalid(`entries[${index}].path is not a string`, { index });
  if (type === "symlink") {
    throw new McpCliError(
      "PATH_INVALID",
      `invalid vfs snapshot: ${path} is a symlink; symlinks are not allowed`,
      {
        details: { path, rule: "symlink", index },
      },
    );
  }
  // Throws PATH_INVALID for traversal and the like; a non-canonical spelling is refused too, so a
  // snapshot has exactly one way to name each file.
  const normalized = normalizeVfsPath(path);
  if (normalized.path !== path || normalized.area === undefined || normalized.segments.length < 2) {
    throw invalid(
      `entries[${index}].path ${JSON.stringify(path)} is not a normalized path inside /mcp-tools or /workspace`,
      { index, path },
    );
  }
  if (type === "directory") {
    checkKeys(value, ["path", "type"], index);
    return { path, type };
  }
  if (type !== "file") {
    throw invalid(`entries[${index}].type must be "file" or "directory"`, {
      index,
      path,
      type: String(type),
    });
  }
  checkKeys(value, ["path", "type", "encoding", "data"], index);
  const { encoding, data } = value;
  if (typeof data !== "string") throw invalid(`entries[${index}].data is not a string`, { index, path });
  if (encoding === "utf8") return { path, type, encoding, data };
  if (encoding === "base64") {
    if (!BASE64.test(data)) throw invalid(`entries[${index}].data is not padded base64`, { index, path });
    return { path, type, encoding, data };
  }
  throw invalid(`entries[${index}].encoding must be "utf8" or "base64"`, { index, path });
}

/**
 * Checks that `value` (for example the result of `JSON.parse` on a skill's `vfs.json`) is a
 * version-1 snapshot and returns it typed. Errors: `SNAPSHOT_INVALID` for a wrong shape, format,
 * version, order or duplicate; `PATH_INVALID` for a path that breaks the normalizer's rules or a
 * symlink entry.
 */
export function parseVfsSnapshot(value: unknown): VfsSnapshot {
  if (!isRecord(value)) throw invalid("the document is not a JSON object");
  if (value.format !== VFS_SNAPSHOT_FORMAT) {
    throw invalid(`format must be ${JSON.stringify(VFS_SNAPSHOT_FORMAT)}`, { format: String(value.format) });
  }
  if (value.version !== VFS_SNAPSHOT_VERSION) {
    throw invalid(
      `version ${JSON.stringify(value.version)} is not supported; this version of mcp-cli reads version ${VFS_SNAPSHOT_VERSION}`,
      { version: typeof value.version === "number" ? value.version : String(value.version) },
    );
  }
  if (typeof value.sealed !== "boolean") throw invalid("sealed must be true or false");
  if (!Array.isArray(value.entries)) throw invalid("entries must be an array");
  for (const key of Object.keys(value)) {
    if (!["format", "version", "sealed", "entries"].includes(key)) {
      throw invalid(`unknown top-level key ${JSON.stringify(key)}`, { key });
    }
  }
  const entries: VfsSnapshotEntry[] = [];
  let previous: string | undefined;
  for (const [index, raw] of value.entries.entries()) {
    const entry = parseEntry(raw, index);
    if (previous !== undefined && !(previous < entry.path)) {
      throw invalid(
        previous === entry.path
          ? `${entry.path} appears twice`
          : `entries are not sorted by path: ${entry.path} comes after ${previous}`,
        { index, path: entry.path },
      );
    }
    previous = entry.path;
    entries.push(entry);
  }
  return { format: VFS_SNAPSHOT_FORMAT, version: VFS_SNAPSHOT_VERSION, sealed: value.sealed, entries };
}
