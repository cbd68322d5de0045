/**
 * Opening connections to MCP servers for a command. The MCP client (mcp-client) (and with it the MCP SDK) is
 * imported here, on first use, never at start-up. Every connection is owned by the command's
 * scope, so the top-level handler closes it on success, failure and SIGINT alike.
 */

import { delimiter, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic, ServerConfig } from "@mcp-execution/core";
import type { ConnectOptions, ServerConnection } from "@mcp-execution/mcp-client";
import type { CommandContext } from "./context.js";
import { resolveForConnection } from "./server-target.js";
import { storedLoginProviderFor } from "./stored-login.js";

/**
 * Diagnostics from engines: warnings always; a server's stderr and other chatter only with
 * `--verbose` (failures quote the tail of a server's stderr in their message anyway).
 */
export function diagnosticsFor(context: CommandContext): (diagnostic: Diagnostic) => void {
  return (diagnostic) => {
    if (diagnostic.level === "warn") context.output.diagnostic(diagnostic);
    else context.output.diagnostic({ ...diagnostic, level: "debug" });
  };
}

/**
 * What mcp-cli offers servers (ADR-009): the project folder as the one root (stdio servers only),
 * and elicitation answered on the terminal when the command is interactive (`call` on a TTY
 * without `--json`); elsewhere requests for input are declined with a warning. Configurable by
 * environment: `MCP_CLI_ELICITATION=decline` never asks; `MCP_CLI_ROOTS` is `none` or a list of
 * folders (separated like `PATH`); `MCP_CLI_REMOTE_ROOTS=1` offers the roots to remote servers too.
 */
export async function clientOffers(
  context: CommandContext,
  interactive: boolean,
): Promise<Pick<ConnectOptions, "roots" | "rootsForRemoteServers" | "elicitation">> {
  const configuredRoots = context.env.MCP_CLI_ROOTS;
  const folders =
    configuredRoots === undefined || configuredRoots === ""
      ? [context.cwd]
      : configuredRoots === "none"
        ? []
        : configuredRoots.split(delimiter).filter((folder) => folder !== "");
  const roots = folders.map((folder) => ({
    uri: pathToFileURL(resolve(context.cwd, folder)).href,
    ...(folder === context.cwd ? { name: "project" } : {}),
  }));
  const offers = {
    ...(roots.length === 0 ? {} : { roots }),
    ...(context.env.MCP_CLI_REMOTE_ROOTS === "1" ? { rootsForRemoteServers: true } : {}),
  };
  const ask = context.environment.ask;
  if (
    !interactive ||
    ask === undefined ||
    context.output.json ||
    context.env.MCP_CLI_ELICITATION === "decline"
  ) {
    return offers;
  }
  const { terminalElicitation } = await import("./elicitation-prompt.js");
  return { ...offers, elicitation: terminalElicitation(ask, context.output) };
}

/** Connects to `server` (expanding its `${VAR}` references first), with progress on a TTY. */
export async function openConnection(
  context: CommandContext,
  server: ServerConfig,
): Promise<ServerConnection> {
  const progress = context.output.progress(`connecting to ${server.name}`);
  try {
    const resolved = resolveForConnection(context, server);
    // The stored OAuth login, if any: sent, renewed on a 401, AUTH_REQUIRED with the login command.
    const authProvider = await storedLoginProviderFor(context, resolved);
    const { connectServer } = await import("@mcp-execution/mcp-client");
    const started = performance.now();
    const connection = await connectServer(resolved, {
      environment: context.env,
      cwd: context.cwd,
      signal: context.signal,
      diagnostics: diagnosticsFor(context),
      ...(await clientOffers(context, false)),
      ...(authProvider === undefined ? {} : { authProvider }),
    });
    context.scope.defer(() => connection.close());
    progress.done();
    context.output.debug(
      `connected to ${server.name} over ${connection.transport} in ${Math.round(performance.now() - started)} ms`,
    );
    return connection;
  } catch (error) {
    progress.fail();
    throw error;
  }
}
