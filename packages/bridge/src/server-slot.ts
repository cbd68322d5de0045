/**
 * One allowed server inside a bridge: its lazily opened connection (shared by concurrent calls,
 * reopened after a crash), its tool table (from a given manifest or listed on first use), and its
 * rate-limit buckets and counters.
 */
import {
  type DiagnosticListener,
  McpCliError,
  type ResolvedServerConfig,
  type ServerManifest,
  type ToolDescriptor,
} from "@mcp-execution/core";
import type { ServerConnection } from "@mcp-execution/mcp-client";
import { TokenBucket } from "./rate-limit.js";
import { CallCounters, type ServerStats } from "./stats.js";
import { type CompiledSchema, compileSchema } from "./validation.js";

/** What the bridge knows about one tool. */
export class ToolEntry {
  readonly descriptor: ToolDescriptor;
  /** `readOnlyHint: true`, or listed in the server's `cache` configuration. */
  readonly cacheable: boolean;
  readonly bucket: TokenBucket | undefined;
  #input: CompiledSchema | undefined;
  #output: CompiledSchema | undefined;

  constructor(descriptor: ToolDescriptor, cacheList: readonly string[], bucket: TokenBucket | undefined) {
    this.descriptor = descriptor;
    this.cacheable = descriptor.annotations?.readOnlyHint === true || cacheList.includes(descriptor.name);
    this.bucket = bucket;
  }

  /** The compiled input schema (compiled on first use). */
  get input(): CompiledSchema {
    this.#input ??= compileSchema(this.descriptor.inputSchema);
    return this.#input;
  }

  /** The compiled output schema, when the tool declares one. */
  get output(): CompiledSchema | undefined {
    if (this.descriptor.outputSchema === undefined) return undefined;
    this.#output ??= compileSchema(this.descriptor.outputSchema);
    return this.#output;
  }
}

export interface SlotOptions {
  readonly config: ResolvedServerConfig;
  readonly manifest: ServerManifest | undefined;
  /** Calls per second by tool name (a Map: tool names are data, never object keys). */
  readonly toolRateLimits: ReadonlyMap<string, number>;
  readonly connect: (config: ResolvedServerConfig) => Promise<ServerConnection>;
  readonly listTools: (connection: ServerConnection) => Promise<ToolDescriptor[]>;
  readonly diagnostics: DiagnosticListener | undefined;
  /** The server said its tool list changed (`notifications/tools/list_changed`). */
  readonly onToolsChanged?: (() => void) | undefined;
}

export class ServerSlot {
  readonly name: string;
  readonly config: ResolvedServerConfig;
  readonly counters = new CallCounters();
  readonly bucket: TokenBucket | undefined;
  connects = 0;
  readonly #options: SlotOptions;
  readonly #toolBuckets = new Map<string, TokenBucket>();
  #connection: ServerConnection | undefined;
  #connecting: Promise<ServerConnection> | undefined;
  #tools: Map<string, ToolEntry> | undefined;
  #listing: Promise<Map<string, ToolEntry>> | undefined;
  /** Tools listed from the server (not from a manifest) are listed again after a change. */
  #toolsStale = false;
  #closed = false;

  constructor(options: SlotOptions) {
    this.#options = options;
    this.config = options.config;
    this.name = options.config.name;
    this.bucket =
      options.config.rateLimit === undefined ? undefined : new TokenBucket(options.config.rateLimit);
    if (options.manifest !== undefined) this.#tools = this.#table(options.manifest.tools);
  }

  #table(tools: readonly ToolDescriptor[]): Map<string, ToolEntry> {
    const table = new Map<string, ToolEntry>();
    for (const tool of tools) {
      table.set(tool.name, new ToolEntry(tool, this.config.cache, this.#toolBucket(tool.name)));
    }
    return table;
  }

  /** One bucket per tool for the slot's lifetime: listing the tools again must not refill it. */
  #toolBucket(tool: string): TokenBucket | undefined {
    const rate = this.#options.toolRateLimits.get(tool);
    if (rate === undefined) return undefined;
    let bucket = this.#toolBuckets.get(tool);
    if (bucket === undefined) {
      bucket = new TokenBucket(rate);
      this.#toolBuckets.set(tool, bucket);
    }
    return bucket;
  }

