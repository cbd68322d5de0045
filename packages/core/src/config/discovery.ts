/**
 * Where server configuration is looked for (docs/conventions.md section 2). Pure: the caller passes
 * the working directory, home directory, environment and platform.
 */
import { join, resolve } from "node:path";

export interface ConfigEnvironment {
  readonly cwd: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
}

export type ConfigFileKind =
  | "explicit"
  | "env"
  | "claude-code-project"
  | "vscode"
  | "cursor-project"
  | "mcp-cli"
  | "claude-code-user"
  | "claude-desktop"
  | "cursor-user";

export interface ConfigCandidate {
  readonly path: string;
  readonly kind: ConfigFileKind;
}

/** The Claude Desktop configuration file for the platform. */
function claudeDesktopPath(environment: ConfigEnvironment): string {
  const { env, home, platform } = environment;
  if (platform === "darwin")
    return join(home, "Library", "Application Support", "Claude", "claude_desktop_config.json");
  if (platform === "win32") {
    return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "Claude", "claude_desktop_config.json");
  }
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "Claude", "claude_desktop_config.json");
}

/**
 * Every place a configuration may live, in the order they are tried; the first that exists wins.
 * `$MCP_CLI_CONFIG` comes first when set (relative to `cwd`).
 */
export function configCandidates(environment: ConfigEnvironment): ConfigCandidate[] {
  const { cwd, home, env } = environment;
  const candidates: ConfigCandidate[] = [];
  const fromEnv = env.MCP_CLI_CONFIG;
  if (fromEnv !== undefined && fromEnv !== "") candidates.push({ path: resolve(cwd, fromEnv), kind: "env" });
  candidates.push(
    { path: join(cwd, ".mcp.json"), kind: "claude-code-project" },
    { path: join(cwd, ".vscode", "mcp.json"), kind: "vscode" },
    { path: join(cwd, ".cursor", "mcp.json"), kind: "cursor-project" },
    { path: join(env.XDG_CONFIG_HOME || join(home, ".config"), "mcp-cli", "config.json"), kind: "mcp-cli" },
    { path: join(home, ".claude.json"), kind: "claude-code-user" },
    { path: claudeDesktopPath(environment), kind: "claude-desktop" },
    { path: join(home, ".cursor", "mcp.json"), kind: "cursor-user" },
  );
  return candidates;
}
