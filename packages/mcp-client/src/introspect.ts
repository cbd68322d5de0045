/**
 * Describing a connected server as a {@link ServerManifest}: every page of tools, resources,
 * resource templates and prompts, schemas with local `$ref`s resolved, and a tool fingerprint.
 */
import {
  type DiagnosticListener,
  McpCliError,
  type PromptDescriptor,
  type ResourceDescriptor,
  type ResourceTemplateDescriptor,
  type ServerManifest,
  type ToolDescriptor,
} from "@mcp-execution/core";
import type { Page, RequestOptions, ServerConnection } from "./connection/contract.js";
import { computeFingerprint } from "./fingerprint.js";
import { DEFAULT_LISTING_LIMITS, ListingBudget, type ListingLimits } from "./listing-budget.js";
import { type ExpansionBudget, type ResolveRefsOptions, resolveLocalRefs } from "./schema-refs.js";

/** A server that keeps handing out cursors is broken; stop following them after this many pages. */
export const MAX_PAGES = DEFAULT_LISTING_LIMITS.maxPages;
/** What `$ref` expansion may add to all tool schemas of one server together. */
export const DEFAULT_MAX_MANIFEST_EXPANSION_BYTES = 8 * 1024 * 1024;

export interface IntrospectOptions extends RequestOptions, ResolveRefsOptions {
  /** Warnings about parts of the server that could not be listed (resources, prompts). */
  readonly diagnostics?: DiagnosticListener;
  /** What each listing may cost in total (defaults: {@link DEFAULT_LISTING_LIMITS}). */
  readonly listing?: Partial<ListingLimits>;
}

/**
 * Follows `nextCursor` until the last page. Errors: whatever the request rejects with,
 * `PROTOCOL_ERROR` when a cursor repeats, and `LIMIT_SIZE` when the listing passes one of
 * `limits` (pages, items, bytes; see {@link ListingBudget}).
 */
export async function listAll<T>(
  server: string,
  method: string,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  limits: Partial<ListingLimits> = {},
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  const budget = new ListingBudget(server, method, limits);
  let cursor: string | undefined;
  for (;;) {
    budget.beforePage();
    const page = await fetchPage(cursor);
    budget.charge(page.items, page.nextCursor);
    for (const item of page.items) items.push(item);
    if (page.nextCursor === undefined) return items;
    if (seen.has(page.nextCursor)) {
      throw new McpCliError(
        "PROTOCOL_ERROR",
        `server "${server}" returned the same ${method} cursor twice (${JSON.stringify(page.nextCursor)})`,
        { details: { server, method, cursor: page.nextCursor } },
      );
    }
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

/**
 * Every tool of the server, schemas resolved. Errors: those of `tools/list`, and
 * `PROTOCOL_ERROR` when two tools share a name.
 */
export async function listAllTools(
  connection: ServerConnection,
  options: IntrospectOptions = {},
): Promise<ToolDescriptor[]> {
  const requestOptions = requestOptionsOf(options);
  const raw = await listAll(
    connection.server,
    "tools/list",
    (cursor) => connection.listTools(cursor, requestOptions),
    options.listing,
  );
  const names = new Set<string>();
  const budget: ExpansionBudget = options.budget ?? { remainingBytes: DEFAULT_MAX_MANIFEST_EXPANSION_BYTES };
  const resolve = (
    tool: ToolDescriptor,
    which: "inputSchema" | "outputSchema",
    schema: ToolDescriptor["inputSchema"],
  ) => {
    try {
      return resolveLocalRefs(schema, { ...options, budget });
    } catch (error) {
      if (!(error instanceof McpCliError)) throw error;
      throw new McpCliError(
        error.code,
        `server "${connection.server}", tool ${JSON.stringify(tool.name)}: ${which}: ${error.message}`,
        {
          cause: error,
          details: { ...error.details, server: connection.server, tool: tool.name },
        },
      );
    }
  };
  return raw.map((tool) => {
    if (names.has(tool.name)) {
      throw new McpCliError(
        "PROTOCOL_ERROR",
        `server "${connection.server}" lists two tools named ${JSON.stringify(tool.name)}`,
        { details: { server: connection.server, tool: tool.name } },
      );
    }
    names.add(tool.name);
    return {
      ...tool,
      inputSchema: resolve(tool, "inputSchema", tool.inputSchema),
      ...(tool.outputSchema === undefined
        ? {}
        : { outputSchema: resolve(tool, "outputSchema", tool.outputSchema) }),
    };
  });
}

const METHOD_NOT_FOUND = -32601;

function rpcCodeOf(error: unknown): unknown {
  return error instanceof McpCliError
    ? (error.details as { rpcCode?: unknown } | undefined)?.rpcCode
    : undefined;
}

/**
 * The manifest of a connected server. Resources, resource templates and prompts are listed only
 * when the server announces the capability; a failure there is reported to `diagnostics` as a
 * warning and the list left out, because the tools are what the rest of mcp-cli needs. A failure
 * to list tools rejects (`TIMEOUT`, `CONNECTION_CLOSED`, `PROTOCOL_ERROR`, ...).
 */
export async function introspect(
  connection: ServerConnection,
  options: IntrospectOptions = {},
): Promise<ServerManifest> {
  const requestOptions = requestOptionsOf(options);
  const capabilities = connection.capabilities;
  const tools = capabilities.tools === undefined ? [] : await listAllTools(connection, options);
  const optional = async <T>(
    capability: string,
    method: string,
    fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  ): Promise<T[] | undefined> => {
    if (capabilities[capability] === undefined) return undefined;
    try {
      return await listAll(connection.server, method, fetchPage, options.listing);
    } catch (error) {
      if (
        error instanceof McpCliError &&
        (error.code === "CANCELLED" || error.code === "CONNECTION_CLOSED")
      ) {
        throw error;
      }
      // Many servers with resources implement no templates: "method not found" (-32601) there is
      // an answer, not a failure worth a warning.
      if (method === "resources/templates/list" && rpcCodeOf(error) === METHOD_NOT_FOUND) return [];
      options.diagnostics?.({
        level: "warn",
        message: `could not list ${method.split("/")[0]} of server "${connection.server}": ${(error as Error).message}`,
        source: `server:${connection.server}`,
      });
      return undefined;
    }
  };
  const resources = await optional<ResourceDescriptor>("resources", "resources/list", (cursor) =>
    connection.listResources(cursor, requestOptions),
  );
  const resourceTemplates = await optional<ResourceTemplateDescriptor>(
    "resources",
    "resources/templates/list",
    (cursor) => connection.listResourceTemplates(cursor, requestOptions),
  );
  const prompts = await optional<PromptDescriptor>("prompts", "prompts/list", (cursor) =>
    connection.listPrompts(cursor, requestOptions),
  );
  return {
    server: connection.server,
    serverInfo: connection.serverInfo,
    protocolVersion: connection.protocolVersion,
    protocolEra: connection.protocolEra,
    capabilities,
    ...(connection.instructions === undefined ? {} : { instructions: connection.instructions }),
    tools,
    ...(resources === undefined ? {} : { resources }),
    ...(resourceTemplates === undefined ? {} : { resourceTemplates }),
    ...(prompts === undefined ? {} : { prompts }),
    fingerprint: await computeFingerprint(tools),
  };
}

function requestOptionsOf(options: IntrospectOptions): RequestOptions {
  return {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}
