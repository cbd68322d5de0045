/**
 * The tool bridge: routes `callTool(server, tool, args)` from guest code to MCP servers, with
 * lazily opened shared connections, argument validation, size limits, rate limits, a cache for
 * read-only tools, cancellation and counters. See docs/bridge.md and ADR-003.
 */
import { setMaxListeners } from "node:events";
import {
  applyToolPolicy,
  type CacheProvider,
  type ContentBlock,
  closestName,
  type DiagnosticListener,
  disposedError,
  McpCliError,
  type ResolvedServerConfig,
  type ResourceReadResult,
  type ServerManifest,
  type ToolBridge,
  type ToolCallOptions,
  type ToolCallResult,
  type ToolDescriptor,
  toMcpCliError,
  toolDenial,
  toolDeniedError,
} from "@mcp-execution/core";
import {
  type ConnectOptions,
  connectServer,
  type IntrospectOptions,
  introspect,
  listAllTools,
  type ServerConnection,
} from "@mcp-execution/mcp-client";
import { type CachedToolResult, type CacheOptions, cacheKey, createMemoryCache } from "./cache.js";
import { firstText, resultValue } from "./normalize.js";
import { acquireTokens, type LimitedBucket } from "./rate-limit.js";
import { withSchemaDefaults } from "./schema-defaults.js";
import { ServerSlot, type ToolEntry } from "./server-slot.js";
import { type BridgeStats, CallCounters } from "./stats.js";
import { invalidArgumentsError, invalidResultError, validationProblems } from "./validation.js";

export const DEFAULT_MAX_ARGUMENT_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RESULT_BYTES = 16 * 1024 * 1024;
export const DEFAULT_RATE_LIMIT_MAX_WAIT_MS = 10_000;

export interface BridgeLimits {
  /** Tool calls the bridge accepts in its lifetime; the next one fails with `LIMIT_CALLS`. */
  readonly maxCalls?: number;
  /** Bytes of JSON-serialized arguments per call (`LIMIT_SIZE`). Default 1 MiB. */
  readonly maxArgumentBytes?: number;
  /** Bytes of JSON-serialized result (content plus structured content) per call. Default 16 MiB. */
  readonly maxResultBytes?: number;
}

