/**
 * The generated tree on disk (`generate -o DIR`, CONVENTIONS.md section 4): writing it without
 * following links, and reading back the server manifests an existing tree holds so that a new
 * server joins the tree instead of replacing its SKILL.md and REFERENCE.md.
 *
 * The folder may come from a cloned repository: everything read from it is bounded (file size,
 * number of servers) and checked for shape, and nothing is written or removed through a link.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { type GeneratedFile, McpCliError, type ServerManifest } from "@mcp-execution/core";
import {
  checkRoot,
  ensureRoot,
  readContainedFile,
  removeContained,
  writeContainedFile,
} from "./contained-path.js";
import { SERVERS_DIRECTORY } from "./layout.js";

/** The largest `manifest.json` read back from an existing tree. */
export const MAX_TREE_MANIFEST_BYTES = 16 * 1024 * 1024;
/** The most server folders read back from an existing tree. */
export const MAX_TREE_SERVERS = 256;

export interface WriteGeneratedTreeOptions {
  /**
   * Servers whose `servers/<server>/` folders are removed before writing, so tools a server no
   * longer has do not linger. Other servers' folders are left alone.
   */
  readonly replaceServers?: readonly string[];
}

/**
 * Writes `files` under `outDir` (created when missing). `outDir` itself, every folder on the way
 * and every file written must be a real folder or file, never a link: anything else is
 * `PATH_INVALID`, and nothing outside `outDir` is touched.
 */
export async function writeGeneratedTree(
  outDir: string,
  files: readonly GeneratedFile[],
  options: WriteGeneratedTreeOptions = {},
): Promise<void> {
  await ensureRoot(outDir);
  for (const server of options.replaceServers ?? []) {
    await removeContained(outDir, `${SERVERS_DIRECTORY}/${server}`);
  }
  for (const file of files) await writeContainedFile(outDir, file.path, file.contents);
}

/** What {@link readTreeManifests} found in an existing tree. */
export interface TreeManifests {
  /** Manifests that read and have a manifest's shape, sorted by server name. */
  readonly manifests: readonly ServerManifest[];
  /** One sentence per server folder that was skipped, and why. */
  readonly skipped: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parts of a manifest code generation relies on, checked; undefined when they are there. */
function manifestProblem(value: unknown, server: string): string | undefined {
  if (!isRecord(value)) return "is not a JSON object";
  if (value.server !== server) return `names server ${JSON.stringify(value.server)}, not its folder's`;
  const info = value.serverInfo;
  if (!isRecord(info) || typeof info.name !== "string" || typeof info.version !== "string") {
    return "has no serverInfo with a name and a version";
  }
  if (typeof value.protocolVersion !== "string") return "has no protocolVersion";
  if (!isRecord(value.capabilities)) return "has no capabilities object";
  if (value.instructions !== undefined && typeof value.instructions !== "string") {
    return "has instructions that are not a string";
  }
  if (
    !Array.isArray(value.tools) ||
    !value.tools.every((tool) => isRecord(tool) && typeof tool.name === "string")
  ) {
    return "has no tools list of named tools";
  }
  const fingerprint = value.fingerprint;
  if (!isRecord(fingerprint) || typeof fingerprint.digest !== "string" || !isRecord(fingerprint.tools)) {
    return "has no tool fingerprint";
  }
  return undefined;
}

/**
 * The manifests of the servers already in the tree at `outDir` (`servers/<server>/manifest.json`).
 * A missing tree has none. A server folder whose manifest is missing, too large (over
 * {@link MAX_TREE_MANIFEST_BYTES}), not JSON or not shaped like a manifest is skipped and named
 * in `skipped`; so is anything under `servers/` that is a link or a file. Errors: `PATH_INVALID`
 * when `outDir` or its `servers` folder is a link or a file, `LIMIT_SIZE` past
 * {@link MAX_TREE_SERVERS} server folders.
 */
export async function readTreeManifests(outDir: string): Promise<TreeManifests> {
  if (!(await checkRoot(outDir))) return { manifests: [], skipped: [] };
  const servers = join(outDir, SERVERS_DIRECTORY);
  if (!(await checkRoot(servers))) return { manifests: [], skipped: [] };
  const entries = await readdir(servers, { withFileTypes: true });
  if (entries.length > MAX_TREE_SERVERS) {
    throw new McpCliError(
      "LIMIT_SIZE",
      `${servers} holds ${entries.length} entries; an existing tree is read back only up to ${MAX_TREE_SERVERS} servers`,
      { details: { path: servers, limit: MAX_TREE_SERVERS } },
    );
  }
  const manifests: ServerManifest[] = [];
  const skipped: string[] = [];
  const names = entries.map((entry) => entry.name).sort();
  for (const name of names) {
    const shown = JSON.stringify(name);
    const read = await readContainedFile(servers, `${name}/manifest.json`, MAX_TREE_MANIFEST_BYTES).catch(
      (error: unknown) => {
        if (error instanceof McpCliError && error.code === "PATH_INVALID") return undefined;
        throw error;
      },
    );
    if (read === undefined) {
      skipped.push(`servers/${shown} is not a plain folder (a link, a file or an odd name)`);
      continue;
    }
    if (read.kind !== "file") {
      const why =
        read.kind === "missing"
          ? "has no manifest.json"
          : read.kind === "oversized"
            ? `has a manifest.json over ${MAX_TREE_MANIFEST_BYTES} bytes`
            : `has a manifest.json that is ${read.found}`;
      skipped.push(`servers/${shown} ${why}`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(read.bytes.toString("utf8"));
    } catch {
      skipped.push(`servers/${shown} has a manifest.json that is not JSON`);
      continue;
    }
    const problem = manifestProblem(value, name);
    if (problem !== undefined) {
      skipped.push(`servers/${shown}/manifest.json ${problem}`);
      continue;
    }
    manifests.push(value as ServerManifest);
  }
  return { manifests, skipped };
}
