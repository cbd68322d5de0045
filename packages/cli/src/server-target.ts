/**
 * Turns what the user typed into a server configuration entry (docs/conventions.md section 1):
 * a configured name, an `http(s)://` URL, or an ad-hoc stdio command after `--`.
 */
import {
  adHocServerConfig,
  expandServerConfig,
  findServer,
  isUrlTarget,
  McpCliError,
  maskArguments,
  type ResolvedServerConfig,
  type ServerConfig,
  serverId,
} from "@mcp-execution/core";
import { loadConfiguration } from "./config-source.js";
import { assertTrusted, ensureTrusted } from "./config-trust.js";
import type { CommandContext } from "./context.js";

/** `-e/--env`, `--header`, `--cwd`, `--name`, as commander parsed them. */
export interface AdHocOptions {
  readonly env?: readonly string[];
  readonly header?: readonly string[];
  readonly cwd?: string;
  readonly name?: string;
}

function hasAdHocOptions(options: AdHocOptions): boolean {
  return (
    (options.env?.length ?? 0) > 0 ||
    (options.header?.length ?? 0) > 0 ||
    options.cwd !== undefined ||
    options.name !== undefined
  );
}

/** The ad-hoc stdio server after `--`, if one was given. */
export function adHocCommandServer(context: CommandContext, options: AdHocOptions): ServerConfig | undefined {
  const words = context.adHoc;
  if (words === undefined) return undefined;
  const [command, ...args] = words;
  if (command === undefined || command === "") {
    throw new McpCliError(
      "USAGE",
      "nothing after --; give the server command, e.g. -- npx -y my-mcp-server",
      {
        details: { argument: "--" },
      },
    );
  }
  return adHocServerConfig({
    target: command,
    args,
    env: options.env ?? [],
    headers: options.header ?? [],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.name === undefined ? {} : { name: serverId(options.name) }),
  });
}

/**
 * The server a command operates on. `target` is the `<server>` operand (a name or a URL); the
 * words after `--` are the alternative. Ad-hoc flags with a configured name are a usage error,
 * because they would silently do nothing.
 */
export async function resolveServerTarget(
  context: CommandContext,
  target: string | undefined,
  options: AdHocOptions,
): Promise<ServerConfig> {
  const fromCommand = adHocCommandServer(context, options);
  if (fromCommand !== undefined) {
    if (target !== undefined) {
      throw new McpCliError(
        "USAGE",
        `give either a server (${JSON.stringify(target)}) or a command after --, not both`,
        // The command line may carry a token (`--api-key x`): masked like server list masks it.
        { details: { server: target, command: maskArguments(context.adHoc ?? []).join(" ") } },
      );
    }
    return fromCommand;
  }
  if (target === undefined) {
    throw new McpCliError(
      "USAGE",
      "missing <server>: give a configured name, an http(s):// URL, or a command after --",
      { details: { argument: "server" } },
    );
  }
  if (isUrlTarget(target)) {
    if ((options.env?.length ?? 0) > 0 || options.cwd !== undefined) {
      throw new McpCliError("USAGE", "--env and --cwd apply to stdio servers only, not to a URL", {
        details: { server: target },
      });
    }
    return adHocServerConfig({
      target,
      headers: options.header ?? [],
      ...(options.name === undefined ? {} : { name: serverId(options.name) }),
    });
  }
  if (hasAdHocOptions(options)) {
    throw new McpCliError(
      "USAGE",
      `--env, --header, --cwd and --name apply to a URL or a command after --, not to the configured server "${target}"`,
      { details: { server: target } },
    );
  }
  const server = findServer(await loadConfiguration(context), target);
  // A project file that is not approved is asked about here (on a terminal), before anything starts.
  await ensureTrusted(context, [server]);
  return server;
}

/**
 * Expands `${VAR}` references just before connecting (a missing one is `CONFIG_VARIABLE_MISSING`).
 * An entry from a project file that is not approved is `CONFIG_UNTRUSTED`: nothing is expanded or
 * started for it (call `ensureTrusted` first to ask the user on a terminal).
 */
export function resolveForConnection(context: CommandContext, server: ServerConfig): ResolvedServerConfig {
  assertTrusted(context, server);
  const protocol = context.globals.protocol;
  return expandServerConfig(protocol === undefined ? server : { ...server, protocol }, {
    env: context.env,
    cwd: context.cwd,
  });
}
