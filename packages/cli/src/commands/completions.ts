/**
 * `completions <shell>` prints a completion script; the hidden `__complete servers|skills` prints
 * the names the scripts cannot embed. Neither starts a server or loads an engine.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isSkillId, McpCliError } from "@mcp-execution/core";
import type { Command } from "commander";
import { completionScript, type Shell } from "../completions/scripts.js";
import { completionSpecs } from "../completions/spec.js";
import { loadConfiguration } from "../config-source.js";
import type { CommandContext } from "../context.js";
import { type SkillScope, skillsDirectory } from "../locations.js";

export async function completionsCommand(
  context: CommandContext,
  shell: Shell,
  program: Command,
): Promise<number> {
  const script = completionScript(shell, completionSpecs(program), context.environment.version);
  if (context.output.json) context.output.document({ ok: true, shell, script });
  else context.output.raw(script);
  return 0;
}

/** Names of the saved skills: subdirectories with a SKILL.md and a valid name. No checksum work. */
async function skillNames(directory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const names: string[] = [];
  for (const entry of entries.sort()) {
    if (!isSkillId(entry)) continue;
    const file = await stat(join(directory, entry, "SKILL.md")).catch(() => undefined);
    if (file?.isFile()) names.push(entry);
  }
  return names;
}

export async function completeNamesCommand(
  context: CommandContext,
  kind: string,
  options: { readonly scope?: SkillScope },
): Promise<number> {
  let names: string[];
  if (kind === "servers") {
    const config = await loadConfiguration(context);
    names = config.servers.filter((server) => !server.disabled).map((server) => server.name);
  } else if (kind === "skills") {
    names = await skillNames(skillsDirectory(context, options.scope));
  } else {
    throw new McpCliError(
      "USAGE",
      `unknown completion kind ${JSON.stringify(kind)}; valid: servers, skills`,
      {
        details: { kind, valid: ["servers", "skills"] },
      },
    );
  }
  if (context.output.json) context.output.document({ ok: true, kind, names });
  else if (names.length > 0) context.output.data(names.join("\n"));
  return 0;
}
