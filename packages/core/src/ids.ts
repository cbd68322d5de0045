/**
 * Branded, validated names. A value of one of these types has passed its constructor's checks,
 * so code that receives a `ServerId` can use it as a directory name without checking again.
 * Every constructor throws `NAME_INVALID` with the rule that was broken.
 */
import { McpCliError } from "./errors.js";

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A server name from a configuration file; safe as a single path segment. */
export type ServerId = Brand<string, "ServerId">;
/** A tool name as the server reports it; not necessarily safe as a path (see codegen). */
export type ToolName = Brand<string, "ToolName">;
/** A skill name following the Agent Skills rule; equal to its folder name. */
export type SkillId = Brand<string, "SkillId">;
/** A sandbox state session; safe as a file name. */
export type SessionId = Brand<string, "SessionId">;

export type NameKind = "server" | "tool" | "skill" | "session";

function invalid(kind: NameKind, value: string, rule: string): McpCliError {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return new McpCliError("NAME_INVALID", `invalid ${kind} name ${JSON.stringify(shown)}: ${rule}`, {
    details: { kind, name: value, rule },
  });
}

// Printable, no path separators, no leading dot: usable as one path segment on every OS.
const SERVER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const SERVER_ID_MAX_LENGTH = 64;

export function isServerId(value: string): value is ServerId {
  return checkServerId(value) === undefined;
}

function checkServerId(value: string): string | undefined {
  if (value.length === 0 || value.length > SERVER_ID_MAX_LENGTH) {
    return `must be 1 to ${SERVER_ID_MAX_LENGTH} characters`;
  }
  if (!SERVER_PATTERN.test(value)) {
    return "must start with a letter or digit and contain only letters, digits, '_', '-' and '.'";
  }
  if (value.includes("..")) return "must not contain '..'";
  return undefined;
}

export function serverId(value: string): ServerId {
  const problem = checkServerId(value);
  if (problem !== undefined) throw invalid("server", value, problem);
  return value as ServerId;
}

export const TOOL_NAME_MAX_LENGTH = 128;
// Control characters (C0, DEL, C1) never belong in a tool name; everything else real servers send is accepted.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function toolName(value: string): ToolName {
  if (value.length === 0 || value.length > TOOL_NAME_MAX_LENGTH) {
    throw invalid("tool", value, `must be 1 to ${TOOL_NAME_MAX_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(value)) throw invalid("tool", value, "must not contain control characters");
  return value as ToolName;
}

export const SKILL_ID_MAX_LENGTH = 64;
const SKILL_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SKILL_RESERVED_WORDS = ["anthropic", "claude"] as const;

function checkSkillId(value: string): string | undefined {
  if (value.length === 0 || value.length > SKILL_ID_MAX_LENGTH) {
    return `must be 1 to ${SKILL_ID_MAX_LENGTH} characters`;
  }
  if (!SKILL_PATTERN.test(value)) {
    return "must be lowercase letters, digits and single hyphens, with no leading or trailing hyphen";
  }
  const reserved = SKILL_RESERVED_WORDS.find((word) => value.includes(word));
  if (reserved !== undefined) return `must not contain the reserved word '${reserved}'`;
  return undefined;
}

export function isSkillId(value: string): value is SkillId {
  return checkSkillId(value) === undefined;
}

/** Validates a skill name against the Agent Skills rule (docs/conventions.md section 4). */
export function skillId(value: string): SkillId {
  const problem = checkSkillId(value);
  if (problem !== undefined) throw invalid("skill", value, problem);
  return value as SkillId;
}

/**
 * Derives a valid skill name from free text such as a server name: lowercases, turns runs of
 * other characters into single hyphens, removes reserved words, truncates. Returns `fallback`
 * (itself validated) when nothing usable is left.
 */
export function suggestSkillId(text: string, fallback = "mcp-tools"): SkillId {
  let slug = text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  for (const word of SKILL_RESERVED_WORDS) slug = slug.replaceAll(word, "-");
  slug = slug.replace(/-+/g, "-").replace(/^-|-$/g, "");
  slug = slug.slice(0, SKILL_ID_MAX_LENGTH).replace(/-$/, "");
  return isSkillId(slug) ? (slug as SkillId) : skillId(fallback);
}

const SESSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const SESSION_ID_MAX_LENGTH = 128;

export function sessionId(value: string): SessionId {
  if (value.length === 0 || value.length > SESSION_ID_MAX_LENGTH) {
    throw invalid("session", value, `must be 1 to ${SESSION_ID_MAX_LENGTH} characters`);
  }
  if (!SESSION_PATTERN.test(value)) {
    throw invalid(
      "session",
      value,
      "must start with a letter or digit and contain only letters, digits, '_' and '-'",
    );
  }
  return value as SessionId;
}
