/**
 * Names of the files and directories a saved skill consists of (docs/conventions.md section 4 and
 * docs/adr/006-skill-format.md), and of the hidden entries a save leaves beside it while it runs.
 */
import { join } from "node:path";
import type { SkillId } from "@mcp-execution/core";

export const SKILL_MD = "SKILL.md";
export const REFERENCE_MD = "REFERENCE.md";
export const METADATA_JSON = "metadata.json";
export const VFS_JSON = "vfs.json";
export const CHECKSUM_FILE = "checksum.blake3";
/** The generated tree's server directories are materialized here. */
export const SERVERS_DIRECTORY = "servers";

/** Files the store writes itself; a generated tree may not contain them. */
export const STORE_FILES: readonly string[] = [METADATA_JSON, VFS_JSON, CHECKSUM_FILE];

/** Marks metadata.json as written by this store (a skills directory also holds hand-written skills). */
export const METADATA_FORMAT = "mcp-execution/skill";
export const METADATA_FORMAT_VERSION = 1;

export const FILE_MODE = 0o600;
export const DIRECTORY_MODE = 0o700;

/** Hidden siblings of `<skills-dir>/<name>`; the leading dot keeps them out of skill listings. */
export type SideEntryKind = "tmp" | "old" | "trash" | "lock" | "lock-new" | "lock-stale";

export function skillPath(root: string, name: SkillId): string {
  return join(root, name);
}

/** `.<name>.lock`, `.<name>.lock.new-<token>`, `.<name>.lock.stale-<token>`, `.<name>.tmp-<token>`, ... */
export function sidePath(root: string, name: SkillId, kind: SideEntryKind, token = ""): string {
  switch (kind) {
    case "lock":
      return join(root, `.${name}.lock`);
    case "lock-new":
      return join(root, `.${name}.lock.new-${token}`);
    case "lock-stale":
      return join(root, `.${name}.lock.stale-${token}`);
    default:
      return join(root, `.${name}.${kind}-${token}`);
  }
}

const SIDE_ENTRY =
  /^\.([a-z0-9-]+)\.(?:(tmp|old|trash)-([0-9a-f]+)|lock(?:\.(new|stale)-([0-9a-f]+(?:-[0-9a-f]+)?))?)$/;

/** Parses a hidden side entry's name; `undefined` for anything else. */
export function parseSideEntry(
  entry: string,
): { name: string; kind: SideEntryKind; token: string } | undefined {
  const match = SIDE_ENTRY.exec(entry);
  if (match === null) return undefined;
  const [, name = "", kind, token = "", lockKind, lockToken = ""] = match;
  if (kind !== undefined) return { name, kind: kind as "tmp" | "old" | "trash", token };
  if (lockKind !== undefined)
    return { name, kind: lockKind === "new" ? "lock-new" : "lock-stale", token: lockToken };
  return { name, kind: "lock", token: "" };
}
