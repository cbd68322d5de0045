/**
 * Verification of a saved skill: every file against checksum.blake3 (constant-time compares),
 * the store's own files, SKILL.md's front matter, metadata.json, and vfs.json against the files.
 */
import {
  digestsEqual,
  isMcpCliError,
  McpCliError,
  type SkillId,
  type SkillMetadata,
  type SkillVerification,
} from "@mcp-execution/core";
import { decodeSnapshotFile, MCP_TOOLS_ROOT, parseVfsSnapshot, type VfsSnapshot } from "@mcp-execution/vfs";
import { digestOf, parseChecksumFile } from "./checksum-file.js";
import { readSkill } from "./consistent-read.js";
import type { SkillTree } from "./disk.js";
import { CHECKSUM_FILE, METADATA_JSON, SKILL_MD, VFS_JSON } from "./layout.js";
import { parseMetadata } from "./metadata.js";
import { generatedTreeFiles } from "./save-input.js";
import { checkSkillMarkdown } from "./skill-md.js";
import { compare, notFound, type SkillsDirectory } from "./skills-directory.js";

/** {@link SkillVerification} with the problems that are not a single file's checksum. */
export interface SkillVerificationReport extends SkillVerification {
  /**
   * Sentences for everything wrong beyond checksums: a malformed checksum file, SKILL.md front
   * matter that breaks the Agent Skills rule, metadata.json that does not parse or names another
   * skill, vfs.json that does not parse or disagrees with the files under `servers/`.
   */
  readonly problems: readonly string[];
}

const REQUIRED_FILES = [SKILL_MD, METADATA_JSON, VFS_JSON, CHECKSUM_FILE];

/** What {@link FileSkillStore} learns from reading and checking one skill directory. */
export interface Inspection {
  readonly report: SkillVerificationReport;
  readonly metadata: SkillMetadata | undefined;
  /** vfs.json, when it parsed as a snapshot. */
  readonly snapshot: VfsSnapshot | undefined;
  readonly tree: SkillTree;
}

export function integrityError(report: SkillVerificationReport, directory: string): McpCliError {
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

/** Reads everything and checks it; see {@link SkillVerificationReport}. */
export async function inspectSkill(
  dir: SkillsDirectory,
  name: SkillId,
): Promise<{ inspection: Inspection; directory: string }> {
  const { tree, directory } = await readSkill(dir, name, () => true);
  if (!tree.regular.has(METADATA_JSON) && !tree.regular.has(CHECKSUM_FILE)) {
    throw notFound(
      name,
      dir.root,
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
