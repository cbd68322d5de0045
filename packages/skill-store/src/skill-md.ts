/**
 * SKILL.md front matter under the Agent Skills rule (docs/conventions.md section 4): YAML with `name`
 * (the folder name) and `description` (1 to 1024 characters, no XML tags), written and read with
 * the `yaml` library, never by string concatenation.
 */
import { isSkillId, McpCliError, type SkillId } from "@mcp-execution/core";
import { parse, stringify } from "yaml";

export const SKILL_DESCRIPTION_MAX_LENGTH = 1024;
const XML_TAG = /<\/?[A-Za-z][^<>]*>/;
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n?^---[ \t]*(?:\r?\n|$)/m;

/** Why `description` breaks the rule, or `undefined` when it is valid. */
export function describeDescriptionProblem(description: unknown): string | undefined {
  if (typeof description !== "string") return "description must be a string";
  if (description.trim().length === 0) return "description must not be empty";
  if (description.length > SKILL_DESCRIPTION_MAX_LENGTH) {
    return `description must have at most ${SKILL_DESCRIPTION_MAX_LENGTH} characters, has ${description.length}`;
  }
  if (XML_TAG.test(description)) return "description must not contain XML tags";
  return undefined;
}

export interface SkillMarkdown {
  readonly frontMatter: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/**
 * Splits SKILL.md into its YAML front matter (parsed; duplicate keys refused) and body. Returns a
 * problem sentence instead when there is no front matter or it is not a YAML mapping.
 */
export function parseSkillMarkdown(text: string): SkillMarkdown | string {
  const match = FRONT_MATTER.exec(text);
  if (match === null || match.index !== 0)
    return "SKILL.md does not start with YAML front matter between '---' lines";
  let value: unknown;
  try {
    value = parse(match[1] ?? "", { uniqueKeys: true });
  } catch (error) {
    return `SKILL.md front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "SKILL.md front matter is not a YAML mapping";
  }
  return { frontMatter: value as Record<string, unknown>, body: text.slice(match[0].length) };
}

/** Every way SKILL.md breaks the Agent Skills rule for a skill saved as `folder`; empty when valid. */
export function checkSkillMarkdown(text: string, folder: SkillId): string[] {
  const parsed = parseSkillMarkdown(text);
  if (typeof parsed === "string") return [parsed];
  const problems: string[] = [];
  const { name, description } = parsed.frontMatter;
  if (typeof name !== "string" || !isSkillId(name)) {
    problems.push(`SKILL.md name ${JSON.stringify(name)} is not a valid skill name`);
  } else if (name !== folder) {
    problems.push(
      `SKILL.md name ${JSON.stringify(name)} differs from its folder name ${JSON.stringify(folder)}`,
    );
  }
  const descriptionProblem = describeDescriptionProblem(description);
  if (descriptionProblem !== undefined) problems.push(`SKILL.md ${descriptionProblem}`);
  return problems;
}

/**
 * The SKILL.md to save. When the generated one already carries this name and description it is
 * kept byte for byte; otherwise its body and extra front matter keys (`license`, `allowed-tools`,
 * ...) are kept and `name` and `description` are set to the skill's, in that order first.
 */
export function renderSkillMarkdown(
  generated: string | undefined,
  name: SkillId,
  description: string,
): string {
  let extra: Record<string, unknown> = {};
  let body = `\n# ${name}\n\n${description}\n`;
  if (generated !== undefined) {
    const parsed = parseSkillMarkdown(generated);
    if (typeof parsed === "string") {
      if (/^---\r?\n/.test(generated)) {
        throw new McpCliError("INTERNAL", `the generated ${parsed}`, { details: { file: "SKILL.md" } });
      }
      body = generated.startsWith("\n") ? generated : `\n${generated}`;
    } else {
      // Already right (codegen writes the same name and description): keep its bytes exactly.
      if (parsed.frontMatter.name === name && parsed.frontMatter.description === description)
        return generated;
      const { name: _name, description: _description, ...rest } = parsed.frontMatter;
      extra = rest;
      body = parsed.body;
    }
  }
  // YAML 1.1 output quotes words such as `yes` and `on`, so 1.1 readers see strings too.
  const frontMatter = stringify({ name, description, ...extra }, { lineWidth: 0, version: "1.1" });
  return `---\n${frontMatter}---\n${body}`;
}
