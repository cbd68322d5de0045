/**
 * The servers of an `execute` run, from the command line and the configuration: the ones made
 * callable (after --, by --server, by --all-servers) and the caller-side policy the runner asks for
 * (where a skill's server comes from, and the hint for a guest calling one it was not given).
 */
import { isUrlTarget, type LoadedConfig, McpCliError, type ServerConfig } from "@mcp-execution/core";
import type { RunRequest } from "@mcp-execution/runner";
import type { ExecuteOptions } from "./commands/execute.js";
import type { CommandContext } from "./context.js";
import { adHocCommandServer, resolveForConnection, resolveServerTarget } from "./server-target.js";

/** The servers made callable, with their API generated: after --, by --server, by --all-servers. */
export async function liveServers(
  context: CommandContext,
  options: ExecuteOptions,
  config: LoadedConfig,
): Promise<ServerConfig[]> {
  const adHoc = adHocCommandServer(context, options);
  const names = options.server ?? [];
  const urls = names.filter(isUrlTarget);
  const adHocFlags = [options.env, options.cwd, options.header, options.name].some(
    (flag) => flag !== undefined,
  );
  if (adHoc === undefined && urls.length === 0 && adHocFlags) {
    throw new McpCliError(
      "USAGE",
      "--env, --header, --cwd and --name apply to a --server URL or a command after --",
      {
        details: {},
      },
    );
  }
  const servers: ServerConfig[] = adHoc === undefined ? [] : [adHoc];
  const urlOptions = {
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  for (const name of names)
    servers.push(await resolveServerTarget(context, name, isUrlTarget(name) ? urlOptions : {}));
  if (options.allServers === true) servers.push(...config.servers.filter((server) => !server.disabled));
  return servers;
}

/** The caller-side policy the runner asks for: where a skill's server comes from, and hints. */
export function serverLookups(
  context: CommandContext,
  config: LoadedConfig,
): Pick<RunRequest, "resolveSkillServer" | "unavailableServerHint"> {
  const entry = (name: string) => config.servers.find((candidate) => candidate.name === name);
  return {
    resolveSkillServer(server, skill) {
      const found = entry(server);
      if (found === undefined) {
        throw new McpCliError(
          "SERVER_UNKNOWN",
          `skill ${skill} calls server "${server}", which is not configured${config.path === undefined ? "" : ` in ${config.path}`}; configure it, or give it with --server <url> --name ${server} or -- <command> with --name ${server}`,
          { details: { skill, server, file: config.path ?? null } },
        );
      }
      return resolveForConnection(context, found);
    },
    unavailableServerHint(server) {
      const found = entry(server);
      if (found === undefined) return undefined;
      return found.disabled
        ? `"${server}" is configured in ${found.source} but disabled there.`
        : `"${server}" is configured in ${found.source}: pass --server ${server} (or --all-servers) to make it callable.`;
    },
  };
}
