/**
 * `server list`, `server info <name>`, `server validate [name]`: what is configured, where it came
 * from, and whether it answers. `list` and `info` never start a server.
 */
import {
  expandServerConfig,
  findServer,
  isMcpCliError,
  type LoadedConfig,
  maskServerConfig,
  maskUrl,
  type ServerConfig,
} from "@mcp-execution/core";
import { loadConfiguration } from "../config-source.js";
import type { CommandContext } from "../context.js";
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
  const blocks: string[] = [];
  for (const [source, servers] of bySource) {
    const rows = servers.map((server) => [
      style.bold(server.name),
      transportLabel(server),
      targetLabel(server),
      server.disabled ? style.yellow("(disabled)") : "",
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
