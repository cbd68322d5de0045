/**
 * What a save writes, checked and prepared before anything touches the disk: the manifests that
 * metadata.json records, and the generated files (canonical paths inside the skill layout, SKILL.md
 * front matter set to the skill's name and description).
 */
import {
  type GeneratedFile,
  McpCliError,
  type SaveSkillInput,
  type SkillId,
  type SkillServerRecord,
} from "@mcp-execution/core";
import { MCP_TOOLS_ROOT, normalizeVfsPath } from "@mcp-execution/vfs";
import { REFERENCE_MD, SERVERS_DIRECTORY, SKILL_MD } from "./layout.js";
import { renderSkillMarkdown } from "./skill-md.js";
import { compare } from "./skills-directory.js";

export function isGeneratedTreePath(path: string): boolean {
  return path === SKILL_MD || path === REFERENCE_MD || path.startsWith(`${SERVERS_DIRECTORY}/`);
}

/** Files of the skill directory that belong to the generated tree (and so to vfs.json). */
export function generatedTreeFiles(paths: Iterable<string>): string[] {
  return [...paths].filter(isGeneratedTreePath).sort(compare);
}

/** The parts of the manifest and input that metadata.json records must be there and typed. */
export function checkManifest(name: SkillId, input: SaveSkillInput): void {
  const many = Array.isArray(input.manifests) ? input.manifests : [];
  for (const manifest of [input.manifest, ...many]) {
    checkOneManifest(
      name,
      manifest as Partial<SaveSkillInput["manifest"]> | undefined,
      input.generatorVersion,
    );
  }
  const servers = new Set(many.map((manifest) => manifest.server));
  const problem =
    servers.size !== many.length
      ? "manifests must name distinct servers"
      : many.length > 0 && !many.includes(input.manifest)
        ? "manifest must be one of manifests"
        : undefined;
  if (problem !== undefined) {
    throw new McpCliError("USAGE", `cannot save skill ${name}: ${problem}`, {
      details: { name, rule: problem },
    });
  }
}

function checkOneManifest(
  name: SkillId,
  manifest: Partial<SaveSkillInput["manifest"]> | undefined,
  generatorVersion: string,
): void {
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
              : typeof generatorVersion !== "string" || generatorVersion.length === 0
                ? "generatorVersion must be a non-empty string"
                : undefined;
  if (problem !== undefined) {
    throw new McpCliError("USAGE", `cannot save skill ${name}: ${problem}`, {
      details: { name, rule: problem },
    });
  }
}

/**
 * What metadata.json records of each server, sorted by server name: `manifests` when given (a
 * skill of several servers), else the one `manifest`.
 */
export function serverRecords(input: SaveSkillInput): SkillServerRecord[] {
  const manifests =
    input.manifests !== undefined && input.manifests.length > 0 ? input.manifests : [input.manifest];
  return [...manifests]
    .sort((a, b) => compare(a.server, b.server))
    .map((manifest) => ({
      server: manifest.server,
      serverName: manifest.serverInfo.name,
      serverVersion: manifest.serverInfo.version,
      protocolVersion: manifest.protocolVersion,
      toolCount: manifest.tools.length,
      fingerprint: manifest.fingerprint,
    }));
}

/**
 * Checks the generated tree and returns it with SKILL.md's front matter set to this skill's
 * name and description. Paths must be canonical relative paths: `SKILL.md`, `REFERENCE.md` or
 * under `servers/`; two paths may not differ only in case (they would collide on macOS and
 * Windows).
 */
export function checkGeneratedFiles(
  name: SkillId,
  files: readonly GeneratedFile[],
  description: string,
): GeneratedFile[] {
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
