/**
 * `resource read <server> <uri>`: one `resources/read`. Text contents print as they are; binary
 * contents print as a one-line description (with `--json`, as base64 with their mime type).
 * With an ad-hoc stdio server after `--`, the server operand is left out.
 */
import { McpCliError, type ResourceContent } from "@mcp-execution/core";
import { openConnection } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type AdHocOptions, resolveServerTarget } from "../server-target.js";

/** Splits `[server] <first> [rest...]`; with `--`, there is no server operand. */
export function serverOperands(
  context: CommandContext,
  operands: readonly string[],
  usage: string,
  what: string,
): { server: string | undefined; first: string; rest: string[] } {
  const words = [...operands];
  const server = context.adHoc === undefined ? words.shift() : undefined;
  const first = words.shift();
  if ((context.adHoc === undefined && server === undefined) || first === undefined) {
    throw new McpCliError(
      "USAGE",
      `missing ${server === undefined && context.adHoc === undefined ? "<server> and " : ""}<${what}>: ${usage}`,
      {
        details: { argument: server === undefined && context.adHoc === undefined ? "server" : what },
      },
    );
  }
  return { server, first, rest: words };
}

function describeContent(item: ResourceContent): string {
  if (item.text !== undefined) return item.text;
  const bytes = Math.floor(((item.blob ?? "").length * 3) / 4);
  return `[binary ${item.mimeType ?? "application/octet-stream"}, ${bytes} bytes] ${item.uri}`;
}

export async function resourceReadCommand(
  context: CommandContext,
  operands: readonly string[],
  options: AdHocOptions,
): Promise<number> {
  const { server: target, first: uri } = serverOperands(
    context,
    operands,
    "mcp-cli resource read <server> <uri>",
    "uri",
  );
  const server = await resolveServerTarget(context, target, options);
  const connection = await openConnection(context, server);
  const result = await connection.readResource(uri, { signal: context.signal });
  if (context.output.json)
    context.output.document({ ok: true, server: server.name, uri, contents: result.contents });
  else context.output.data(result.contents.map(describeContent).join("\n"));
  return 0;
}
