/**
 * A guest that calls a server which exists but was not made callable gets `SERVER_UNKNOWN` with
 * the caller's hint (the CLI: "pass --server memory"), so an agent can fix its command at once.
 */
import {
  McpCliError,
  type ToolBridge,
  type ToolCallOptions,
  type ToolCallResult,
  toMcpCliError,
} from "@mcp-execution/core";

type Hint = (server: string) => string | undefined;

function hinted(error: unknown, server: string, hint: Hint): unknown {
  const coded = toMcpCliError(error);
  if (coded.code !== "SERVER_UNKNOWN") return error;
  const text = hint(server);
  if (text === undefined) return error;
  return new McpCliError("SERVER_UNKNOWN", `${coded.message} ${text}`, {
    cause: coded,
    details: { ...coded.details, server, hint: text },
  });
}

/** The sandbox's own wording for a run without servers. */
function noServers(server: string, tool: string): McpCliError {
  return new McpCliError(
    "SERVER_UNKNOWN",
    `no MCP server is available to this execution (callTool(${JSON.stringify(server)}, ${JSON.stringify(tool)}))`,
    { details: { server, tool } },
  );
}

/** `bridge` (or, without one, a bridge with no servers) whose `SERVER_UNKNOWN` errors carry the hint. */
export function withUnavailableServerHint(bridge: ToolBridge | undefined, hint: Hint): ToolBridge {
  const close = async (): Promise<void> => {};
  return {
    async callTool(
      server: string,
      tool: string,
      args: Readonly<Record<string, unknown>>,
      options?: ToolCallOptions,
    ): Promise<ToolCallResult> {
      try {
        if (bridge === undefined) throw noServers(server, tool);
        return await bridge.callTool(server, tool, args, options);
      } catch (error) {
        throw hinted(error, server, hint);
      }
    },
    servers: () => bridge?.servers() ?? [],
    // The wrapped bridge has its own owner; closing this view closes nothing.
    close,
    [Symbol.asyncDispose]: close,
  };
}