export interface RateLimitOptions {
  /**
   * How long a call may wait for its rate limit before it fails with `LIMIT_RATE` instead. 0 fails
   * at once whenever the limit is reached. Default 10 s.
   */
  readonly maxWaitMs?: number;
  /** Per-tool limits in calls per second: `{ server: { tool: rate } }`, on top of the server's `rateLimit`. */
  readonly tools?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface BridgeOptions {
  /** The servers guest code may call (already expanded). Any other name is `SERVER_UNKNOWN`. */
  readonly servers: readonly ResolvedServerConfig[];
  /**
   * Known manifests (for example from a skill). A server with a manifest is validated against it
   * without listing its tools; one without is listed on first use.
   */
  readonly manifests?: readonly ServerManifest[];
  readonly limits?: BridgeLimits;
  /** Cache options, your own store, or `false` for no caching. Default: an in-memory LRU. */
  readonly cache?: CacheOptions | CacheProvider<CachedToolResult> | false;
  readonly rateLimits?: RateLimitOptions;
  /** How connections are opened: host environment, cwd, timeouts (see the MCP client (mcp-client)). */
  readonly connect?: Omit<ConnectOptions, "signal" | "diagnostics">;
  /** Server stderr, ignored stdout lines, reconnects. */
  readonly diagnostics?: DiagnosticListener;
  /**
   * A server announced that its tool list changed. The bridge lists it again on next use by
   * itself; long-lived owners (`serve`) use this to regenerate what they derived from it.
   */
  readonly onToolsChanged?: (server: string) => void;
  /**
   * OAuth providers by server name (remote servers with a stored login): each connection of that
   * server authenticates through it, so tokens are renewed before expiry and on a 401, and a
   * refused renewal is `AUTH_REQUIRED`, for as long as the bridge lives.
   */
  readonly authProviders?: ReadonlyMap<string, NonNullable<ConnectOptions["authProvider"]>>;
}

export interface ScopeOptions {
  /** Calls this scope accepts; the next one fails with `LIMIT_CALLS`. */
  readonly maxCalls?: number;
  /** Aborting cancels every call of the scope in flight and fails later ones with `CANCELLED`. */
  readonly signal?: AbortSignal;
}

/**
 * A view of a bridge for one execution: it counts and caps its own calls and cancels its own calls
 * in flight when closed, while sharing the bridge's connections, cache and rate limits. Closing a
 * scope never closes connections.
 */
export interface ScopedToolBridge extends ToolBridge {
  /** Calls made through this scope so far. */
  readonly calls: number;
}

/**
 * A {@link ToolBridge} with per-execution scopes, counters and tool lookup. The owner closes it,
 * which cancels calls in flight and closes every connection it opened.
 */
export interface Bridge extends ToolBridge {
  scope(options?: ScopeOptions): ScopedToolBridge;
  stats(): BridgeStats;
  /** The tools of an allowed server (listing them when no manifest was given). */
  tools(server: string): Promise<readonly ToolDescriptor[]>;
  /**
   * The full manifest of an allowed server, introspected over the bridge's own connection (opened
   * if needed and kept for the calls that follow), so generating code for a live server and then
   * calling its tools costs one connection, not two. Errors: those of connecting and of
   * `introspect`, `SERVER_UNKNOWN`, `DISPOSED`.
   */
  introspect(server: string, options?: IntrospectOptions): Promise<ServerManifest>;
  readResource(server: string, uri: string, options?: ToolCallOptions): Promise<ResourceReadResult>;
}

/**
 * Per-scope state passed along each call. Cancellation is one controller per scope (and one for
 * the bridge), not one per call: a signal costs microseconds, and the connection links each
 * request to it anyway.
 */
interface CallScope {
  readonly maxCalls: number;
  calls: number;
  /** Aborted when the scope closes, its signal aborts, or the bridge closes. */
  readonly controller: AbortController;
  closed: boolean;
}

function isCacheProvider(value: unknown): value is CacheProvider<CachedToolResult> {
  return (
    typeof value === "object" && value !== null && typeof (value as { get?: unknown }).get === "function"
  );
}

/** Adds server and tool to an error's details when it lacks them, so guest code can see both. */
function withCallDetails(error: unknown, server: string, tool: string): McpCliError {
  const coded = toMcpCliError(error);
  const details = coded.details ?? {};
  if (details.server === server && details.tool === tool) return coded;
  return new McpCliError(coded.code, coded.message, {
    cause: coded.cause ?? coded,
    details: { ...details, server, tool },
  });
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 40).join(", ");
  return names.length > 40 ? `${shown}, ... (${names.length} in all)` : shown;
}

function suggestion(name: string, candidates: readonly string[]): string {
  const best = closestName(name, candidates);
  return best === undefined ? "" : ` Did you mean "${best}"?`;
}

/**
 * A controller whose signal is shared by every call in flight: each request adds an abort listener
 * and removes it when it settles, so hundreds of concurrent calls are normal, not a leak. Without
 * lifting Node's default of 10, a `Promise.all` of 11 calls printed MaxListenersExceededWarning.
 */
function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** A signal that aborts when either input does; `release` unlinks it once the call is over. */
function linkSignals(first: AbortSignal, second: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onFirst = (): void => controller.abort(first.reason);
  const onSecond = (): void => controller.abort(second.reason);
  first.addEventListener("abort", onFirst, { once: true });
  second.addEventListener("abort", onSecond, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      first.removeEventListener("abort", onFirst);
      second.removeEventListener("abort", onSecond);
    },
  };
}

/**
 * Waits for `promise` unless `signal` aborts first (`CANCELLED`). The promise itself goes on: it is
 * shared (a connection attempt other calls wait for too).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, label: string): Promise<T> {
  const cancelled = () =>
    new McpCliError("CANCELLED", `${label}: the call was cancelled`, { cause: signal.reason });
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Rejects what JSON would silently change: NaN and Infinity would arrive as null. */
function finiteNumbers(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`${value} is not a JSON number`);
  }
  return value;
}