  /** The open connection, opening it on first use; concurrent callers share one attempt. */
  connection(): Promise<ServerConnection> {
    if (this.#connection !== undefined && !this.#connection.closed) return Promise.resolve(this.#connection);
    this.#connecting ??= this.#connect();
    return this.#connecting;
  }

  async #connect(): Promise<ServerConnection> {
    try {
      if (this.#closed)
        throw new McpCliError("DISPOSED", "the bridge was closed", { details: { server: this.name } });
      const connection = await this.#options.connect(this.config);
      if (this.#closed) {
        await connection.close();
        throw new McpCliError("DISPOSED", "the bridge was closed", { details: { server: this.name } });
      }
      this.connects += 1;
      if (this.connects > 1) {
        this.#options.diagnostics?.({
          level: "info",
          message: `reconnected to server "${this.name}" (connection ${this.connects})`,
          source: `server:${this.name}`,
        });
      }
      this.#connection = connection;
      connection.onClose(() => this.#lost(connection));
      connection.onToolsChanged(() => {
        if (this.#options.manifest === undefined) this.#toolsStale = true;
        this.#options.onToolsChanged?.();
      });
      // A new process may offer other tools than the one that crashed.
      if (this.#options.manifest === undefined && this.connects > 1) this.#toolsStale = true;
      return connection;
    } finally {
      this.#connecting = undefined;
    }
  }

  #lost(connection: ServerConnection): void {
    if (this.#connection === connection) this.#connection = undefined;
  }

  /** Forgets a connection that failed in a way that makes it unusable (it is closed too). */
  discard(connection: ServerConnection): void {
    this.#lost(connection);
    void connection.close().catch(() => {});
  }

  get connected(): boolean {
    return this.#connection !== undefined && !this.#connection.closed;
  }

  /** The tool table when it is known and current, without waiting. */
  knownTools(): Map<string, ToolEntry> | undefined {
    return this.#toolsStale ? undefined : this.#tools;
  }

  /** The open connection, when there is one, without waiting. */
  openConnection(): ServerConnection | undefined {
    const connection = this.#connection;
    return connection !== undefined && !connection.closed ? connection : undefined;
  }

  /** The tool table: from the manifest, or listed from the server (connecting if needed). */
  tools(): Promise<Map<string, ToolEntry>> {
    if (this.#tools !== undefined && !this.#toolsStale) return Promise.resolve(this.#tools);
    this.#listing ??= this.#list();
    return this.#listing;
  }

  async #list(): Promise<Map<string, ToolEntry>> {
    try {
      const connection = await this.connection();
      this.#toolsStale = false;
      const tools = await this.#options.listTools(connection);
      this.#tools = this.#table(tools);
      return this.#tools;
    } finally {
      this.#listing = undefined;
    }
  }

  /**
   * Runs `describe` (the MCP client (mcp-client)) on the slot's own connection and keeps the tools it found,
   * so a caller that needs the whole manifest does not open a second connection to the server.
   * A slot given a manifest at creation keeps that manifest's tools (they are what its code was
   * generated from); the fingerprint check compares the two.
   */
  async introspect(
    describe: (connection: ServerConnection) => Promise<ServerManifest>,
  ): Promise<ServerManifest> {
    const connection = await this.connection();
    const manifest = await describe(connection);
    if (this.#options.manifest === undefined) {
      this.#tools = this.#table(manifest.tools);
      this.#toolsStale = false;
    }
    return manifest;
  }

  stats(): ServerStats {
    return { ...this.counters.snapshot(), connects: this.connects, connected: this.connected };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connecting = this.#connecting;
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close();
    if (connecting !== undefined) {
      // An attempt in flight closes its connection itself once it sees #closed.
      await connecting.then(
        (late) => late.close(),
        () => {},
      );
    }
  }
}
