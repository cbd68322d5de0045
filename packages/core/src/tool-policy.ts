/**
 * Which tools of a server may be called: the per-server `allowedTools` and `disabledTools` glob
 * lists of the configuration. The bridge enforces the policy on every call (`TOOL_DENIED`), and the
 * generated tree is made from the manifest filtered by {@link applyToolPolicy}, so an agent never
 * reads about a tool it may not call.
 *
 * Patterns are globs over tool names, not paths: `*` matches any run of characters (`/` and `.`
 * included, since tool names may contain both), `?` exactly one character, every other character
 * itself; a pattern matches the whole name, case-sensitively. A path matcher (picomatch,
 * minimatch) would stop `*` at `/` and treat leading dots and braces specially, which is wrong for
 * names; the matcher below is a dozen lines, runs in O(pattern x name) time whatever the input
 * (no regular expression, so no backtracking blow-up on hostile patterns), and needs no dependency.
 *
 * Rules: a tool is denied when a `disabledTools` pattern matches it, or when `allowedTools` is given
 * and none of its patterns matches. `disabledTools` wins over `allowedTools`.
 */
import { McpCliError } from "./errors.js";
import type { ServerManifest } from "./manifest.js";

export interface ToolPolicy {
  /** Only tools matching one of these globs may be called. Absent: every tool. */
  readonly allowedTools?: readonly string[];
  /** Tools matching one of these globs may not be called, whatever `allowedTools` says. */
  readonly disabledTools?: readonly string[];
}

/** Why a tool is denied: the configuration key and the rule, as a user would write it. */
export interface ToolDenial {
  readonly key: "allowedTools" | "disabledTools";
  /** `disabledTools: "delete_*"` or `allowedTools: ["read_*", "list_*"] (no pattern matches)`. */
  readonly rule: string;
  /** The pattern that matched (for `disabledTools`). */
  readonly pattern?: string;
}

/** Whether the glob `pattern` matches the whole of `name` (see the module comment). */
export function matchesToolPattern(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  // Where the last `*` was and how much of the name it has swallowed: on a mismatch, the star
  // takes one more character and matching resumes after it (the classic wildcard algorithm).
  let star = -1;
  let starName = 0;
  while (n < name.length) {
    const token = pattern[p];
    if (token === "*") {
      star = p++;
      starName = n;
    } else if (token !== undefined && (token === "?" || token === name[n])) {
      p++;
      n++;
    } else if (star !== -1) {
      p = star + 1;
      n = ++starName;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** Why `tool` is denied by `policy`, or undefined when it may be called. */
export function toolDenial(policy: ToolPolicy, tool: string): ToolDenial | undefined {
  const disabled = policy.disabledTools?.find((pattern) => matchesToolPattern(pattern, tool));
  if (disabled !== undefined) {
    return { key: "disabledTools", rule: `disabledTools: ${JSON.stringify(disabled)}`, pattern: disabled };
  }
  const allowed = policy.allowedTools;
  if (allowed !== undefined && !allowed.some((pattern) => matchesToolPattern(pattern, tool))) {
    return { key: "allowedTools", rule: `allowedTools: ${JSON.stringify(allowed)} (no pattern matches)` };
  }
  return undefined;
}

/** Whether the policy restricts anything at all. */
export function hasToolPolicy(policy: ToolPolicy): boolean {
  return policy.allowedTools !== undefined || (policy.disabledTools?.length ?? 0) > 0;
}

/** The `TOOL_DENIED` error for a call the policy refuses (exit 2). */
export function toolDeniedError(
  server: string,
  tool: string,
  denial: ToolDenial,
  source?: string,
): McpCliError {
  return new McpCliError(
    "TOOL_DENIED",
    `${server}/${tool} is not allowed by the configuration (${denial.rule}${source === undefined ? "" : ` in ${source}`})`,
    {
      details: {
        server,
        tool,
        key: denial.key,
        rule: denial.rule,
        ...(denial.pattern === undefined ? {} : { pattern: denial.pattern }),
        ...(source === undefined ? {} : { file: source }),
      },
    },
  );
}

/**
 * The manifest with only the tools the policy allows; the manifest itself when it allows all.
 * The fingerprint stays that of the server's whole tool list: it identifies the server's surface
 * (a skill's rug-pull check compares it with the live server), not what this configuration allows.
 */
export function applyToolPolicy(manifest: ServerManifest, policy: ToolPolicy): ServerManifest {
  if (!hasToolPolicy(policy)) return manifest;
  const tools = manifest.tools.filter((tool) => toolDenial(policy, tool.name) === undefined);
  return tools.length === manifest.tools.length ? manifest : { ...manifest, tools };
}