function argumentJsonBytes(args: unknown): number {
  return Buffer.byteLength(JSON.stringify(args, finiteNumbers), "utf8");
}

function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : Buffer.byteLength(json, "utf8");
}

/**
 * The per-tool rate limits as maps, read with own-key checks: a tool called `constructor` or
 * `__proto__` must find its own limit (or none), never a member of Object.prototype.
 */
function toolRateLimitTable(tools: RateLimitOptions["tools"]): Map<string, ReadonlyMap<string, number>> {
  const table = new Map<string, ReadonlyMap<string, number>>();
  if (tools === undefined) return table;
  for (const [server, rates] of Object.entries(tools)) {
    if (typeof rates === "object" && rates !== null) table.set(server, new Map(Object.entries(rates)));
  }
  return table;
}

class ToolBridgeImpl implements Bridge {
  readonly #slots = new Map<string, ServerSlot>();
  readonly #names: readonly string[];
  readonly #counters = new CallCounters();
  readonly #cache: CacheProvider<CachedToolResult> | undefined;
  readonly #ownsCache: boolean;
  readonly #maxCalls: number;
  readonly #maxArgumentBytes: number;
  readonly #maxResultBytes: number;
  readonly #maxRateWaitMs: number;
  readonly #diagnostics: DiagnosticListener | undefined;
  /** Aborted on close: cancels every call in flight. */
  readonly #closeController = sharedAbortController();
  readonly #scopes = new Set<CallScope>();
  readonly #warnedSchemas = new Set<string>();
  #calls = 0;
  #closing: Promise<void> | undefined;

