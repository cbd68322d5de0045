/**
 * An established session: requests with timeouts, cancellation and progress, their answers
 * reduced to mcp-execution's types (bounded where a server could send without limit), and the
 * connection's end reported once.
 */
import {
  type ContentBlock,
  type DiagnosticListener,
  McpCliError,
  type PromptDescriptor,
  type ProtocolEra,
  type ResolvedServerConfig,
  type ResourceContent,
  type ResourceDescriptor,
  type ResourceReadResult,
  type ResourceTemplateDescriptor,
  type ServerCapabilities,
  type ServerInfo,
  type ToolAnnotations,
  type ToolDescriptor,
} from "@mcp-execution/core";
import type {
  ConnectedTransport,
  ListKind,
  Page,
  PromptResult,
  RawToolResult,
  RequestOptions,
  ServerConnection,
} from "./contract.js";
import {
  baseDetails,
  type ConnectionState,
  type Credentials,
  cancelledError,
  describeExit,
  type ErrorContext,
  stderrSuffix,
  timeoutError,
  translate,
} from "./errors.js";
import type { SdkClient, SdkModule, SdkTransport } from "./sdk.js";

/** How long close() waits for an HTTP session to be terminated (DELETE) before giving up. */
const SESSION_TERMINATE_TIMEOUT_MS = 1_000;

/** A successful handshake, handed from `connect.ts` to the {@link Connection}. */
export interface Attempt {
  readonly client: SdkClient;
  readonly transport: SdkTransport;
  readonly kind: ConnectedTransport;
  readonly state: ConnectionState;
  /** Feeds list-changed notifications to the connection once it exists. */
  readonly listChanged: { notify: (kind: ListKind) => void };
}

export async function closeQuietly(client: SdkClient, transport: SdkTransport): Promise<void> {
  try {
    await client.close();
  } catch {
    // already broken
  }
  try {
    await transport.close();
  } catch {
    // already closed
  }
}

/** Bounds on the poll interval a server may ask for, so a task is neither hammered nor forgotten. */
const TASK_POLL_MIN_MS = 100;
const TASK_POLL_MAX_MS = 5_000;

/** A Standard Schema that accepts anything, for requests the SDK has no schema for. */
const ANY_RESULT = {
  "~standard": { version: 1, vendor: "mcp-cli", validate: (value: unknown) => ({ value }) },
} as const;

interface WireToolResult {
  content?: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
}

interface WireTask {
  taskId: string;
  status: string;
  pollInterval?: number;
  statusMessage?: string;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Tool metadata kept as sent (`_meta`, `icons`, `execution`) larger than this is dropped. */
const MAX_TOOL_EXTRA_CHARS = 16_384;

interface WireTool {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema: object;
  outputSchema?: object | undefined;
  annotations?: object | undefined;
  _meta?: object | undefined;
  icons?: object[] | undefined;
  execution?: object | undefined;
}

/** A copy of `value` when its JSON is at most {@link MAX_TOOL_EXTRA_CHARS}; otherwise nothing. */
function bounded<T>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  return text.length > MAX_TOOL_EXTRA_CHARS ? undefined : (JSON.parse(text) as T);
}

function toToolDescriptor(tool: WireTool): ToolDescriptor {
  const annotations = tool.annotations as ToolAnnotations | undefined;
  const title = tool.title ?? annotations?.title;
  const meta = bounded(tool._meta as ToolDescriptor["_meta"]);
  const icons = bounded(tool.icons as ToolDescriptor["icons"]);
  const execution = bounded(tool.execution as ToolDescriptor["execution"]);
  return {
    name: tool.name,
    ...(title === undefined ? {} : { title }),
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: tool.inputSchema as ToolDescriptor["inputSchema"],
    ...(tool.outputSchema === undefined
      ? {}
      : { outputSchema: tool.outputSchema as ToolDescriptor["inputSchema"] }),
    ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
    ...(meta === undefined ? {} : { _meta: meta }),
    ...(icons === undefined ? {} : { icons }),
    ...(execution === undefined ? {} : { execution }),
  };
}

