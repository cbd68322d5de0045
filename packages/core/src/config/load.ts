/**
 * Finding and loading the configuration: the first candidate file that exists and declares servers
 * wins (docs/conventions.md section 2). File access comes in as a function, so this stays testable and
 * free of hidden I/O.
 */
import { McpCliError } from "../errors.js";
import {
  type ConfigCandidate,
  type ConfigEnvironment,
  type ConfigFileKind,
  configCandidates,
} from "./discovery.js";
import { parseConfigFile, type SandboxSettings } from "./parse.js";
import type { ServerConfig } from "./types.js";

export interface LoadedConfig {
  /** The file the servers came from, or undefined when no configuration was found. */
  readonly path: string | undefined;
  readonly kind: ConfigFileKind | undefined;
  readonly servers: readonly ServerConfig[];
  /** The file's `sandbox` settings, if any. */
  readonly sandbox?: SandboxSettings;
  readonly warnings: readonly string[];
  /** Every candidate looked at, in order, for `server list --verbose` and error messages. */
  readonly searched: readonly ConfigCandidate[];
}

export interface LoadConfigOptions {
  /** `--config <file>`: only this file is read, and it must exist. */
  readonly explicitPath?: string;
  /** Returns the file's text, or undefined when it does not exist. Other I/O errors should throw. */
  readonly readFile: (path: string) => Promise<string | undefined>;
}

/**
 * Loads the configuration. A candidate that exists but declares no servers (for example a
 * `~/.claude.json` without `mcpServers`) is skipped with a warning, so it does not hide the next one.
 * A malformed file is `CONFIG_INVALID`; a missing `--config` file is `CONFIG_NOT_FOUND`.
 */
export async function loadConfig(
  environment: ConfigEnvironment,
  options: LoadConfigOptions,
): Promise<LoadedConfig> {
  const candidates: ConfigCandidate[] =
    options.explicitPath === undefined
      ? configCandidates(environment)
      : [{ path: options.explicitPath, kind: "explicit" }];
  const warnings: string[] = [];
  for (const candidate of candidates) {
    const text = await options.readFile(candidate.path);
    if (text === undefined) {
      if (candidate.kind === "explicit" || candidate.kind === "env") {
        throw new McpCliError("CONFIG_NOT_FOUND", `configuration file ${candidate.path} does not exist`, {
          details: { file: candidate.path, from: candidate.kind === "env" ? "MCP_CLI_CONFIG" : "--config" },
        });
      }
      continue;
    }
    const parsed = parseConfigFile(text, candidate.path, { cwd: environment.cwd });
    warnings.push(...parsed.warnings);
    const declaresNothing = parsed.section === undefined && parsed.sandbox === undefined;
    if (declaresNothing && candidate.kind !== "explicit" && candidate.kind !== "env") {
      warnings.push(`${candidate.path}: no "mcpServers" or "servers" section; looking further`);
      continue;
    }
    return {
      path: candidate.path,
      kind: candidate.kind,
      servers: parsed.servers,
      ...(parsed.sandbox === undefined ? {} : { sandbox: parsed.sandbox }),
      warnings,
      searched: candidates,
    };
  }
  return { path: undefined, kind: undefined, servers: [], warnings, searched: candidates };
}

/**
 * The entry named `name`. Unknown names are `SERVER_UNKNOWN` listing the valid ones; a disabled
 * entry is `SERVER_DISABLED`.
 */
export function findServer(config: LoadedConfig, name: string): ServerConfig {
  const server = config.servers.find((entry) => entry.name === name);
  if (server === undefined) {
    const valid = config.servers.map((entry) => entry.name);
    const where =
      config.path === undefined ? "no configuration file was found" : `configured in ${config.path}`;
    throw new McpCliError(
      "SERVER_UNKNOWN",
      valid.length === 0
        ? `unknown server "${name}": ${where}, and it declares no servers`
        : `unknown server "${name}"; servers ${where}: ${valid.join(", ")}`,
      { details: { server: name, valid, file: config.path ?? null } },
    );
  }
  if (server.disabled) {
    throw new McpCliError("SERVER_DISABLED", `server "${name}" is disabled in ${server.source}`, {
      details: { server: name, file: server.source },
    });
  }
  return server;
}
