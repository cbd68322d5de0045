/**
 * What this client declares to servers and how it answers their requests (ADR-009):
 * elicitation in form mode (the caller's handler, otherwise a logged decline), roots (only the
 * ones the caller passes), sampling declared and every request declined with a warning. List-changed
 * notifications are subscribed for all three lists on both protocol eras.
 */
import type { DiagnosticListener } from "@mcp-execution/core";
import type { ConnectOptions, ElicitationAnswer, ListKind } from "./contract.js";
import type { SdkClient, SdkModule } from "./sdk.js";

/** JSON-RPC error code for a sampling request the client rejects (the MCP specification's example). */
const SAMPLING_DECLINED = -1;

/** Longest elicitation message shown to a person; servers are not trusted to be brief. */
const MAX_ELICITATION_MESSAGE_CHARS = 2_000;

type ClientCapabilities = NonNullable<
  ConstructorParameters<typeof import("@modelcontextprotocol/client").Client>[1]
>["capabilities"];

export function declaredCapabilities(options: ConnectOptions): NonNullable<ClientCapabilities> {
  return {
    elicitation: { form: {} },
    // Declared so servers can tell "this client says no" from "this client cannot": every
    // request is declined (mcp-cli has no model to offer).
    sampling: {},
    ...(options.roots === undefined ? {} : { roots: { listChanged: false } }),
  };
}

/** The SDK's `listChanged` option: notify, never refetch (the caller decides when to relist). */
export function listChangedHandlers(notify: (kind: ListKind) => void): {
  tools: { autoRefresh: false; debounceMs: 0; onChanged: () => void };
  prompts: { autoRefresh: false; debounceMs: 0; onChanged: () => void };
  resources: { autoRefresh: false; debounceMs: 0; onChanged: () => void };
} {
  const handler = (kind: ListKind) => ({
    autoRefresh: false as const,
    debounceMs: 0 as const,
    onChanged: () => notify(kind),
  });
  return { tools: handler("tools"), prompts: handler("prompts"), resources: handler("resources") };
}

type ElicitedValue = string | number | boolean | string[];

/**
 * The accepted content with the schema's `default` filled in for every field the answer left out
 * (SEP-1034: a person who skips a field with a default accepts the default).
 */
function withDefaults(
  schema: { readonly [key: string]: unknown },
  content: { readonly [key: string]: ElicitedValue },
): { [key: string]: ElicitedValue } {
  const filled: { [key: string]: ElicitedValue } = { ...content };
  const properties = schema.properties;
  if (typeof properties !== "object" || properties === null) return filled;
  for (const [name, property] of Object.entries(properties as Record<string, { default?: unknown }>)) {
    if (Object.hasOwn(filled, name) || typeof property !== "object" || property === null) continue;
    const fallback = property.default;
    if (typeof fallback === "string" || typeof fallback === "number" || typeof fallback === "boolean") {
      filled[name] = fallback;
    } else if (Array.isArray(fallback) && fallback.every((item) => typeof item === "string")) {
      filled[name] = [...fallback];
    }
  }
  return filled;
}

/** Registers the request handlers for the declared capabilities. */
export function handleClientRequests(
  sdk: SdkModule,
  client: SdkClient,
  server: string,
  options: ConnectOptions,
  diagnostics: DiagnosticListener | undefined,
): void {
  const source = `server:${server}`;
  client.setRequestHandler("elicitation/create", async (request): Promise<ElicitationAnswer> => {
    const params = request.params as { mode?: string; message?: unknown; requestedSchema?: unknown };
    const message =
      typeof params.message === "string" ? params.message.slice(0, MAX_ELICITATION_MESSAGE_CHARS) : "";
    if (params.mode !== undefined && params.mode !== "form") {
      diagnostics?.({ level: "warn", message: `declined a ${params.mode}-mode elicitation request`, source });
      return { action: "decline" };
    }
    const handler = options.elicitation;
    if (handler === undefined) {
      diagnostics?.({
        level: "warn",
        message: `declined the server's request for input (nobody to ask in this run): ${JSON.stringify(message)}`,
        source,
      });
      return { action: "decline" };
    }
    const requestedSchema = (params.requestedSchema ?? {}) as { readonly [key: string]: unknown };
    const answer = await handler({ server, message, requestedSchema });
    return answer.action === "accept"
      ? { action: "accept", content: withDefaults(requestedSchema, answer.content) }
      : answer;
  });
  if (options.roots !== undefined) {
    const roots = options.roots.map((root) => ({ ...root }));
    client.setRequestHandler("roots/list", () => ({ roots }));
  }
  client.setRequestHandler("sampling/createMessage", () => {
    diagnostics?.({
      level: "warn",
      message: "declined the server's request for a model completion (sampling)",
      source,
    });
    // -1: the code the MCP specification suggests for a request the user rejected.
    throw new sdk.ProtocolError(SAMPLING_DECLINED, "mcp-cli declines sampling: it has no model to offer");
  });
}
