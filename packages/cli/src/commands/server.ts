/**
 * `server list`, `server info <name>`, `server validate [name]`: what is configured, where it came
 * from, and whether it answers. `list` and `info` never start a server.
 */
import {
  type ErrorDocument,
  expandServerConfig,
  findServer,
  isMcpCliError,
  type LoadedConfig,
  McpCliError,
  maskServerConfig,
  maskUrl,
  type ServerConfig,
  toErrorDocument,
} from "@mcp-execution/core";
import { loadConfiguration } from "../config-source.js";
import { diagnosticsFor, openConnection } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type AdHocOptions, resolveServerTarget } from "../server-target.js";
import { storedLoginLines } from "../stored-login.js";
import { formatFields, formatTable } from "../table.js";

function transportLabel(server: ServerConfig): string {
  return server.transport;
}

function targetLabel(server: ServerConfig): string {
  if (server.transport === "stdio") return [server.command, ...server.args].join(" ");
  return maskUrl(server.url);
}

function configSummary(config: LoadedConfig): Record<string, unknown> {
  return { path: config.path ?? null, kind: config.kind ?? null };
}

export async function serverListCommand(context: CommandContext): Promise<number> {
  const { output } = context;
  const config = await loadConfiguration(context);
  if (output.json) {
    output.document({
      ok: true,
      config: configSummary(config),
      servers: config.servers.map((server) => maskServerConfig(server)),
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
  const bySource = new Map<string, ServerConfig[]>();
  for (const server of config.servers) {
    bySource.set(server.source, [...(bySource.get(server.source) ?? []), server]);
  }
  const { style } = output;
  const authLines = await storedLoginLines(context, config.servers);
  const blocks: string[] = [];
  for (const [source, servers] of bySource) {
    const rows = servers.map((server) => [
      style.bold(server.name),
      transportLabel(server),
      targetLabel(server),
      server.disabled ? style.yellow("(disabled)") : "",
      authLines.get(server.name) ?? "",
    ]);
    blocks.push(`${style.dim(`# ${source}`)}\n${formatTable(rows)}`);
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
  if (output.json) {
    output.document({ ok: true, server: masked, problems: problem === undefined ? [] : [problem] });
    return 0;
  }
  const text = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));
  const lines = formatFields([
    ["name", server.name],
    ["source", server.source],
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
  ]);
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