  constructor(options: BridgeOptions) {
    this.#diagnostics = options.diagnostics;
    this.#maxCalls = options.limits?.maxCalls ?? Number.POSITIVE_INFINITY;
    this.#maxArgumentBytes = options.limits?.maxArgumentBytes ?? DEFAULT_MAX_ARGUMENT_BYTES;
    this.#maxResultBytes = options.limits?.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.#maxRateWaitMs = options.rateLimits?.maxWaitMs ?? DEFAULT_RATE_LIMIT_MAX_WAIT_MS;
    if (options.cache === false) {
      this.#cache = undefined;
      this.#ownsCache = false;
    } else if (isCacheProvider(options.cache)) {
      this.#cache = options.cache;
      this.#ownsCache = false;
    } else {
      this.#cache = createMemoryCache(options.cache ?? {});
      this.#ownsCache = true;
    }
    const manifests = new Map((options.manifests ?? []).map((manifest) => [manifest.server, manifest]));
    const toolRates = toolRateLimitTable(options.rateLimits?.tools);
    const connectOptions: ConnectOptions = {
      ...options.connect,
      ...(options.diagnostics === undefined ? {} : { diagnostics: options.diagnostics }),
    };
    for (const config of options.servers) {
      if (this.#slots.has(config.name)) {
        throw new McpCliError("USAGE", `server "${config.name}" is listed twice for the bridge`, {
          details: { server: config.name },
        });
      }
      this.#slots.set(
        config.name,
        new ServerSlot({
          config,
          manifest: manifests.get(config.name),
          toolRateLimits: toolRates.get(config.name) ?? new Map(),
          connect: (server) => {
            const authProvider = options.authProviders?.get(config.name);
            return connectServer(
              server,
              authProvider === undefined ? connectOptions : { ...connectOptions, authProvider },
            );
          },
          listTools: (connection) => listAllTools(connection),
          diagnostics: options.diagnostics,
          onToolsChanged:
            options.onToolsChanged === undefined ? undefined : () => options.onToolsChanged?.(config.name),
        }),
      );
    }
    this.#names = [...this.#slots.keys()];
  }

  servers(): readonly string[] {
    return this.#names;
  }

  callTool(
    server: string,
    tool: string,
    args: Readonly<Record<string, unknown>>,
    options?: ToolCallOptions,
  ): Promise<ToolCallResult> {
    return this.#call(server, tool, args, options, undefined);
  }

  scope(options: ScopeOptions = {}): ScopedToolBridge {
    if (this.#closing !== undefined) throw disposedError("tool bridge");
    const state: CallScope = {
      maxCalls: options.maxCalls ?? Number.POSITIVE_INFINITY,
      calls: 0,
      controller: sharedAbortController(),
      closed: false,
    };
    const external = options.signal;
    const onExternalAbort = (): void => state.controller.abort(external?.reason);
    if (external?.aborted) onExternalAbort();
    else external?.addEventListener("abort", onExternalAbort, { once: true });
    this.#scopes.add(state);
    const close = async (): Promise<void> => {
      if (state.closed) return;
      state.closed = true;
      this.#scopes.delete(state);
      external?.removeEventListener("abort", onExternalAbort);
      state.controller.abort(
        new McpCliError("CANCELLED", "the execution ended while the tool call was in flight"),
      );
    };
    return {
      get calls() {
        return state.calls;
      },
      callTool: (server, tool, args, callOptions) => this.#call(server, tool, args, callOptions, state),
      readResource: (server, uri, readOptions) =>
        this.readResource(server, uri, {
          ...readOptions,
          signal: linkedSignal(state.controller.signal, readOptions),
        }),
      servers: () => this.#names,
      close,
      [Symbol.asyncDispose]: close,
    };
  }

  async tools(server: string): Promise<readonly ToolDescriptor[]> {
    if (this.#closing !== undefined) throw disposedError("tool bridge");
    const slot = this.#slot(server);
    return [...(await slot.tools()).values()].map((entry) => entry.descriptor);
  }

  async introspect(server: string, options: IntrospectOptions = {}): Promise<ServerManifest> {
    if (this.#closing !== undefined) throw disposedError("tool bridge");
    const slot = this.#slot(server);
    const manifest = await slot.introspect((connection) => introspect(connection, options));
    // Code generated from this manifest must not offer tools the configuration denies.
    return applyToolPolicy(manifest, slot.config);
  }

  stats(): BridgeStats {
    // fromEntries defines own properties, so no server name can reach the prototype.
    const servers = Object.fromEntries([...this.#slots].map(([name, slot]) => [name, slot.stats()]));
    return { ...this.#counters.snapshot(), servers };
  }

  #slot(server: string): ServerSlot {
    const slot = this.#slots.get(server);
    if (slot === undefined) {
      throw new McpCliError(
        "SERVER_UNKNOWN",
        this.#names.length === 0
          ? `server "${server}" is not available: no servers are allowed here`
          : `server "${server}" is not available; allowed servers: ${listNames(this.#names)}.${suggestion(server, this.#names)}`,
        { details: { server, allowed: [...this.#names] } },
      );
    }
    if (slot.config.disabled) {
      throw new McpCliError("SERVER_DISABLED", `server "${server}" is disabled in ${slot.config.source}`, {
        details: { server, file: slot.config.source },
      });
    }
    return slot;
  }

  async #call(
    server: string,
    tool: string,
    args: Readonly<Record<string, unknown>>,
    options: ToolCallOptions | undefined,
    scope: CallScope | undefined,
  ): Promise<ToolCallResult> {
    const started = performance.now();
    const slot = this.#slots.get(server);
    this.#counters.calls += 1;
    if (slot !== undefined) slot.counters.calls += 1;
    try {
      return await this.#run(server, tool, args, options, scope, started);
    } catch (error) {
      const coded = withCallDetails(error, server, tool);
      this.#counters.error(coded.code);
      slot?.counters.error(coded.code);
      throw coded;
    }
  }

  async #run(
    server: string,
    tool: string,
    args: Readonly<Record<string, unknown>>,
    options: ToolCallOptions | undefined,
    scope: CallScope | undefined,
    started: number,
  ): Promise<ToolCallResult> {
    if (this.#closing !== undefined) throw disposedError("tool bridge");
    if (scope?.closed) throw disposedError("tool bridge scope");
    // Every call counts, so a runaway loop stops at the limit whatever it calls.
    this.#calls += 1;
    if (this.#calls > this.#maxCalls) {
      throw new McpCliError(
        "LIMIT_CALLS",
        `tool call limit reached: at most ${this.#maxCalls} calls are allowed`,
        {
          details: { limit: this.#maxCalls },
        },
      );
    }
    if (scope !== undefined) {
      scope.calls += 1;
      if (scope.calls > scope.maxCalls) {
        throw new McpCliError(
          "LIMIT_CALLS",
          `tool call limit reached: at most ${scope.maxCalls} calls are allowed per execution`,
          { details: { limit: scope.maxCalls } },
        );
      }
    }
    const signal = options?.signal;
    const shared = scope?.controller.signal ?? this.#closeController.signal;
    if (signal?.aborted || shared.aborted) {
      throw new McpCliError("CANCELLED", `${server}/${tool}: the call was cancelled before it started`);
    }
    const slot = this.#slot(server);
    const denial = toolDenial(slot.config, tool);
    if (denial !== undefined) throw toolDeniedError(server, tool, denial, slot.config.source);
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new McpCliError(
        "ARGS_INVALID",
        `invalid arguments for ${server}/${tool}: arguments must be an object, got ${Array.isArray(args) ? "an array" : args === null ? "null" : typeof args}`,
      );
    }
    let argumentBytes: number;
    try {
      argumentBytes = argumentJsonBytes(args);
    } catch (error) {
      throw new McpCliError(
        "ARGS_INVALID",
        `invalid arguments for ${server}/${tool}: they cannot be sent as JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (argumentBytes > this.#maxArgumentBytes) {
      throw new McpCliError(
        "LIMIT_SIZE",
        `arguments for ${server}/${tool} are ${argumentBytes} bytes, more than the ${this.#maxArgumentBytes} allowed`,
        { details: { bytes: argumentBytes, limitBytes: this.#maxArgumentBytes, what: "arguments" } },
      );
    }

    const label = `${server}/${tool}`;
    // The caller's own signal (rare: the guest API has none) is combined with the shared one.
    const link = signal === undefined ? undefined : linkSignals(signal, shared);
    const abortSignal = link?.signal ?? shared;
    let connection: ServerConnection | undefined;
    try {
      const tools = slot.knownTools() ?? (await untilAborted(slot.tools(), abortSignal, label));
      const entry = tools.get(tool);
      if (entry === undefined) {
        const names = [...tools.keys()].filter((name) => toolDenial(slot.config, name) === undefined);
        throw new McpCliError(
          "TOOL_UNKNOWN",
          `server "${server}" has no tool "${tool}"; its tools: ${listNames(names)}.${suggestion(tool, names)}`,
          { details: { available: names } },
        );
      }
      // What the server would fill in itself; validated and sent like the caller's own values.
      const withDefaults = withSchemaDefaults(entry.descriptor.inputSchema, args);
      this.#validateArguments(slot, entry, withDefaults);

      const cache = entry.cacheable ? this.#cache : undefined;
      let key: string | undefined;
      if (cache !== undefined) {
        key = await cacheKey(server, tool, withDefaults);
        const hit = cache.get(key);
        if (hit !== undefined) {
          this.#counters.cacheHits += 1;
          slot.counters.cacheHits += 1;
          // A copy: callers may change what they get without changing what later calls get.
          const copy = structuredClone({
            value: hit.value,
            content: hit.content,
            structured: hit.structuredContent,
          });
          return {
            value: copy.value,
            content: copy.content,
            ...(copy.structured === undefined ? {} : { structuredContent: copy.structured }),
            fromCache: true,
            durationMs: performance.now() - started,
          };
        }
        this.#counters.cacheMisses += 1;
        slot.counters.cacheMisses += 1;
      }

      if (abortSignal.aborted) throw new McpCliError("CANCELLED", `${label}: the call was cancelled`);
      if (slot.bucket !== undefined || entry.bucket !== undefined) {
        const buckets: LimitedBucket[] = [];
        if (slot.bucket !== undefined) buckets.push({ bucket: slot.bucket, label: `server "${server}"` });
        if (entry.bucket !== undefined) buckets.push({ bucket: entry.bucket, label: `tool ${label}` });
        await acquireTokens(buckets, this.#maxRateWaitMs, abortSignal, { server, tool });
      }
      connection = slot.openConnection() ?? (await untilAborted(slot.connection(), abortSignal, label));
      const sent = performance.now();
      let raw: Awaited<ReturnType<ServerConnection["callTool"]>>;
      try {
        raw = await connection.callTool(tool, withDefaults, {
          signal: abortSignal,
          ...(options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options?.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        });
      } finally {
        const elapsed = performance.now() - sent;
        this.#counters.latency(elapsed);
        slot.counters.latency(elapsed);
      }
      return this.#finish(slot, entry, raw, cache, key, started);
    } catch (error) {
      if (connection !== undefined && error instanceof McpCliError && error.code === "CONNECTION_CLOSED") {
        // An HTTP server that went away does not close the connection by itself: start afresh next time.
        slot.discard(connection);
      }
      throw error;
    } finally {
      link?.release();
    }
  }

  #validateArguments(slot: ServerSlot, entry: ToolEntry, args: Readonly<Record<string, unknown>>): void {
    const compiled = entry.input;
    if (!compiled.ok) {
      this.#warnSchema(slot.name, entry.descriptor.name, "input", compiled.reason);
      return;
    }
    const problems = validationProblems(compiled.validate, args);
    if (problems.length > 0) throw invalidArgumentsError(slot.name, entry.descriptor.name, problems);
  }

  #warnSchema(server: string, tool: string, which: string, reason: string): void {
    const id = `${server}\u0000${tool}\u0000${which}`;
    if (this.#warnedSchemas.has(id)) return;
    this.#warnedSchemas.add(id);
    this.#diagnostics?.({
      level: "warn",
      message: `the ${which} schema of ${server}/${tool} cannot be compiled, so it is not checked here: ${reason}`,
      source: `server:${server}`,
    });
  }

  #finish(
    slot: ServerSlot,
    entry: ToolEntry,
    raw: {
      readonly content: readonly ContentBlock[];
      readonly structuredContent?: unknown;
      readonly isError: boolean;
    },
    cache: CacheProvider<CachedToolResult> | undefined,
    key: string | undefined,
    started: number,
  ): ToolCallResult {
    const server = slot.name;
    const tool = entry.descriptor.name;
    const bytes =
      jsonBytes(raw.content) + (raw.structuredContent === undefined ? 0 : jsonBytes(raw.structuredContent));
    if (bytes > this.#maxResultBytes) {
      throw new McpCliError(
        "LIMIT_SIZE",
        `the result of ${server}/${tool} is ${bytes} bytes, more than the ${this.#maxResultBytes} allowed`,
        { details: { bytes, limitBytes: this.#maxResultBytes, what: "result" } },
      );
    }
    if (raw.isError) {
      const text = firstText(raw.content);
      throw new McpCliError(
        "TOOL_ERROR",
        `${server}/${tool} returned an error${text === undefined ? "" : `: ${text}`}`,
        {
          details: { server, tool, content: raw.content },
        },
      );
    }
    const output = entry.output;
    if (output !== undefined) {
      if (!output.ok) {
        this.#warnSchema(server, tool, "output", output.reason);
      } else if (raw.structuredContent === undefined) {
        throw new McpCliError(
          "RESULT_INVALID",
          `${server}/${tool} declares an output schema but returned no structured content`,
          { details: { server, tool } },
        );
      } else {
        const problems = validationProblems(output.validate, raw.structuredContent);
        if (problems.length > 0) throw invalidResultError(server, tool, problems);
      }
    }
    const value = resultValue(raw.content, raw.structuredContent);
    if (cache !== undefined && key !== undefined) {
      cache.set(
        key,
        structuredClone({ value, content: raw.content, structuredContent: raw.structuredContent, bytes }),
      );
    }
    return {
      value,
      content: raw.content,
      ...(raw.structuredContent === undefined ? {} : { structuredContent: raw.structuredContent }),
      fromCache: false,
      durationMs: performance.now() - started,
    };
  }

  /**
   * `resources/read` on an allowed server, over the bridge's shared connection. Resources are
   * read-only by nature, so answers are cached like read-only tools (same cache, same TTL).
   * Binary contents arrive as base64 `blob` with their `mimeType`. Errors: those of connecting,
   * `SERVER_UNKNOWN`, `LIMIT_SIZE` (over the result limit), `PROTOCOL_ERROR` (unknown resource),
   * `TIMEOUT`, `CANCELLED`, `DISPOSED`.
   */
  async readResource(server: string, uri: string, options?: ToolCallOptions): Promise<ResourceReadResult> {
    if (this.#closing !== undefined) throw disposedError("tool bridge");
    const slot = this.#slot(server);
    const key =
      this.#cache === undefined ? undefined : await cacheKey(server, "\u0000resources/read", { uri });
    const hit = key === undefined ? undefined : this.#cache?.get(key);
    if (hit !== undefined) return structuredClone(hit.value) as ResourceReadResult;
    const connection = slot.openConnection() ?? (await slot.connection());
    const result = await connection.readResource(uri, {
      signal: linkedSignal(this.#closeController.signal, options),
      ...(options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const bytes = jsonBytes(result.contents);
    if (bytes > this.#maxResultBytes) {
      throw new McpCliError(
        "LIMIT_SIZE",
        `resource ${JSON.stringify(uri)} of server "${server}" is ${bytes} bytes, more than the ${this.#maxResultBytes} allowed`,
        { details: { server, uri, bytes, limitBytes: this.#maxResultBytes, what: "resource" } },
      );
    }
    if (key !== undefined) this.#cache?.set(key, structuredClone({ value: result, content: [], bytes }));
    return result;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const reason = new McpCliError("CANCELLED", "the tool bridge was closed while the call was in flight");
    this.#closeController.abort(reason);
    for (const scope of this.#scopes) {
      scope.closed = true;
      scope.controller.abort(reason);
    }
    this.#scopes.clear();
    const results = await Promise.allSettled([...this.#slots.values()].map((slot) => slot.close()));
    if (this.#ownsCache) this.#cache?.clear();
    const failures = results.filter(
      (result): result is PromiseRejectedResult => result.status === "rejected",
    );
    if (failures.length === 1) throw failures[0]?.reason;
    if (failures.length > 1) {
      throw new AggregateError(
        failures.map((failure) => failure.reason),
        "closing the tool bridge failed",
      );
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Creates a bridge over the allowed servers. Nothing connects until the first call to a server.
 *
 * `callTool` rejects with a {@link McpCliError} whose details always carry `server` and `tool`:
 * `SERVER_UNKNOWN` / `SERVER_DISABLED` / `TOOL_UNKNOWN` (with the valid names), `ARGS_INVALID`
 * (with argument paths), `LIMIT_SIZE`, `LIMIT_CALLS`, `LIMIT_RATE`, `TOOL_ERROR` (the tool returned
 * `isError`; details carry its `content`), `RESULT_INVALID`, `CONNECT_FAILED`, `CONNECTION_CLOSED`,
 * `TIMEOUT`, `PROTOCOL_ERROR`, `AUTH_REQUIRED`, `AUTH_REFUSED`, `CANCELLED`, and `DISPOSED` after close.
 */
export function createBridge(options: BridgeOptions): Bridge {
  return new ToolBridgeImpl(options);
}

/** The bridge's (or a scope's) signal, combined with the caller's own when it has one. */
function linkedSignal(shared: AbortSignal, options: ToolCallOptions | undefined): AbortSignal {
  return options?.signal === undefined ? shared : AbortSignal.any([shared, options.signal]);
}
