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
import { type ResolveRefsOptions, resolveLocalRefs } from "./schema-refs.js";

/** A server that keeps handing out cursors is broken; stop following them after this many pages. */
export const MAX_PAGES = 1_000;

export interface IntrospectOptions extends RequestOptions, ResolveRefsOptions {
  /** Warnings about parts of the server that could not be listed (resources, prompts). */
  readonly diagnostics?: DiagnosticListener;
}

/**
 * Follows `nextCursor` until the last page. Errors: whatever the request rejects with, and
 * `PROTOCOL_ERROR` when a cursor repeats or there are more than {@link MAX_PAGES} pages.
 */
export async function listAll<T>(
  server: string,
  method: string,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= MAX_PAGES) {
      throw new McpCliError(
        "PROTOCOL_ERROR",
        `server "${server}" returned more than ${MAX_PAGES} pages for ${method}`,
        {
          details: { server, method },
        },
      );
    }
    const page = await fetchPage(cursor);
    items.push(...page.items);
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
  const raw = await listAll(connection.server, "tools/list", (cursor) =>
    connection.listTools(cursor, requestOptions),
  );
  const names = new Set<string>();
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
      inputSchema: resolveLocalRefs(tool.inputSchema, options),
      ...(tool.outputSchema === undefined
        ? {}
        : { outputSchema: resolveLocalRefs(tool.outputSchema, options) }),
    };
  });
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
      return await listAll(connection.server, method, fetchPage);
    } catch (error) {
      if (
        error instanceof McpCliError &&
        (error.code === "CANCELLED" || error.code === "CONNECTION_CLOSED")
      ) {
        throw error;
      }
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
