/**
 * `prompt get <server> <name> [key=value...]`: one `prompts/get`, arguments as strings (MCP
 * prompt arguments are strings). Prints the messages, each with its role.
 */
import { type ContentBlock, McpCliError } from "@mcp-execution/core";
import { openConnection } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type AdHocOptions, resolveServerTarget } from "../server-target.js";
import { serverOperands } from "./resource.js";

function promptArguments(pairs: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) {
      throw new McpCliError("USAGE", `prompt arguments are key=value pairs, got ${JSON.stringify(pair)}`, {
        details: { argument: pair },
      });
    }
    args[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return args;
}

function describeContent(block: ContentBlock): string {
  if (block.type === "text") return String(block.text ?? "");
  if (block.type === "resource") {
    const resource = (block.resource ?? {}) as { uri?: string; text?: string };
    return resource.text ?? `[resource] ${resource.uri ?? ""}`;
  }
  return `[${block.type}${typeof block.mimeType === "string" ? ` ${block.mimeType}` : ""}]`;
}

export async function promptGetCommand(
  context: CommandContext,
  operands: readonly string[],
  options: AdHocOptions,
): Promise<number> {
  const {
    server: target,
    first: name,
    rest,
  } = serverOperands(context, operands, "mcp-cli prompt get <server> <name> [key=value...]", "name");
  const args = promptArguments(rest);
  const server = await resolveServerTarget(context, target, options);
  const connection = await openConnection(context, server);
  const result = await connection.getPrompt(name, args, { signal: context.signal });
  if (context.output.json) {
    context.output.document({ ok: true, server: server.name, prompt: name, ...result });
  } else {
    context.output.data(
      result.messages.map((message) => `${message.role}: ${describeContent(message.content)}`).join("\n"),
    );
  }
  return 0;
}
