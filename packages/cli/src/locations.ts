/**
 * Where the CLI keeps things on disk.
 *
 * Skills directory, first that applies: `--skills-dir`; `--scope user` (`~/.claude/skills`) or
 * `--scope project` (`./.claude/skills`) when given; `$MCP_CLI_SKILLS_DIR`; `./.claude/skills`.
 *
 * Session state (`execute --session`): `$MCP_CLI_STATE_DIR/sessions` when set, otherwise
 * `$XDG_STATE_HOME/mcp-cli/sessions` (default `~/.local/state/mcp-cli/sessions`).
 *
 * OAuth credentials (`auth login`): `$MCP_CLI_STATE_DIR/oauth` when set, otherwise
 * `$XDG_STATE_HOME/mcp-cli/oauth` (default `~/.local/state/mcp-cli/oauth`); 0700, files 0600.
 *
 * Transpiled WebAssembly components (`execute file.wasm`): `$XDG_CACHE_HOME/mcp-cli/components`
 * (default `~/.cache/mcp-cli/components`); safe to delete at any time.
 */
import { join, resolve } from "node:path";
import type { CommandContext } from "./context.js";

export type SkillScope = "project" | "user";

export function skillsDirectory(context: CommandContext, scope?: SkillScope): string {
  const { globals, environment } = context;
  if (globals.skillsDir !== undefined) return resolve(environment.cwd, globals.skillsDir);
  if (scope === "user") return join(environment.home, ".claude", "skills");
  if (scope === "project") return join(environment.cwd, ".claude", "skills");
  const fromEnv = environment.env.MCP_CLI_SKILLS_DIR;
  if (fromEnv !== undefined && fromEnv !== "") return resolve(environment.cwd, fromEnv);
  return join(environment.cwd, ".claude", "skills");
}

export function sessionsDirectory(context: CommandContext): string {
  return join(stateDirectory(context), "sessions");
}

/** The state directory itself (`$MCP_CLI_STATE_DIR`, else `$XDG_STATE_HOME/mcp-cli`). */
export function stateDirectory(context: CommandContext): string {
  const { env, home, cwd } = context.environment;
  const explicit = env.MCP_CLI_STATE_DIR;
  if (explicit !== undefined && explicit !== "") return resolve(cwd, explicit);
  const stateHome =
    env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ""
      ? env.XDG_STATE_HOME
      : join(home, ".local", "state");
  return join(resolve(cwd, stateHome), "mcp-cli");
}

export function componentCacheDirectory(context: CommandContext): string {
  const { env, home, cwd } = context.environment;
  const cacheHome =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== "" ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(resolve(cwd, cacheHome), "mcp-cli", "components");
}
