/**
 * `server list`, `server info <name>`, `server validate [name]`, `server trust [file]`: what is
 * configured, where it came from, which entry shadows which, whether it answers, and approving a
 * project's configuration file. `list` and `info` never start a server.
 */
import { resolve } from "node:path";
import {
  approvalRequest,
  blake3Hex,
  type ConfigLayer,
  type ErrorDocument,
  expandServerConfig,
  findServer,
  isMcpCliError,
  type LoadedConfig,
  layerOf,
  McpCliError,
  maskArguments,
  maskServerConfig,
  maskUrl,
  PROJECT_CONFIG_FILES,
  parseConfigFile,
  type ServerConfig,
  toErrorDocument,
} from "@mcp-execution/core";
import { loadConfiguration, readConfigText } from "../config-source.js";
import { approveFile, ensureTrusted, untrustedFiles } from "../config-trust.js";
import { diagnosticsFor, openConnection } from "../connect.js";
import type { CommandContext } from "../context.js";
import { escapeControlCharacters } from "../output.js";
import { type AdHocOptions, resolveServerTarget } from "../server-target.js";
import { storedLoginLines } from "../stored-login.js";
import { formatFields, formatTable } from "../table.js";

/**
 * Text from a configuration file, one line on the terminal: a cloned repository's `.mcp.json` must
 * not move the cursor or fake lines, so line breaks are escaped too.
 */
function printable(text: string): string {
  return escapeControlCharacters(text).replace(
    /[\t\n\r]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function transportLabel(server: ServerConfig): string {
  return server.transport;
}

function targetLabel(server: ServerConfig): string {
  if (server.transport === "stdio")
    return printable([server.command, ...maskArguments(server.args)].join(" "));
  return printable(maskUrl(server.url));
}

function configSummary(config: LoadedConfig): Record<string, unknown> {
  return { path: config.path ?? null, kind: config.kind ?? null };
}

function origin(layer: ConfigLayer | undefined): Record<string, unknown> {
  return layer === undefined ? {} : { kind: layer.kind, scope: layer.scope, section: layer.section };
}

/** `local`, `project`, `user`: and for `~/.claude.json` the section, which says which of the two. */
function layerHeading(layer: ConfigLayer): string {
  const section = layer.kind === "claude-code-user" ? `, ${layer.section}` : "";
  return `${layer.path} (${layer.scope}${section})`;
}

export async function serverListCommand(context: CommandContext): Promise<number> {
  const { output } = context;
  const config = await loadConfiguration(context);
  const untrusted = new Set(untrustedFiles(context).map((file) => file.path));
  const shadowed = config.shadowed ?? [];
  if (output.json) {
    output.document({
      ok: true,
      config: configSummary(config),
      projectRoot: config.projectRoot ?? null,
      servers: config.servers.map((server) => {
        const layer = layerOf(config, server);
        return {
          ...maskServerConfig(server),
          ...origin(layer),
          shadows: shadowed
            .filter((entry) => entry.server.name === server.name)
            .map((entry) => ({ source: entry.layer.path, ...origin(entry.layer) })),
          ...(untrusted.has(server.source) ? { approved: false } : {}),
        };
      }),
      shadowed: shadowed.map((entry) => ({
        ...maskServerConfig(entry.server),
        ...origin(entry.layer),
        shadowedBy: { source: entry.by.path, ...origin(entry.by) },
      })),
      files: (config.files ?? []).map((file) => ({
        path: file.path,
        kind: file.kind,
        scope: file.scope,
        ...(file.approval === undefined ? {} : { approved: !untrusted.has(file.path) }),
      })),
      searched: config.searched.map((candidate) => candidate.path),
    });
    return 0;
  }
  if (config.path === undefined) {
    output.info(
      `no configuration found; looked at:\n${config.searched.map((candidate) => `  ${candidate.path}`).join("\n")}`,
    );
    return 0;
  }
  if (config.servers.length === 0) {
    output.info(`${config.path} declares no servers`);
    return 0;
  }
  const { style } = output;
  const authLines = await storedLoginLines(context, config.servers);
  const blocks: string[] = [];
  for (const layer of config.layers ?? []) {
    const rows = layer.servers.map((server) => {
      const hiddenBy = shadowed.find((entry) => entry.server === server)?.by;
      return [
        hiddenBy === undefined ? style.bold(server.name) : style.dim(server.name),
        transportLabel(server),
        targetLabel(server),
        [
          server.disabled ? style.yellow("(disabled)") : "",
          hiddenBy === undefined ? "" : style.dim(`(shadowed by ${printable(layerHeading(hiddenBy))})`),
          authLines.get(server.name) ?? "",
        ]
          .filter((part) => part !== "")
          .join(" "),
      ];
    });
    if (rows.length === 0) continue;
    const approval = untrusted.has(layer.path)
      ? ` ${style.yellow(`not approved: mcp-cli server trust ${printable(layer.path)}`)}`
      : "";
    blocks.push(`${style.dim(`# ${printable(layerHeading(layer))}`)}${approval}\n${formatTable(rows)}`);
  }
  output.data(blocks.join("\n\n"));
  return 0;
}

/** The first problem expanding the entry's `${VAR}` references, or undefined. */
function expansionProblem(context: CommandContext, server: ServerConfig): string | undefined {
  try {
    expandServerConfig(server, { env: context.env, cwd: context.cwd });
    return undefined;
  } catch (error) {
    if (isMcpCliError(error)) return error.message;
    throw error;
  }
}

function formatRecord(record: unknown): string | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const entries = Object.entries(record as Record<string, string>);
  if (entries.length === 0) return undefined;
  return entries.map(([key, value]) => `${key}=${value}`).join(" ");
}

export async function serverInfoCommand(context: CommandContext, name: string): Promise<number> {
  const { output } = context;
  const config = await loadConfiguration(context);
  // A disabled server still has information to show; findServer reports unknown names.
  const server = config.servers.find((entry) => entry.name === name) ?? findServer(config, name);
  const masked = maskServerConfig(server);
  const problem = expansionProblem(context, server);
  const layer = layerOf(config, server);
  const hidden = (config.shadowed ?? []).filter((entry) => entry.server.name === server.name);
  const unapproved = untrustedFiles(context).some((file) => file.path === server.source);
  if (output.json) {
    output.document({
      ok: true,
      server: { ...masked, ...origin(layer), ...(unapproved ? { approved: false } : {}) },
      shadows: hidden.map((entry) => ({ source: entry.layer.path, ...origin(entry.layer) })),
      problems: problem === undefined ? [] : [problem],
    });
    return 0;
  }
  const text = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));
  const fields: [string, string | undefined][] = [
    ["name", server.name],
    ["source", layer === undefined ? server.source : layerHeading(layer)],
    ["approved", unapproved ? `no: mcp-cli server trust ${server.source}` : undefined],
    [
      "shadows",
      hidden.length === 0 ? undefined : hidden.map((entry) => layerHeading(entry.layer)).join("; "),
    ],
    ["transport", server.transport],
    ["command", text(masked.command)],
    ["args", Array.isArray(masked.args) && masked.args.length > 0 ? masked.args.join(" ") : undefined],
    ["env", formatRecord(masked.env)],
    ["cwd", text(masked.cwd)],
    ["url", text(masked.url)],
    ["headers", formatRecord(masked.headers)],
    ["timeout", server.timeoutMs === undefined ? undefined : `${server.timeoutMs} ms`],
    ["startupTimeout", server.startupTimeoutMs === undefined ? undefined : `${server.startupTimeoutMs} ms`],
    ["rateLimit", server.rateLimit === undefined ? undefined : `${server.rateLimit}/s`],
    ["cache", server.cache.length === 0 ? undefined : server.cache.join(", ")],
    ["disabled", server.disabled ? "yes" : undefined],
  ];
  const lines = formatFields(
    fields.map(([key, value]) => [key, value === undefined ? undefined : printable(value)]),
  );
  output.data(lines);
  if (problem !== undefined) output.warn(problem);
  return 0;
}

