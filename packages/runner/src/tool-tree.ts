/**
 * The `/mcp-tools` tree a script sees: each saved skill's verified files and the files generated
 * live for `--server` servers. codegen is imported only when something is generated.
 */
import { type GeneratedFile, McpCliError, type ServerManifest } from "@mcp-execution/core";
import type { LoadedSkillWithVfs } from "@mcp-execution/skill-store";
import { serversOfSkill } from "./skills.js";

/** The manifests a skill's tree carries in `servers/<server>/manifest.json`, one per server. */
function skillManifests(skill: LoadedSkillWithVfs): ServerManifest[] {
  return serversOfSkill(skill).map((server) => {
    const file = skill.files.find((candidate) => candidate.path === `servers/${server}/manifest.json`);
    if (file === undefined) {
      throw new McpCliError(
        "INTEGRITY",
        `skill ${skill.metadata.name} has no servers/${server}/manifest.json`,
        {
          details: { name: skill.metadata.name, server },
        },
      );
    }
    return JSON.parse(file.contents) as ServerManifest;
  });
}

/**
 * One source: its files as they are. Several: the `servers/` files of each (a skill's verified
 * copy wins over a live one of the same path), with SKILL.md and REFERENCE.md generated anew to
 * cover every server.
 */
export async function assembleToolTree(
  liveManifests: readonly ServerManifest[],
  skills: readonly LoadedSkillWithVfs[],
): Promise<GeneratedFile[]> {
  const sources = liveManifests.length + skills.length;
  if (sources === 0) return [];
  const { generateTree } = await import("@mcp-execution/codegen");
  const liveFiles = liveManifests.length === 0 ? [] : generateTree([...liveManifests]);
  if (sources === 1) return liveManifests.length === 1 ? liveFiles : [...(skills[0]?.files ?? [])];
  const byPath = new Map<string, string>();
  for (const skill of skills) {
    for (const file of skill.files)
      if (file.path.startsWith("servers/")) byPath.set(file.path, file.contents);
  }
  for (const file of liveFiles)
    if (file.path.startsWith("servers/") && !byPath.has(file.path)) byPath.set(file.path, file.contents);
  const seen = new Set(liveManifests.map((manifest) => manifest.server));
  const all = [
    ...liveManifests,
    ...skills.flatMap(skillManifests).filter((manifest) => !seen.has(manifest.server)),
  ];
  for (const file of generateTree(all))
    if (!file.path.startsWith("servers/")) byPath.set(file.path, file.contents);
  return [...byPath].map(([path, contents]) => ({ path, contents }));
}
