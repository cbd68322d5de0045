/**
 * Opening connections to MCP servers for a command. The MCP client (mcp-client) (and with it the MCP SDK) is
 * imported here, on first use, never at start-up. Every connection is owned by the command's
 * scope, so the top-level handler closes it on success, failure and SIGINT alike.
 */
import type { Diagnostic, ServerConfig } from "@mcp-execution/core";
import type { ServerConnection } from "@mcp-execution/mcp-client";
import type { CommandContext } from "./context.js";
import { resolveForConnection } from "./server-target.js";
import { withStoredLogin } from "./stored-login.js";

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

/** Connects to `server` (expanding its `${VAR}` references first), with progress on a TTY. */
export async function openConnection(
  context: CommandContext,
  server: ServerConfig,
): Promise<ServerConnection> {
  const progress = context.output.progress(`connecting to ${server.name}`);
  try {
    const resolved = await withStoredLogin(context, resolveForConnection(context, server));
    const { connectServer } = await import("@mcp-execution/mcp-client");
    const started = performance.now();
    const connection = await connectServer(resolved, {
      environment: context.env,
      cwd: context.cwd,
      signal: context.signal,
      diagnostics: diagnosticsFor(context),
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