interface ValidationResult {
  readonly name: string;
  readonly ok: boolean;
  readonly source: string;
  readonly transport?: string;
  readonly serverInfo?: { readonly name: string; readonly version: string };
  readonly protocolVersion?: string;
  readonly tools?: number;
  readonly resources?: number;
  readonly prompts?: number;
  readonly fingerprint?: string;
  readonly durationMs: number;
  readonly error?: ErrorDocument;
}

async function validateOne(context: CommandContext, server: ServerConfig): Promise<ValidationResult> {
  const started = performance.now();
  try {
    const connection = await openConnection(context, server);
    const { introspect } = await import("@mcp-execution/mcp-client");
    const manifest = await introspect(connection, {
      signal: context.signal,
      diagnostics: diagnosticsFor(context),
    });
    await connection.close();
    return {
      name: server.name,
      ok: true,
      source: server.source,
      transport: connection.transport,
      serverInfo: { name: manifest.serverInfo.name, version: manifest.serverInfo.version },
      protocolVersion: manifest.protocolVersion,
      tools: manifest.tools.length,
      ...(manifest.resources === undefined ? {} : { resources: manifest.resources.length }),
      ...(manifest.prompts === undefined ? {} : { prompts: manifest.prompts.length }),
      fingerprint: manifest.fingerprint.digest,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    return {
      name: server.name,
      ok: false,
      source: server.source,
      durationMs: Math.round(performance.now() - started),
      error: toErrorDocument(error),
    };
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * `server validate [name]`: connects to one server (a name, a URL or a command after `--`) or to
 * every enabled configured server, lists what each offers, and fails with the first failure's
 * code when any does not answer properly.
 */
export async function serverValidateCommand(
  context: CommandContext,
  name: string | undefined,
  options: AdHocOptions,
): Promise<number> {
  const { output } = context;
  let servers: ServerConfig[];
  if (name !== undefined || context.adHoc !== undefined) {
    servers = [await resolveServerTarget(context, name, options)];
  } else {
    const config = await loadConfiguration(context);
    servers = config.servers.filter((server) => !server.disabled);
    await ensureTrusted(context, servers);
    if (servers.length === 0) {
      throw new McpCliError(
        "USAGE",
        config.path === undefined
          ? "no configuration found, so there is nothing to validate; name a server, a URL or a command after --"
          : `${config.path} declares no enabled servers`,
        { details: { file: config.path ?? null } },
      );
    }
  }
  const results = await Promise.all(servers.map((server) => validateOne(context, server)));
  const failed = results.filter((result) => !result.ok);
  if (!output.json) {
    const { style } = output;
    output.data(
      formatTable(
        results.map((result) =>
          result.ok
            ? [
                style.green("✓"),
                style.bold(result.name),
                result.transport ?? "",
                style.dim(`${result.durationMs} ms`),
                [
                  plural(result.tools ?? 0, "tool"),
                  result.resources === undefined ? undefined : plural(result.resources, "resource"),
                  result.prompts === undefined ? undefined : plural(result.prompts, "prompt"),
                ]
                  .filter((part) => part !== undefined)
                  .join(", "),
              ]
            : [
                style.red("✗"),
                style.bold(result.name),
                "",
                style.dim(`${result.durationMs} ms`),
                `${result.error?.code}: ${firstLine(result.error?.message)}`,
              ],
        ),
      ),
    );
  }
  const firstFailure = failed[0];
  if (firstFailure?.error !== undefined) {
    throw new McpCliError(
      firstFailure.error.code,
      failed.length === 1 && results.length === 1
        ? firstFailure.error.message
        : `${failed.length} of ${results.length} servers failed validation: ${failed
            .map((result) => `${result.name} (${result.error?.code})`)
            .join(", ")}`,
      { details: { servers: results } },
    );
  }
  if (output.json) output.document({ ok: true, servers: results });
  return 0;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0] ?? "";
}

/** The dialect of a file named on the command line, from its name (`.gemini/settings.json`, `opencode.json`). */
function dialectOf(path: string): (typeof PROJECT_CONFIG_FILES)[number]["dialect"] {
  const normalized = path.replaceAll("\\", "/");
  const known = PROJECT_CONFIG_FILES.find((file) =>
    normalized.endsWith(`/${file.relativePath.replaceAll("\\", "/")}`),
  );
  return known?.dialect ?? "mcp-json";
}

interface TrustedFile {
  readonly path: string;
  readonly digest: string;
  readonly servers: readonly string[];
  readonly variables: readonly string[];
}

/**
 * `server trust [file]`: approves a project configuration file as it is now (its path and the
 * blake3 digest of its content), or, without a file, every project file of this project that
 * needs approval. A later change to the file needs a new approval.
 */
export async function serverTrustCommand(context: CommandContext, file: string | undefined): Promise<number> {
  const { output } = context;
  const approved: TrustedFile[] = [];
  if (file === undefined) {
    const config = await loadConfiguration(context);
    for (const pending of untrustedFiles(context)) {
      if (pending.approval === undefined || pending.digest === undefined) continue;
      await approveFile(context, pending.path, pending.digest);
      approved.push({
        path: pending.path,
        digest: pending.digest,
        servers: pending.approval.commands.map((command) => command.server),
        variables: [...pending.approval.variables],
      });
    }
    if (approved.length === 0 && !output.json) {
      const needing = (config.files ?? []).filter((entry) => entry.approval !== undefined);
      output.info(
        needing.length === 0
          ? "no project configuration file here starts a process or expands a variable: nothing to approve"
          : `already approved: ${needing.map((entry) => entry.path).join(", ")}`,
      );
    }
  } else {
    const path = resolve(context.cwd, file);
    const text = await readConfigText(path, 1024 * 1024);
    if (text === undefined) {
      throw new McpCliError("FILE_NOT_FOUND", `${path} does not exist`, { details: { file: path } });
    }
    const dialect = dialectOf(path);
    // A TOML file is never a project file; parse what can be one, so errors are reported now.
    const parsed = parseConfigFile(text, path, { dialect });
    const request = approvalRequest(parsed.servers);
    const digest = `blake3:${await blake3Hex(text)}`;
    await approveFile(context, path, digest);
    approved.push({
      path,
      digest,
      servers: request?.commands.map((command) => command.server) ?? [],
      variables: [...(request?.variables ?? [])],
    });
  }
  if (output.json) {
    output.document({ ok: true, approved });
    return 0;
  }
  for (const entry of approved) {
    const what = [
      entry.servers.length === 0 ? undefined : `starts ${entry.servers.join(", ")}`,
      entry.variables.length === 0 ? undefined : `expands ${entry.variables.join(", ")}`,
    ]
      .filter((part) => part !== undefined)
      .join("; ");
    output.data(`approved ${entry.path} (${entry.digest.slice(0, 19)}…)${what === "" ? "" : `: ${what}`}`);
  }
  return 0;
}
