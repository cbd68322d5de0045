/**
 * Finding, reading and merging the configuration (docs/configuration.md). Every file that exists
 * is read; entries of the same name are ranked the way their owners rank them: Claude Code's local
 * scope, then project files, then user files, the first one winning and the others recorded as
 * shadowed. A file named with `--config` or `$MCP_CLI_CONFIG` is read alone. File access comes in
 * as a function, so this stays testable and free of hidden I/O.
 */
import { McpCliError } from "../errors.js";
import { blake3Hex } from "../hash.js";
import {
  type ConfigCandidate,
  type ConfigEnvironment,
  type ConfigFileKind,
  type ConfigScope,
  configCandidates,
  foldersUpToRoot,
} from "./discovery.js";
import { parseConfigFile, type SandboxSettings } from "./parse.js";
import { type ApprovalRequest, approvalRequest } from "./trust.js";
import type { ServerConfig } from "./types.js";

/**
 * The most bytes read from one file. Project files come from whatever repository was cloned and
 * get a tight bound; `~/.claude.json` keeps Claude Code's per-project history and grows large.
 */
export const CONFIG_FILE_MAX_BYTES: Readonly<Record<ConfigScope, number>> = {
  explicit: 64 * 1024 * 1024,
  local: 64 * 1024 * 1024,
  project: 1024 * 1024,
  user: 64 * 1024 * 1024,
};

/** One group of servers with one rank: a file, or Claude Code's local or user part of `~/.claude.json`. */
export interface ConfigLayer {
  readonly path: string;
  readonly kind: ConfigFileKind;
  readonly scope: ConfigScope;
  /** Where in the file, e.g. `mcpServers` or `projects["/repo"].mcpServers`. */
  readonly section: string;
  readonly servers: readonly ServerConfig[];
}

/** A file that was read. */
export interface LoadedConfigFile {
  readonly path: string;
  readonly kind: ConfigFileKind;
  readonly scope: ConfigScope;
  /**
   * For a project file that starts processes or expands variables: what it would do. Such a file
   * must be approved (see trust.ts) before any of its servers starts.
   */
  readonly approval?: ApprovalRequest;
  /** `blake3:<hex>` of the file's text as read and parsed, set with `approval`: what an approval binds to. */
  readonly digest?: string;
}

/** An entry hidden by an entry of the same name in a layer that ranks higher. */
export interface ShadowedServer {
  readonly server: ServerConfig;
  readonly layer: ConfigLayer;
  readonly by: ConfigLayer;
}

export interface LoadedConfig {
  /** The highest-ranked file that declares servers or sandbox settings, or undefined when none does. */
  readonly path: string | undefined;
  readonly kind: ConfigFileKind | undefined;
  /** The entries in force: one per name, from the highest-ranked layer that declares it. */
  readonly servers: readonly ServerConfig[];
  /** The `sandbox` settings of the highest-ranked file that has them. */
  readonly sandbox?: SandboxSettings;
  readonly warnings: readonly string[];
  /** Every candidate looked at, in order, for `server list --verbose` and error messages. */
  readonly searched: readonly ConfigCandidate[];
  /** Every file that was read, in rank order. */
  readonly files?: readonly LoadedConfigFile[];
  /** Every layer that declares servers, highest rank first. */
  readonly layers?: readonly ConfigLayer[];
  /** Entries hidden by a same-named entry that ranks higher. */
  readonly shadowed?: readonly ShadowedServer[];
  /** The project root the project files were looked for in. */
  readonly projectRoot?: string;
}

export interface LoadConfigOptions {
  /** `--config <file>`: only this file is read, and it must exist. */
  readonly explicitPath?: string;
  /**
   * Returns the file's text, or undefined when it does not exist. A file larger than `maxBytes`
   * must not be read whole: throw `CONFIG_INVALID`. Other I/O errors should throw.
   */
  readonly readFile: (path: string, maxBytes: number) => Promise<string | undefined>;
}

const RANK: Readonly<Record<ConfigScope, number>> = { explicit: 0, local: 1, project: 2, user: 3 };

async function parseDocument(candidate: ConfigCandidate, text: string): Promise<unknown> {
  if (candidate.dialect !== "codex-toml") return undefined;
  const { parse, TomlError } = await import("smol-toml");
  try {
    return parse(text);
  } catch (error) {
    const where =
      error instanceof TomlError ? `${candidate.path}:${error.line}:${error.column}` : candidate.path;
    const reason = (error as Error).message.split("\n")[0] ?? "";
    throw new McpCliError("CONFIG_INVALID", `${where}: malformed TOML: ${reason}`, {
      details: {
        file: candidate.path,
        ...(error instanceof TomlError ? { line: error.line, column: error.column } : {}),
      },
      cause: error,
    });
  }
}

/**
 * Loads the configuration. A malformed file is `CONFIG_INVALID` (a file that does not parse stops
 * everything: it is better to fix it than to get a different set of servers); a missing `--config`
 * file is `CONFIG_NOT_FOUND`.
 */
