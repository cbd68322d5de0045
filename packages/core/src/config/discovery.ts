/**
 * Where server configuration is looked for (docs/conventions.md section 2, docs/configuration.md). Pure:
 * the caller passes the working directory, home directory, environment, platform and, for the
 * walk up to the project root, a function that says whether a path exists.
 */
import { dirname, join, relative, resolve, sep } from "node:path";

export interface ConfigEnvironment {
  readonly cwd: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /**
   * The project's root folder (see {@link findProjectRoot}); project-level files are looked for
   * there. Defaults to `cwd`.
   */
  readonly projectRoot?: string;
}

export type ConfigFileKind =
  | "explicit"
  | "env"
  | "claude-code-project"
  | "vscode"
  | "cursor-project"
  | "gemini-project"
  | "opencode-project"
  | "mcp-cli"
  | "claude-code-user"
  | "vscode-user"
  | "claude-desktop"
  | "cursor-user"
  | "codex"
  | "windsurf"
  | "gemini-user"
  | "opencode-user";

/**
 * How far a file is trusted and where it ranks when entries of the same name meet:
 * `local` (Claude Code's per-project entries in `~/.claude.json`) beats `project` (files in the
 * project folder, which a cloned repository may ship) beats `user` (files in the home folder).
 * `explicit` is a file named with `--config` or `$MCP_CLI_CONFIG`: read alone, trusted.
 */
export type ConfigScope = "explicit" | "local" | "project" | "user";

/** The dialect a file is written in: which keys hold servers and how entries are spelled. */
export type ConfigDialect = "mcp-json" | "codex-toml" | "gemini" | "opencode";

export interface ConfigCandidate {
  readonly path: string;
  readonly kind: ConfigFileKind;
  readonly scope: ConfigScope;
  readonly dialect: ConfigDialect;
}

/** Files whose presence marks a project root, relative to the folder (besides `.git`). */
export const PROJECT_CONFIG_FILES: readonly {
  readonly relativePath: string;
  readonly kind: ConfigFileKind;
  readonly dialect: ConfigDialect;
}[] = [
  { relativePath: ".mcp.json", kind: "claude-code-project", dialect: "mcp-json" },
  { relativePath: join(".vscode", "mcp.json"), kind: "vscode", dialect: "mcp-json" },
  { relativePath: join(".cursor", "mcp.json"), kind: "cursor-project", dialect: "mcp-json" },
  { relativePath: join(".gemini", "settings.json"), kind: "gemini-project", dialect: "gemini" },
  { relativePath: "opencode.json", kind: "opencode-project", dialect: "opencode" },
  { relativePath: "opencode.jsonc", kind: "opencode-project", dialect: "opencode" },
];

function isInside(child: string, parent: string): boolean {
  const path = relative(parent, child);
  return path === "" || (!path.startsWith(`..${sep}`) && path !== ".." && !path.startsWith(sep));
}

/**
 * The project root for `cwd`: the nearest folder, from `cwd` upwards, that holds a project
 * configuration file (see {@link PROJECT_CONFIG_FILES}) or `.git`. The home folder and its parents
 * are never a project root (`~/.cursor/mcp.json` is Cursor's user file, not a project's), so inside
 * the home folder the walk stops below it. When nothing is found, the root is `cwd` itself.
 */
export function findProjectRoot(cwd: string, home: string, exists: (path: string) => boolean): string {
  const start = resolve(cwd);
  const homeFolder = resolve(home);
  const underHome = isInside(start, homeFolder);
  let folder = start;
  for (;;) {
    if (underHome && folder === homeFolder) return start;
    if (exists(join(folder, ".git"))) return folder;
    if (PROJECT_CONFIG_FILES.some((file) => exists(join(folder, file.relativePath)))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return start;
    folder = parent;
  }
}

/** The folders from `cwd` up to `root`, nearest first: where Claude Code's local scope may be keyed. */
export function foldersUpToRoot(cwd: string, root: string): string[] {
  const folders: string[] = [];
  let folder = resolve(cwd);
  const top = resolve(root);
  for (;;) {
    folders.push(folder);
    if (folder === top || !isInside(folder, top)) return folders;
    const parent = dirname(folder);
    if (parent === folder) return folders;
    folder = parent;
  }
}

function configHome(environment: ConfigEnvironment): string {
  return environment.env.XDG_CONFIG_HOME || join(environment.home, ".config");
}

/** A per-application folder in the platform's user configuration folder (Claude Desktop, VS Code). */
function applicationFolder(environment: ConfigEnvironment, application: string): string {
  const { env, home, platform } = environment;
  if (platform === "darwin") return join(home, "Library", "Application Support", application);
  if (platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), application);
  return join(configHome(environment), application);
}

/**
 * Every place a configuration may live, highest precedence first: `$MCP_CLI_CONFIG` alone when set
 * (relative to `cwd`); otherwise the project-level files in the project root, then the user-level
 * files. `~/.claude.json` is listed once; the loader reads its local scope
 * (`projects[<folder>].mcpServers`) ahead of the project files and its user scope after them.
 */
export function configCandidates(environment: ConfigEnvironment): ConfigCandidate[] {
  const { cwd, home, env } = environment;
  const fromEnv = env.MCP_CLI_CONFIG;
  if (fromEnv !== undefined && fromEnv !== "") {
    return [{ path: resolve(cwd, fromEnv), kind: "env", scope: "explicit", dialect: "mcp-json" }];
  }
  const root = environment.projectRoot ?? cwd;
  const user = (
    path: string,
    kind: ConfigFileKind,
    dialect: ConfigDialect = "mcp-json",
  ): ConfigCandidate => ({
    path,
    kind,
    scope: "user",
    dialect,
  });
  const users: ConfigCandidate[] = [
    user(join(configHome(environment), "mcp-cli", "config.json"), "mcp-cli"),
    user(join(home, ".claude.json"), "claude-code-user"),
    user(join(applicationFolder(environment, "Code"), "User", "mcp.json"), "vscode-user"),
    user(join(applicationFolder(environment, "Claude"), "claude_desktop_config.json"), "claude-desktop"),
    user(join(home, ".cursor", "mcp.json"), "cursor-user"),
    user(join(env.CODEX_HOME || join(home, ".codex"), "config.toml"), "codex", "codex-toml"),
    user(join(home, ".codeium", "windsurf", "mcp_config.json"), "windsurf"),
    user(join(home, ".gemini", "settings.json"), "gemini-user", "gemini"),
    user(join(configHome(environment), "opencode", "opencode.json"), "opencode-user", "opencode"),
    user(join(configHome(environment), "opencode", "opencode.jsonc"), "opencode-user", "opencode"),
  ];
  const userPaths = new Set(users.map((candidate) => candidate.path));
  const projects = PROJECT_CONFIG_FILES.map(
    (file): ConfigCandidate => ({
      path: join(root, file.relativePath),
      kind: file.kind,
      scope: "project",
      dialect: file.dialect,
    }),
  ).filter((candidate) => !userPaths.has(candidate.path)); // run in the home folder: ~/.cursor/mcp.json is Cursor's user file
  return [...projects, ...users];
}
