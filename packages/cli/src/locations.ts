/**
 * Where the CLI keeps things on disk.
 *
 * Project root: the nearest folder from the working directory upwards that holds a project
 * configuration file or `.git` (see core's `findProjectRoot`); project files and project skills
 * are found there, so a command works the same from any subfolder.
 *
 * Skills directory, first that applies: `--skills-dir`; `--scope user` (`~/.claude/skills`) or
 * `--scope project` (`<project root>/.claude/skills`) when given; `$MCP_CLI_SKILLS_DIR`;
 * `<project root>/.claude/skills`. To read (not to save), when the project has no skills folder
 * and `~/.claude/skills` exists, the user's folder is used instead.
 *
 * State (`$MCP_CLI_STATE_DIR` when set, otherwise `$XDG_STATE_HOME/mcp-cli`, default
 * `~/.local/state/mcp-cli`): session state under `sessions/`, approved project configuration
 * files in `trusted-configs.json`.
 *
 * OAuth credentials (`auth login`): `$MCP_CLI_STATE_DIR/oauth` when set, otherwise
 * `$XDG_STATE_HOME/mcp-cli/oauth` (default `~/.local/state/mcp-cli/oauth`); 0700, files 0600.
 *
 * Transpiled WebAssembly components (`execute file.wasm`): `$XDG_CACHE_HOME/mcp-cli/components`
 * (default `~/.cache/mcp-cli/components`); safe to delete at any time.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { findProjectRoot } from "@mcp-execution/core";
import type { CommandContext } from "./context.js";

export type SkillScope = "project" | "user";

const projectRoots = new WeakMap<CommandContext, string>();

/** The project root for the command's working directory, found once per command. */
export function projectRoot(context: CommandContext): string {
  let root = projectRoots.get(context);
  if (root === undefined) {
    root = findProjectRoot(context.environment.cwd, context.environment.home, (path) => existsSync(path));
    projectRoots.set(context, root);
  }
  return root;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The skills directory. `access` is `read` for commands that only look (list, info, load, verify,
 * execute --skill, remove): they fall back to the user's skills when the project has none.
 */
export function skillsDirectory(
  context: CommandContext,
  scope?: SkillScope,
  access: "read" | "write" = "read",
): string {
  const { globals, environment } = context;
  if (globals.skillsDir !== undefined) return resolve(environment.cwd, globals.skillsDir);
  const user = join(environment.home, ".claude", "skills");
  const project = join(projectRoot(context), ".claude", "skills");
  if (scope === "user") return user;
  if (scope === "project") return project;
  const fromEnv = environment.env.MCP_CLI_SKILLS_DIR;
  if (fromEnv !== undefined && fromEnv !== "") return resolve(environment.cwd, fromEnv);
  if (access === "read" && !isDirectory(project) && isDirectory(user)) return user;
  return project;
}

/** `$MCP_CLI_STATE_DIR`, else `$XDG_STATE_HOME/mcp-cli`, else `~/.local/state/mcp-cli`. */
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

export function sessionsDirectory(context: CommandContext): string {
  return join(stateDirectory(context), "sessions");
}

/** The approvals of project configuration files (docs/adr/010-config-trust.md). */
export function trustStorePath(context: CommandContext): string {
  return join(stateDirectory(context), "trusted-configs.json");
}

export function componentCacheDirectory(context: CommandContext): string {
  const { env, home, cwd } = context.environment;
  const cacheHome =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== "" ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(resolve(cwd, cacheHome), "mcp-cli", "components");
}