export async function loadConfig(
  environment: ConfigEnvironment,
  options: LoadConfigOptions,
): Promise<LoadedConfig> {
  const candidates: ConfigCandidate[] =
    options.explicitPath === undefined
      ? configCandidates(environment)
      : [{ path: options.explicitPath, kind: "explicit", scope: "explicit", dialect: "mcp-json" }];
  const projectKeys = foldersUpToRoot(environment.cwd, environment.projectRoot ?? environment.cwd);
  const warnings: string[] = [];
  const files: LoadedConfigFile[] = [];
  const layers: ConfigLayer[] = [];
  let sandbox: { settings: SandboxSettings; scope: ConfigScope; order: number } | undefined;
  let primary: { path: string; kind: ConfigFileKind; rank: number; order: number } | undefined;

  for (const [order, candidate] of candidates.entries()) {
    const maxBytes = CONFIG_FILE_MAX_BYTES[candidate.scope];
    const text = await options.readFile(candidate.path, maxBytes);
    if (text === undefined) {
      if (candidate.scope === "explicit") {
        throw new McpCliError("CONFIG_NOT_FOUND", `configuration file ${candidate.path} does not exist`, {
          details: { file: candidate.path, from: candidate.kind === "env" ? "MCP_CLI_CONFIG" : "--config" },
        });
      }
      continue;
    }
    if (Buffer.byteLength(text, "utf8") > maxBytes) {
      throw new McpCliError(
        "CONFIG_INVALID",
        `${candidate.path}: the file is larger than ${maxBytes} bytes, the most read from a ${candidate.scope} configuration file`,
        { details: { file: candidate.path, limit: maxBytes } },
      );
    }
    const document = await parseDocument(candidate, text);
    const parsed = parseConfigFile(text, candidate.path, {
      projectKeys,
      dialect: candidate.dialect,
      ...(document === undefined ? {} : { document }),
    });
    warnings.push(...parsed.warnings);

    let contributes = parsed.sandbox !== undefined;
    for (const section of parsed.sections) {
      const scope: ConfigScope = section.layer === "local" ? "local" : candidate.scope;
      layers.push({
        path: candidate.path,
        kind: candidate.kind,
        scope,
        section: section.label,
        servers: section.servers,
      });
      contributes = true;
      const rank = RANK[scope];
      if (primary === undefined || rank < primary.rank || (rank === primary.rank && order < primary.order)) {
        primary = { path: candidate.path, kind: candidate.kind, rank, order };
      }
    }
    if (parsed.sandbox !== undefined && sandbox === undefined) {
      sandbox = { settings: parsed.sandbox, scope: candidate.scope, order };
    }
    // A file named explicitly is the configuration even when it declares nothing.
    if ((contributes || candidate.scope === "explicit") && primary === undefined) {
      primary = { path: candidate.path, kind: candidate.kind, rank: RANK[candidate.scope], order };
    }
    const request = candidate.scope === "project" ? approvalRequest(parsed.servers) : undefined;
    files.push({
      path: candidate.path,
      kind: candidate.kind,
      scope: candidate.scope,
      ...(request === undefined ? {} : { approval: request, digest: `blake3:${await blake3Hex(text)}` }),
    });
  }

  // Stable sort: within a rank, candidate order (the order of the table in docs/configuration.md).
  layers.sort((a, b) => RANK[a.scope] - RANK[b.scope]);
  const winners = new Map<string, { server: ServerConfig; layer: ConfigLayer }>();
  const shadowed: ShadowedServer[] = [];
  for (const layer of layers) {
    for (const server of layer.servers) {
      const winner = winners.get(server.name);
      if (winner === undefined) winners.set(server.name, { server, layer });
      else shadowed.push({ server, layer, by: winner.layer });
    }
  }
  files.sort((a, b) => RANK[a.scope] - RANK[b.scope]);
  return {
    path: primary?.path,
    kind: primary?.kind,
    servers: [...winners.values()].map((winner) => winner.server),
    ...(sandbox === undefined ? {} : { sandbox: sandbox.settings }),
    warnings,
    searched: candidates,
    files,
    layers,
    shadowed,
    projectRoot: environment.projectRoot ?? environment.cwd,
  };
}

/** Where a configuration came from, for messages: one file, or how many. */
function describeFiles(config: LoadedConfig): string {
  const paths = [...new Set((config.layers ?? []).map((layer) => layer.path))];
  if (paths.length > 1) return `configured in ${paths.join(", ")}`;
  return config.path === undefined ? "no configuration file was found" : `configured in ${config.path}`;
}

/**
 * The entry named `name`. Unknown names are `SERVER_UNKNOWN` listing the valid ones; a disabled
 * entry is `SERVER_DISABLED`.
 */
export function findServer(config: LoadedConfig, name: string): ServerConfig {
  const server = config.servers.find((entry) => entry.name === name);
  if (server === undefined) {
    const valid = config.servers.map((entry) => entry.name);
    const where = describeFiles(config);
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

/** The layer an entry in force came from. */
export function layerOf(config: LoadedConfig, server: ServerConfig): ConfigLayer | undefined {
  return config.layers?.find((layer) => layer.servers.includes(server));
}
