/**
 * The name and description in SKILL.md's front matter, following the Agent Skills rules
 * (docs/conventions.md section 4). Invalid input is repaired, never passed through: a SKILL.md we write
 * always loads.
 */
import { isSkillId, type ServerManifest, type SkillId, suggestSkillId } from "@mcp-execution/core";
import { stringify } from "yaml";
import { singleLine, truncate } from "./comment-text.js";

export const SKILL_DESCRIPTION_MAX_LENGTH = 1024;

export interface SkillIdentityOptions {
  /** Wanted skill name; made valid with core's `suggestSkillId` when it is not. */
  readonly name?: string;
  /** Wanted description; tags removed, collapsed to one line, cut to 1024 characters. */
  readonly description?: string;
}

/** A valid Agent Skills name and description. */
export interface SkillIdentity {
  readonly name: SkillId;
  readonly description: string;
}

/**
 * The skill name and description for a tree generated from `manifests`. Without options the
 * name comes from the server names and the description names the servers and their first tools.
 * A given name that is not valid (upper case, spaces, reserved words, too long) is turned into
 * the closest valid one; a description with XML-like tags loses them and `<`/`>` become `‹`/`›`.
 */
export function skillIdentity(
  manifests: readonly ServerManifest[],
  options: SkillIdentityOptions = {},
): SkillIdentity {
  const fallbackName = suggestSkillId(manifests.map((manifest) => manifest.server).join("-"));
  const name =
    options.name === undefined
      ? fallbackName
      : isSkillId(options.name)
        ? options.name
        : suggestSkillId(options.name, fallbackName);
  const wanted = options.description === undefined ? "" : cleanDescription(options.description);
  const description = wanted === "" ? cleanDescription(defaultDescription(manifests)) : wanted;
  return { name, description };
}

/** Removes XML-like tags, replaces stray angle brackets, collapses whitespace, cuts to 1024 characters. */
export function cleanDescription(text: string): string {
  const withoutTags = text
    .replace(/<\/?[A-Za-z][^<>]*>/g, " ")
    .replace(/</g, "‹")
    .replace(/>/g, "›");
  return truncate(singleLine(withoutTags), SKILL_DESCRIPTION_MAX_LENGTH);
}

function defaultDescription(manifests: readonly ServerManifest[]): string {
  const servers = manifests.map((manifest) => {
    const title = manifest.serverInfo.title ?? manifest.serverInfo.name;
    const names = manifest.tools.map((tool) => tool.name).sort();
    const shown = names.slice(0, 4).join(", ");
    const more = names.length > 4 ? ` and ${names.length - 4} more` : "";
    return `${manifest.server} (${title}; ${names.length} tools: ${shown}${more})`;
  });
  const subject = manifests.length === 1 ? "the MCP server" : "the MCP servers";
  return `Typed TypeScript API for ${subject} ${servers.join("; ")}. Use it when a task needs these tools: a script calls them through mcp-cli execute.`;
}

/**
 * The YAML front matter lines (without the `---` markers). Written with the YAML library for
 * YAML 1.1 readers too, so a name like `yes` or `on` stays a string.
 */
export function frontMatter(identity: SkillIdentity): string {
  return stringify(
    { name: identity.name, description: identity.description },
    { lineWidth: 0, version: "1.1" },
  );
}
