/**
 * The code-mode MCP server: two tools and the generated tree as resources.
 *
 * - `execute` runs TypeScript against the generated API of the configured servers, in the sandbox,
 *   and returns the result and the logs. Guest failures and limits come back as `isError` results
 *   with the coded error in `structuredContent` (never as protocol errors: the model should see and
 *   fix them). Cancellation of the request aborts the run.
 * - `search_tools` ranks tools by name, title, server, argument names and description, and returns
 *   a path and a one-line signature per hit, not schemas.
 * - `mcp-tools:///<path>` resources: SKILL.md, REFERENCE.md and `servers/<s>/<tool>.ts`, so an agent
 *   reads only the files it needs.
 *
 * One factory serves both protocol eras (SDK v2 `serveStdio` and `createMcpHandler` call it per
 * connection or per request); it only reads the shared, warm state it is given.
 */
import type { ErrorDocument, ExecutionOutcome, GeneratedFile } from "@mcp-execution/core";
import { fromJsonSchema, McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import type { CatalogHit, ToolCatalog } from "./catalog.js";

/** What `serve` currently offers; replaced as a whole when a server's tools change. */
export interface CodeModeState {
  readonly files: readonly GeneratedFile[];
  readonly catalog: ToolCatalog;
  readonly servers: readonly string[];
}

export interface CodeModeExecution {
  readonly code: string;
  /** A per-call deadline the client asked for; the host caps it at the profile's. */
  readonly timeoutMs?: number | undefined;
}

export interface CodeModeServerOptions {
  readonly version: string;
  readonly state: () => CodeModeState;
  /** Runs one execution; resolves for every guest failure. Aborting `signal` cancels it. */
  readonly execute: (request: CodeModeExecution, signal: AbortSignal) => Promise<ExecutionOutcome>;
  /** Largest `code` accepted, in bytes of UTF-16 text. */
  readonly maxCodeLength: number;
}

export const TREE_URI_PREFIX = "mcp-tools:///";

const EXECUTE_DESCRIPTION = [
  "Run TypeScript in a sandbox that can call the configured MCP servers through a typed API, and get back only the final result.",
  "Write an ES module: import wrappers from the generated tree and `export default` the result, e.g.",
  '`import { echo } from "./servers/everything/echo.ts"; export default await echo({ message: "hi" });`',
  "(a bare snippet with `return` also works). `callTool(server, tool, args)` is global too.",
  "Find tools with search_tools; read a wrapper (mcp-tools:///servers/<server>/<tool>.ts) or SKILL.md for exact types.",
  "Filter and combine data inside the script: intermediate results stay in the sandbox. console.log lines come back as logs.",
  "No network, no host files; /workspace is a scratch folder. Limits (time, memory, calls) end the run with a coded error.",
].join(" ");

const SEARCH_DESCRIPTION =
  "Find tools of the configured MCP servers by what they do. Returns, per hit, the wrapper's path in the generated tree (import it in execute), a one-line signature and summary. Empty query lists all tools.";

// Built once: a factory runs per HTTP request (and per stdio connection), and compiling the
// validators each time would dominate a trivial execution.
const EXECUTE_INPUT = fromJsonSchema<{ code: string; timeoutMs?: number }>({
  type: "object",
  properties: {
    code: {
      type: "string",
      description: "An ES module (export default the result) or a snippet with return.",
    },
    timeoutMs: {
      type: "integer",
      minimum: 1,
      description: "Wall-clock limit for this run; capped by the server's profile.",
    },
  },
  required: ["code"],
  additionalProperties: false,
});

const SEARCH_INPUT = fromJsonSchema<{ query: string; server?: string; limit?: number }>({
  type: "object",
  properties: {
    query: {
      type: "string",
      maxLength: 500,
      description: "Words describing the task, a tool name, or an argument name.",
    },
    server: { type: "string", maxLength: 200, description: "Only tools of this server." },
    limit: { type: "integer", minimum: 1, maximum: 100, description: "Hits to return (default 10)." },
  },
  required: ["query"],
  additionalProperties: false,
});

function text(value: string): { type: "text"; text: string } {
  return { type: "text", text: value };
}

function formatResult(result: unknown): string {
  if (result === undefined) return "(no result)";
  return typeof result === "string" ? result : JSON.stringify(result, null, 2);
}

function formatHits(hits: readonly CatalogHit[]): string {
  if (hits.length === 0)
    return "No tool matches. Try fewer or other words, or an empty query to list all tools.";
  return hits
    .map(
      (hit) =>
        `${hit.path}\n  ${hit.signature}${hit.readOnly ? "  [read-only]" : ""}${hit.summary === "" ? "" : `\n  ${hit.summary}`}`,
    )
    .join("\n");
}

function errorText(error: ErrorDocument): string {
  return `${error.code}: ${error.message}`;
}

/** A fresh McpServer over the shared state; for `serveStdio(factory)` and `createMcpHandler(factory)`. */
export function createCodeModeServer(options: CodeModeServerOptions): McpServer {
  const server = new McpServer(
    { name: "mcp-cli", version: options.version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        "Code mode: call search_tools to find tools, then execute one TypeScript module that calls them and returns only what you need. SKILL.md (resource mcp-tools:///SKILL.md) explains the generated API.",
    },
  );

  server.registerTool(
    "execute",
    {
      title: "Execute TypeScript against the MCP servers",
      description: EXECUTE_DESCRIPTION,
      inputSchema: EXECUTE_INPUT,
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    async ({ code, timeoutMs }, ctx) => {
      if (code.length > options.maxCodeLength) {
        const error = {
          code: "LIMIT_SIZE",
          message: `the code is ${code.length} characters; at most ${options.maxCodeLength} are accepted`,
          details: { length: code.length, limit: options.maxCodeLength },
        };
        return {
          isError: true,
          content: [text(`LIMIT_SIZE: ${error.message}`)],
          structuredContent: { ok: false, error },
        };
      }
      const outcome = await options.execute({ code, timeoutMs }, ctx.mcpReq.signal);
      const logs = outcome.logs.map((entry) =>
        entry.level === "log" || entry.level === "info" ? entry.text : `[${entry.level}] ${entry.text}`,
      );
      const logText = logs.length === 0 ? [] : [text(`logs:\n${logs.join("\n")}`)];
      if (outcome.ok) {
        return {
          content: [text(formatResult(outcome.result)), ...logText],
          structuredContent: {
            ok: true,
            result: outcome.result === undefined ? null : outcome.result,
            logs: outcome.logs,
            stats: outcome.stats,
          },
        };
      }
      return {
        isError: true,
        content: [text(errorText(outcome.error)), ...logText],
        structuredContent: { ok: false, error: outcome.error, logs: outcome.logs, stats: outcome.stats },
      };
    },
  );

  server.registerTool(
    "search_tools",
    {
      title: "Search the tools of the MCP servers",
      description: SEARCH_DESCRIPTION,
      inputSchema: SEARCH_INPUT,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, server: only, limit }) => {
      const state = options.state();
      const hits = state.catalog.search(query, {
        ...(only === undefined ? {} : { server: only }),
        ...(limit === undefined ? {} : { limit }),
      });
      return {
        content: [text(formatHits(hits))],
        structuredContent: { hits, servers: state.servers, total: state.catalog.size },
      };
    },
  );

  server.registerResource(
    "generated-tree",
    new ResourceTemplate(`${TREE_URI_PREFIX}{+path}`, {
      list: async () => ({
        resources: options.state().files.map((file) => ({
          uri: `${TREE_URI_PREFIX}${file.path}`,
          name: file.path,
          mimeType: mimeTypeOf(file.path),
        })),
      }),
    }),
    { title: "The generated TypeScript API, SKILL.md and REFERENCE.md", mimeType: "text/plain" },
    async (uri) => {
      const path = decodeURIComponent(uri.href.slice(TREE_URI_PREFIX.length));
      const file = options.state().files.find((candidate) => candidate.path === path);
      if (file === undefined) {
        const { ResourceNotFoundError } = await import("@modelcontextprotocol/server");
        throw new ResourceNotFoundError(uri.href);
      }
      return { contents: [{ uri: uri.href, mimeType: mimeTypeOf(path), text: file.contents }] };
    },
  );

  return server;
}

function mimeTypeOf(path: string): string {
  if (path.endsWith(".md")) return "text/markdown";
  if (path.endsWith(".ts")) return "text/x-typescript";
  if (path.endsWith(".json")) return "application/json";
  return "text/plain";
}
