/**
 * `call <server> <tool> [key=value...] [--args json]`: one tool call through the bridge, so the
 * arguments are validated against the tool's input schema (`ARGS_INVALID`, exit 2) and the result
 * is what guest code would receive. A result with `isError` is `TOOL_ERROR` (exit 2).
 *
 * With an ad-hoc stdio server after `--`, the server operand is left out:
 * `mcp-cli call echo message=hi -- npx -y @modelcontextprotocol/server-everything`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ContentBlock,
  closestName,
  isUrlTarget,
  McpCliError,
  type ResolvedServerConfig,
  type ServerConfig,
  type ToolCallResult,
  toolDenial,
  toolDeniedError,
} from "@mcp-execution/core";
import { buildCallArguments } from "../call-arguments.js";
import { clientOffers, diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import { escapeControlCharacters } from "../output.js";
import { type AdHocOptions, resolveForConnection, resolveServerTarget } from "../server-target.js";
import { storedLoginProviders } from "../stored-login.js";

export interface CallOptions extends AdHocOptions {
  /** JSON text, `@file` or `-` (standard input). */
  readonly args?: string;
  /** `--no-daemon` sets false. */
  readonly daemon?: boolean;
}

function readArgumentFile(cwd: string, path: string): string {
  try {
    return readFileSync(resolve(cwd, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new McpCliError(
      code === "ENOENT" ? "FILE_NOT_FOUND" : "PATH_INVALID",
      `cannot read ${path}: ${(error as Error).message}`,
      { details: { path, errno: code ?? null } },
    );
  }
}

/** Splits the operands into server, tool and pairs; with `--`, there is no server operand. */
function splitOperands(
  context: CommandContext,
  operands: readonly string[],
): { server: string | undefined; tool: string; pairs: string[] } {
  const words = [...operands];
  const server = context.adHoc === undefined ? words.shift() : undefined;
  const tool = words.shift();
  if (context.adHoc === undefined && server === undefined) {
    throw new McpCliError(
      "USAGE",
      "missing <server> and <tool>: mcp-cli call <server> <tool> [key=value...]",
      {
        details: { argument: "server" },
      },
    );
  }
  if (tool === undefined || tool.includes("=")) {
    throw new McpCliError(
      "USAGE",
      context.adHoc === undefined
        ? "missing <tool>: mcp-cli call <server> <tool> [key=value...]"
        : "missing <tool>: mcp-cli call <tool> [key=value...] -- <command>",
      { details: { argument: "tool" } },
    );
  }
  return { server, tool, pairs: words };
}

function describeBlock(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return String(block.text ?? "");
    case "image":
    case "audio":
      return `[${block.type} ${String(block.mimeType ?? "")}, ${Math.floor((String(block.data ?? "").length * 3) / 4)} bytes]`;
    case "resource_link":
      return `[resource link] ${String(block.uri ?? "")}${block.name === undefined ? "" : ` (${String(block.name)})`}`;
    case "resource": {
      const resource = (block.resource ?? {}) as {
        uri?: string;
        text?: string;
        blob?: string;
        mimeType?: string;
      };
      const body =
        resource.text !== undefined
          ? `\n${resource.text}`
          : ` ${resource.mimeType ?? ""}, ${Math.floor(((resource.blob ?? "").length * 3) / 4)} bytes`;
      return `[resource] ${resource.uri ?? ""}${body}`;
    }
    default:
      return `[${block.type}]`;
  }
}

/**
 * The human form of a result: structured content as JSON when the server gave it (its text mirror
 * is not repeated), then every block that is not text (images, audio, resources), so nothing the
 * server sent is hidden; otherwise every content block.
 */
export function formatCallResult(result: ToolCallResult): string {
  if (result.structuredContent === undefined) return result.content.map(describeBlock).join("\n");
  const others = result.content.filter((block) => block.type !== "text").map(describeBlock);
  return [JSON.stringify(result.structuredContent, null, 2), ...others].join("\n");
}

/**
 * The `--json` document's result fields: `result` is what guest code would receive; `content` is
 * added only when it holds something `result` does not (blocks beside structured content), so the
 * payload is not printed two or three times.
 */
export function callResultDocument(result: ToolCallResult): {
  result: unknown;
  content?: readonly ContentBlock[];
} {
  const extra =
    result.structuredContent !== undefined && result.content.some((block) => block.type !== "text");
  return extra ? { result: result.value, content: result.content } : { result: result.value };
}

function progressLine(update: { progress: number; total?: number; message?: string }): string {
  const amount = update.total === undefined ? `${update.progress}` : `${update.progress}/${update.total}`;
  return update.message === undefined ? amount : `${amount} ${update.message}`;
}

/** A bridge for this one call, owned by the command's scope; no cache: a call always reaches the server. */
async function inProcessBridge(context: CommandContext, resolved: ResolvedServerConfig) {
  const { createBridge } = await import("@mcp-execution/bridge");
  const bridge = createBridge({
    servers: [resolved],
    cache: false,
    // Interactive: a server's request for input is asked on the terminal (ADR-009).
    connect: { environment: context.env, cwd: context.cwd, ...(await clientOffers(context, true)) },
    authProviders: await storedLoginProviders(context, [resolved]),
    diagnostics: diagnosticsFor(context),
  });
  context.scope.defer(() => bridge.close());
  return bridge;
}

export async function callCommand(
  context: CommandContext,
  operands: readonly string[],
  options: CallOptions,
): Promise<number> {
  const { output } = context;
  const { server: target, tool, pairs } = splitOperands(context, operands);
  let json: string | undefined;
  if (options.args !== undefined) {
    json =
      options.args === "-"
        ? await context.environment.readStdin()
        : options.args.startsWith("@")
          ? readArgumentFile(context.cwd, options.args.slice(1))
          : options.args;
  }
  const server: ServerConfig = await resolveServerTarget(context, target, options);
  // A tool the configuration denies is refused before the server is even started.
  const denial = toolDenial(server, tool);
  if (denial !== undefined) throw toolDeniedError(server.name, tool, denial, server.source);
  const resolved = resolveForConnection(context, server);

  // A configured server (not a URL or a command given here) may be warm in the local daemon.
  const viaDaemon =
    options.daemon !== false && context.adHoc === undefined && target !== undefined && !isUrlTarget(target)
      ? await (await import("../daemon/use.js")).toolsViaDaemon(context, server.name)
      : undefined;
  const bridge = viaDaemon ?? (await inProcessBridge(context, resolved));

  const progress = output.progress(`connecting to ${server.name}`);
  let tools: Awaited<ReturnType<typeof bridge.tools>>;
  try {
    tools = await bridge.tools(server.name);
    progress.done();
  } catch (error) {
    progress.fail();
    throw error;
  }
  const descriptor = tools.find((candidate) => candidate.name === tool);
  if (descriptor === undefined) {
    const names = tools
      .map((candidate) => candidate.name)
      .filter((name) => toolDenial(server, name) === undefined)
      .sort();
    const best = closestName(tool, names);
    throw new McpCliError(
      "TOOL_UNKNOWN",
      `server "${server.name}" has no tool "${tool}"${best === undefined ? "" : `; did you mean "${best}"?`} Its tools: ${names.join(", ")}`,
      {
        details: { server: server.name, tool, valid: names },
      },
    );
  }
  const args = buildCallArguments({
    pairs,
    ...(json === undefined ? {} : { json }),
    inputSchema: descriptor.inputSchema,
    readFile: (path) => readArgumentFile(context.cwd, path),
  });
  output.debug(`calling ${server.name}/${tool} with ${JSON.stringify(args)}`);
  const running = output.progress(`calling ${server.name}/${tool}`);
  let result: ToolCallResult;
  try {
    result = await bridge.callTool(server.name, tool, args, {
      signal: context.signal,
      // Shown on a TTY only (Output.progress prints nothing elsewhere); text from the server is escaped.
      onProgress: (update) =>
        running.update(`${server.name}/${tool}: ${escapeControlCharacters(progressLine(update))}`),
    });
    running.done();
  } catch (error) {
    running.fail();
    throw error;
  }
  if (output.json) {
    output.document({
      ok: true,
      server: server.name,
      tool,
      ...callResultDocument(result),
      durationMs: Math.round(result.durationMs),
    });
  } else {
    output.data(formatCallResult(result));
  }
  return 0;
}