function pick<T extends object>(value: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

function page<T>(items: readonly T[], nextCursor: string | undefined): Page<T> {
  return nextCursor === undefined ? { items } : { items, nextCursor };
}

export class Connection implements ServerConnection {
  readonly server: string;
  readonly transport: ConnectedTransport;
  readonly serverInfo: ServerInfo;
  readonly protocolVersion: string;
  readonly protocolEra: ProtocolEra;
  readonly capabilities: ServerCapabilities;
  readonly instructions: string | undefined;
  readonly #sdk: SdkModule;
  readonly #client: SdkClient;
  readonly #transport: SdkTransport;
  readonly #state: ConnectionState;
  readonly #requestTimeoutMs: number;
  readonly #where: string;
  readonly #credentials: Credentials;
  readonly #diagnostics: DiagnosticListener | undefined;
  readonly #closeListeners = new Set<(error: McpCliError | undefined) => void>();
  readonly #listChangedListeners = new Set<(kind: ListKind) => void>();
  /** `execution.taskSupport` of the tools listed so far. */
  readonly #taskSupport = new Map<string, string>();
  #closing: Promise<void> | undefined;
  #lost: McpCliError | undefined;
  #ended = false;

  constructor(
    sdk: SdkModule,
    config: ResolvedServerConfig,
    attempt: Attempt,
    requestTimeoutMs: number,
    diagnostics: DiagnosticListener | undefined,
    credentials: Credentials,
    where: string,
  ) {
    this.#sdk = sdk;
    this.#client = attempt.client;
    this.#transport = attempt.transport;
    this.#state = attempt.state;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#credentials = credentials;
    this.#diagnostics = diagnostics;
    this.#where = where;
    this.server = config.name;
    this.transport = attempt.kind;
    const info = this.#client.getServerVersion();
    this.serverInfo = {
      name: info?.name ?? "",
      version: info?.version ?? "",
      ...(info?.title === undefined ? {} : { title: info.title }),
    };
    this.protocolVersion = this.#client.getNegotiatedProtocolVersion() ?? "";
    this.protocolEra = this.#client.getProtocolEra() ?? "legacy";
    this.capabilities = (this.#client.getServerCapabilities() ?? {}) as ServerCapabilities;
    this.instructions = this.#client.getInstructions();
    this.#client.onclose = () => this.#onTransportClosed();
  }

  get pid(): number | undefined {
    return this.#state.process?.pid;
  }

  get closed(): boolean {
    return this.#ended || this.#closing !== undefined;
  }

  stderrTail(): string {
    return this.#state.stderrTail();
  }

  /** Called by the SDK's list-changed handlers (see `client-capabilities.ts`). */
  notifyListChanged(kind: ListKind): void {
    this.#diagnostics?.({
      level: "debug",
      message: `the server's ${kind} list changed`,
      source: `server:${this.server}`,
    });
    for (const listener of this.#listChangedListeners) listener(kind);
  }

  #onTransportClosed(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#closing === undefined) {
      const context = this.#context("request");
      const exit = describeExit(this.#state.exit);
      this.#lost =
        this.#state.fatal !== undefined
          ? translate(this.#sdk, new Error(this.#state.fatal.message), context, this.#credentials)
          : new McpCliError(
              "CONNECTION_CLOSED",
              `${this.#where} closed the connection${exit === undefined ? "" : ` (the server ${exit})`}` +
                stderrSuffix(this.#state.stderrTail()),
              { details: baseDetails(context) },
            );
      // A lost stdio server may leave children behind: stop the whole group.
      void this.#transport.close().catch(() => {});
    }
    for (const listener of this.#closeListeners) listener(this.#lost);
    this.#closeListeners.clear();
  }

  #context(phase: "request", method?: string, tool?: string, timeoutMs?: number): ErrorContext {
    return {
      server: this.server,
      phase,
      where: this.#where,
      state: this.#state,
      ...(method === undefined ? {} : { method }),
      ...(tool === undefined ? {} : { tool }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
  }

  #closedError(method: string, tool?: string): McpCliError {
    if (this.#lost !== undefined) {
      return new McpCliError(this.#lost.code, this.#lost.message, {
        cause: this.#lost,
        details: { ...this.#lost.details, method, ...(tool === undefined ? {} : { tool }) },
      });
    }
    return new McpCliError("CONNECTION_CLOSED", `${this.#where}: the connection is closed`, {
      details: { server: this.server, method, ...(tool === undefined ? {} : { tool }) },
    });
  }

  async #request<T>(
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions | undefined,
    tool?: string,
    loose = false,
  ): Promise<T> {
    if (this.closed) throw this.#closedError(method, tool);
    const timeoutMs = options?.timeoutMs ?? this.#requestTimeoutMs;
    const signal = options?.signal;
    // The caller's signal goes to the SDK as it is: v2 removes its abort listener when the request
    // settles (v1 did not, which needed a request-scoped controller here).
    if (signal?.aborted) throw cancelledError(this.#context("request", method, tool), signal.reason);
    const onProgress = options?.onProgress;
    try {
      const request = params === undefined ? { method } : { method, params };
      const requestOptions = {
        timeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
        ...(onProgress === undefined
          ? {}
          : {
              onprogress: (progress: {
                progress: number;
                total?: number | undefined;
                message?: string | undefined;
              }) =>
                onProgress({
                  progress: progress.progress,
                  ...(progress.total === undefined ? {} : { total: progress.total }),
                  ...(progress.message === undefined ? {} : { message: progress.message }),
                }),
              // A tool that reports progress is alive: the timeout measures silence.
              resetTimeoutOnProgress: true,
            }),
      };
      // The SDK's typed surface has no task methods (2025-11-25 `tasks/*`); their answers are
      // checked by the caller instead.
      if (loose) return (await this.#client.request(request as never, ANY_RESULT, requestOptions)) as T;
      return (await this.#client.request(request as never, requestOptions)) as T;
    } catch (error) {
      const context = this.#context("request", method, tool, timeoutMs);
      if (signal?.aborted) throw cancelledError(context, signal.reason);
      if (this.#lost !== undefined) throw this.#closedError(method, tool);
      throw translate(this.#sdk, error, context, this.#credentials);
    }
  }

  async listTools(cursor?: string, options?: RequestOptions): Promise<Page<ToolDescriptor>> {
    // Checked here rather than by the SDK's schema: its validator recurses through each input
    // schema and overflows the stack on a hostile, deeply nested one, before our own depth limit
    // (schema-refs.ts) can refuse it with LIMIT_SIZE.
    const raw = await this.#request<unknown>(
      "tools/list",
      cursor === undefined ? undefined : { cursor },
      options,
      undefined,
      true,
    );
    const result = this.#checkToolList(raw);
    for (const tool of result.tools) {
      const support = (tool.execution as { taskSupport?: unknown } | undefined)?.taskSupport;
      if (typeof support === "string") this.#taskSupport.set(tool.name, support);
    }
    return page(result.tools.map(toToolDescriptor), result.nextCursor);
  }

  #checkToolList(raw: unknown): { tools: WireTool[]; nextCursor?: string } {
    const result = raw as { tools?: unknown; nextCursor?: unknown } | null;
    const problem =
      typeof result !== "object" || result === null || !Array.isArray(result.tools)
        ? "no tools array"
        : result.nextCursor !== undefined && typeof result.nextCursor !== "string"
          ? "a nextCursor that is not a string"
          : result.tools.some(
                (tool: unknown) =>
                  typeof tool !== "object" ||
                  tool === null ||
                  typeof (tool as WireTool).name !== "string" ||
                  typeof (tool as WireTool).inputSchema !== "object" ||
                  (tool as WireTool).inputSchema === null,
              )
            ? "a tool without a string name and an object inputSchema"
            : undefined;
    if (problem !== undefined) {
      throw new McpCliError(
        "PROTOCOL_ERROR",
        `${this.#where} sent an answer to tools/list that does not follow the MCP schema: ${problem}`,
        { details: { server: this.server, method: "tools/list" } },
      );
    }
    return result as { tools: WireTool[]; nextCursor?: string };
  }

  /** A tool the server runs only as a task, on a server that offers task-augmented calls. */
  #needsTask(name: string): boolean {
    const tasks = this.capabilities.tasks as { requests?: { tools?: { call?: unknown } } } | undefined;
    return this.#taskSupport.get(name) === "required" && tasks?.requests?.tools?.call !== undefined;
  }

  /**
   * A task-augmented `tools/call` (MCP 2025-11-25): create the task, poll `tasks/get` at the
   * server's interval (bounded) until it ends, then fetch `tasks/result`; all within the request
   * timeout, which then covers the whole task. Status messages reach `onProgress`. On timeout or
   * cancellation the task is cancelled on the server.
   */
  async #callAsTask(
    name: string,
    args: Readonly<Record<string, unknown>>,
    options?: RequestOptions,
  ): Promise<WireToolResult> {
    const timeoutMs = options?.timeoutMs ?? this.#requestTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    const stepOptions = (): RequestOptions => ({
      ...(options?.signal === undefined ? {} : { signal: options.signal }),
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
    });
    const created = await this.#request<{ task?: WireTask }>(
      "tools/call",
      { name, arguments: args, task: { ttl: timeoutMs } },
      stepOptions(),
      name,
      true,
    );
    const taskId = created.task?.taskId;
    if (typeof taskId !== "string") return created as WireToolResult;
    let task: WireTask = created.task as WireTask;
    try {
      for (let polls = 1; task.status === "working" || task.status === "input_required"; polls++) {
        const wait = Math.min(Math.max(Number(task.pollInterval) || 500, TASK_POLL_MIN_MS), TASK_POLL_MAX_MS);
        if (performance.now() + wait > deadline) {
          throw timeoutError(this.#context("request", "tools/call", name, timeoutMs), undefined);
        }
        await delay(wait, options?.signal);
        if (options?.signal?.aborted)
          throw cancelledError(this.#context("request", "tools/call", name), options.signal.reason);
        task = await this.#request<WireTask>("tasks/get", { taskId }, stepOptions(), name, true);
        if (typeof task.statusMessage === "string") {
          options?.onProgress?.({ progress: polls, message: task.statusMessage.slice(0, 500) });
        }
      }
    } catch (error) {
      // Best effort: the server should not keep working for nobody.
      void this.#request("tasks/cancel", { taskId }, { timeoutMs: 1_000 }, name, true).catch(() => {});
      throw error;
    }
    if (task.status === "cancelled") {
      throw new McpCliError("TOOL_ERROR", `${this.#where}, tool "${name}": the server cancelled the task`, {
        details: { server: this.server, tool: name, taskId },
      });
    }
    return this.#request<WireToolResult>("tasks/result", { taskId }, stepOptions(), name, true);
  }

  async listResources(cursor?: string, options?: RequestOptions): Promise<Page<ResourceDescriptor>> {
    const result = await this.#request<{ resources: ResourceDescriptor[]; nextCursor?: string }>(
      "resources/list",
      cursor === undefined ? undefined : { cursor },
      options,
    );
    return page(
      result.resources.map((resource) => pick(resource, ["uri", "name", "title", "description", "mimeType"])),
      result.nextCursor,
    ) as Page<ResourceDescriptor>;
  }

  async listResourceTemplates(
    cursor?: string,
    options?: RequestOptions,
  ): Promise<Page<ResourceTemplateDescriptor>> {
    const result = await this.#request<{
      resourceTemplates: ResourceTemplateDescriptor[];
      nextCursor?: string;
    }>("resources/templates/list", cursor === undefined ? undefined : { cursor }, options);
    return page(
      result.resourceTemplates.map((template) =>
        pick(template, ["uriTemplate", "name", "title", "description", "mimeType"]),
      ),
      result.nextCursor,
    ) as Page<ResourceTemplateDescriptor>;
  }

  async listPrompts(cursor?: string, options?: RequestOptions): Promise<Page<PromptDescriptor>> {
    const result = await this.#request<{ prompts: PromptDescriptor[]; nextCursor?: string }>(
      "prompts/list",
      cursor === undefined ? undefined : { cursor },
      options,
    );
    return page(
      result.prompts.map((prompt) => {
        const out = pick(prompt, ["name", "title", "description"]) as PromptDescriptor;
        if (prompt.arguments === undefined) return out;
        return {
          ...out,
          arguments: prompt.arguments.map((argument) => pick(argument, ["name", "description", "required"])),
        } as PromptDescriptor;
      }),
      result.nextCursor,
    );
  }

  async callTool(
    name: string,
    args: Readonly<Record<string, unknown>>,
    options?: RequestOptions,
  ): Promise<RawToolResult> {
    const result = this.#needsTask(name)
      ? await this.#callAsTask(name, args, options)
      : await this.#request<WireToolResult>("tools/call", { name, arguments: args }, options, name);
    const content = Array.isArray(result.content) ? result.content : [];
    return result.structuredContent === undefined
      ? { content, isError: result.isError === true }
      : { content, structuredContent: result.structuredContent, isError: result.isError === true };
  }

  async readResource(uri: string, options?: RequestOptions): Promise<ResourceReadResult> {
    const result = await this.#request<{ contents: ResourceContent[] }>("resources/read", { uri }, options);
    return {
      contents: result.contents.map(
        (item) => pick(item, ["uri", "mimeType", "text", "blob"]) as ResourceContent,
      ),
    };
  }

  async getPrompt(
    name: string,
    args: Readonly<Record<string, string>>,
    options?: RequestOptions,
  ): Promise<PromptResult> {
    const result = await this.#request<PromptResult>(
      "prompts/get",
      { name, arguments: { ...args } },
      options,
    );
    return {
      ...(result.description === undefined ? {} : { description: result.description }),
      messages: result.messages.map((message) => ({ role: message.role, content: message.content })),
    };
  }

  onClose(listener: (error: McpCliError | undefined) => void): () => void {
    if (this.#ended) {
      listener(this.#lost);
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  onToolsChanged(listener: () => void): () => void {
    return this.onListChanged((kind) => {
      if (kind === "tools") listener();
    });
  }

  onListChanged(listener: (kind: ListKind) => void): () => void {
    // A fresh wrapper per registration, so registering the same function twice works twice.
    const registered = (kind: ListKind): void => listener(kind);
    this.#listChangedListeners.add(registered);
    return () => this.#listChangedListeners.delete(registered);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const transport = this.#transport as SdkTransport & { terminateSession?: () => Promise<void> };
    if (!this.#ended && typeof transport.terminateSession === "function") {
      // Tell a Streamable HTTP server the session is over, without letting a slow server hold us.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        transport.terminateSession().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SESSION_TERMINATE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    await closeQuietly(this.#client, this.#transport);
    this.#onTransportClosed();
    this.#listChangedListeners.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
