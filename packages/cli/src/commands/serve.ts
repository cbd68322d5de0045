/**
 * `serve [--server a --server b | --all] [--http [host:]port]`: code mode as an MCP server, warm.
 *
 * Upstream connections are opened once and shared by every client and execution (one bridge);
 * sandbox workers are started before the first request and kept warm; the generated tree and the
 * tool catalog are built once and rebuilt by {@link ServeRuntime.refresh}. Executions are admitted
 * through a concurrency limit with a bounded queue: overload is an `isError` result with code
 * `LIMIT_RATE`, never a crash. SIGTERM (and SIGINT) stop accepting, let in-flight executions
 * finish for up to `--drain-timeout`, then close the servers.
 *
 * Over stdio, stdout carries the protocol: everything else goes to stderr.
 */
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import type { Bridge, ScopedToolBridge } from "@mcp-execution/bridge";
import {
  blake3Hex,
  canonicalJson,
  diffFingerprints,
  type ErrorDocument,
  type ExecutionOutcome,
  type GeneratedFile,
  type LogEntry,
  McpCliError,
  type ResolvedServerConfig,
  type SandboxLimits,
  type ServerConfig,
  type ServerManifest,
  type ToolBridge,
  type ToolCallOptions,
  type ToolCallResult,
} from "@mcp-execution/core";
import type { AuditLog, CodeModeState, ServeMetrics, SpareFiles } from "@mcp-execution/serve";
import type { LoadedSkillWithVfs } from "@mcp-execution/skill-store";
import type { VirtualFileSystem } from "@mcp-execution/vfs";
import { loadConfiguration } from "../config-source.js";
import { clientOffers, diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type LimitFlags, limitsFrom } from "../execution-limits.js";
import { skillsDirectory } from "../locations.js";
import { resolveForConnection, resolveServerTarget } from "../server-target.js";
import { storedLoginProviders } from "../stored-login.js";

export interface ServeOptions extends LimitFlags {
  readonly server?: readonly string[];
  readonly all?: boolean;
  /** `[host:]port`; absent: stdio. */
  readonly http?: string;
  readonly tokenFile?: string;
  readonly allowHost?: readonly string[];
  readonly allowOrigin?: readonly string[];
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
  readonly maxRequestKb?: number;
  readonly drainTimeout?: number;
  readonly auditLog?: string;
  readonly auditArgs?: boolean;
  /** Saved skills whose trees are offered too (verified; their servers are served). */
  readonly skill?: readonly string[];
  readonly acceptToolChanges?: boolean;
}

const DEFAULT_MAX_CONCURRENT = 4;
const DEFAULT_MAX_QUEUE = 64;
const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const DEFAULT_DRAIN_MS = 30_000;
const TOKEN_FILE_LIMIT = 4096;

/** `8080`, `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`. Loopback when no host is given. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new McpCliError("USAGE", "--http takes [host:]port, for example 8080 or 127.0.0.1:8080", {
      details: { flag: "--http" },
    });
  }
  return { host: match[1] || match[2] || "127.0.0.1", port };
}

async function readToken(context: CommandContext, options: ServeOptions): Promise<string | undefined> {
  if (options.tokenFile === undefined) {
    const fromEnvironment = context.env.MCP_CLI_SERVE_TOKEN;
    return fromEnvironment === undefined || fromEnvironment === "" ? undefined : fromEnvironment;
  }
  const path = resolve(context.cwd, options.tokenFile);
  let text: string;
  try {
    const handle = await open(path, "r");
    try {
      const stat = await handle.stat();
      if (stat.size > TOKEN_FILE_LIMIT) {
        throw new McpCliError("USAGE", `the token file is larger than ${TOKEN_FILE_LIMIT} bytes`, {
          details: { path },
        });
      }
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof McpCliError) throw error;
    throw new McpCliError("FILE_NOT_FOUND", `cannot read the token file ${options.tokenFile}`, {
      details: { path, errno: (error as NodeJS.ErrnoException).code ?? null },
    });
  }
  const token = text.trim();
  if (token.length < 16) {
    throw new McpCliError("USAGE", "the token in --token-file must be at least 16 characters", {
      details: { path },
    });
  }
  return token;
}

/** The servers to serve: --server names and URLs, or every enabled configured server with --all. */
async function servedServers(
  context: CommandContext,
  options: ServeOptions,
  skills: readonly LoadedSkillWithVfs[],
): Promise<ServerConfig[]> {
  const named = await namedServers(context, options);
  const missing = skills
    .flatMap(serversOfSkill)
    .filter((server) => !named.some((entry) => entry.name === server));
  if (missing.length === 0) return named;
  const config = await loadConfiguration(context);
  for (const server of new Set(missing)) {
    const entry = config.servers.find((candidate) => candidate.name === server);
    if (entry === undefined) {
      throw new McpCliError("SERVER_UNKNOWN", `a skill calls server "${server}", which is not configured`, {
        details: { server },
      });
    }
    named.push(entry);
  }
  return named;
}

async function namedServers(context: CommandContext, options: ServeOptions): Promise<ServerConfig[]> {
  if (options.all === true && (options.server ?? []).length > 0) {
    throw new McpCliError("USAGE", "give either --all or --server, not both", { details: {} });
  }
  if (options.all === true) {
    const config = await loadConfiguration(context);
    return config.servers.filter((server) => {
      if (server.disabled === true) return false;
      if (!startsMcpCliServe(server)) return true;
      // An agent's configuration usually names mcp-cli serve itself: serving it would start serve
      // again, which would start it again.
      context.output.warn(`not serving ${server.name}: it starts mcp-cli serve itself`);
      return false;
    });
  }
  const servers: ServerConfig[] = [];
  for (const name of options.server ?? []) servers.push(await resolveServerTarget(context, name, {}));
  return servers;
}

/** The skills `--skill` names, loaded and verified (checksums) from the skills directory. */
async function loadServedSkills(
  context: CommandContext,
  names: readonly string[],
): Promise<LoadedSkillWithVfs[]> {
  if (names.length === 0) return [];
  const { FileSkillStore } = await import("@mcp-execution/skill-store");
  const store = new FileSkillStore(skillsDirectory(context), { onDiagnostic: diagnosticsFor(context) });
  const skills: LoadedSkillWithVfs[] = [];
  for (const name of names) {
    const loaded = await store.load(name);
    context.scope.defer(() => loaded.vfs.dispose());
    skills.push(loaded);
  }
  return skills;
}

/** Every server a skill calls (a combined skill names several). */
function serversOfSkill(skill: LoadedSkillWithVfs): readonly string[] {
  return skill.metadata.servers?.map((record) => record.server) ?? [skill.metadata.server];
}

/** Whether a configured server is `mcp-cli serve` (by command or by the CLI's entry file). */
export function startsMcpCliServe(server: ServerConfig): boolean {
  if (server.transport !== "stdio") return false;
  const words = [server.command, ...server.args];
  const isCli = words.some((word) =>
    /(^|[\\/])mcp-cli$|[\\/](packages[\\/]cli|@mcp-execution[\\/]cli)[\\/]dist[\\/]bin\.js$/.test(word),
  );
  return isCli && server.args.includes("serve");
}

/** Every secret-bearing value of the served configurations, for redacting audit records. */
function redactorFor(resolved: readonly ResolvedServerConfig[]): (text: string) => string {
  const secrets = new Set<string>();
  for (const server of resolved) {
    const record = server as unknown as {
      headers?: Record<string, string>;
      env?: Record<string, string>;
      redact?: readonly string[];
    };
    for (const value of Object.values(record.headers ?? {})) secrets.add(value);
    for (const value of Object.values(record.env ?? {})) secrets.add(value);
    for (const value of record.redact ?? []) secrets.add(value);
  }
  const values = [...secrets].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join("***");
    return out;
  };
}

/** One execution for {@link ServeRuntime.execute}: the `execute` tool's, or a daemon client's. */
export interface RuntimeExecution {
  readonly source: string;
  /** Absent: a module when the code has `export default`, else a snippet. */
  readonly mode?: "module" | "snippet" | undefined;
  readonly filename?: string | undefined;
  readonly language?: "typescript" | "javascript" | undefined;
  /** Absent: the runtime's limits. */
  readonly limits?: SandboxLimits | undefined;
  /** A shorter deadline than the limits', never a longer one. */
  readonly timeoutMs?: number | undefined;
  /** Only these served servers are callable and generated; absent: all of them. */
  readonly servers?: readonly string[] | undefined;
  /** Guest console lines as they happen (also in the outcome's logs). */
  readonly onLog?: ((entry: LogEntry) => void) | undefined;
}

/** The warm state `serve` shares between clients: one bridge, one executor, one tree. */
export class ServeRuntime {
  readonly #context: CommandContext;
  readonly #bridge: Bridge | undefined;
  readonly #executor: import("@mcp-execution/wasm-runtime").QuickJsExecutor;
  readonly #limits: SandboxLimits;
  readonly #servers: readonly string[];
  readonly #admission: import("@mcp-execution/serve").AdmissionControl;
  readonly #metrics: ServeMetrics;
  readonly #audit: AuditLog | undefined;
  readonly #auditArgs: boolean;
  #manifests: ServerManifest[] = [];
  #state: CodeModeState;
  /** Saved skills offered under `skills/<name>/`; one whose server's tools changed is withdrawn. */
  #skills: LoadedSkillWithVfs[];
  readonly #acceptToolChanges: boolean;
  /** Trees for subsets of the servers (daemon clients name theirs), rebuilt after a refresh. */
  readonly #subsetTrees = new Map<string, GeneratedFile[]>();
  /** Clean file systems of those trees, reused by executions instead of built for each one. */
  readonly #spareFiles: SpareFiles<VirtualFileSystem>;
  #draining = false;
  readonly #inFlight = new Set<Promise<unknown>>();

  private constructor(init: {
    context: CommandContext;
    bridge: Bridge | undefined;
    executor: import("@mcp-execution/wasm-runtime").QuickJsExecutor;
    limits: SandboxLimits;
    servers: readonly string[];
    admission: import("@mcp-execution/serve").AdmissionControl;
    metrics: ServeMetrics;
    audit: AuditLog | undefined;
    auditArgs: boolean;
    skills: readonly LoadedSkillWithVfs[];
    acceptToolChanges: boolean;
    state: CodeModeState;
    spareFiles: SpareFiles<VirtualFileSystem>;
  }) {
    this.#spareFiles = init.spareFiles;
    this.#skills = [...init.skills];
    this.#acceptToolChanges = init.acceptToolChanges;
    this.#context = init.context;
    this.#bridge = init.bridge;
    this.#executor = init.executor;
    this.#limits = init.limits;
    this.#servers = init.servers;
    this.#admission = init.admission;
    this.#metrics = init.metrics;
    this.#audit = init.audit;
    this.#auditArgs = init.auditArgs;
    this.#state = init.state;
  }

  static async start(context: CommandContext, options: ServeOptions): Promise<ServeRuntime> {
    const [{ AdmissionControl, AuditLog, ServeMetrics, SpareFiles, ToolCatalog }, runtime, vfs] =
      await Promise.all([
        import("@mcp-execution/serve"),
        import("@mcp-execution/wasm-runtime"),
        import("@mcp-execution/vfs"),
      ]);
    const configuration = await loadConfiguration(context);
    const limits = limitsFrom(options, configuration.sandbox);
    const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    const executor = new runtime.QuickJsExecutor({
      maxWorkers: maxConcurrent,
      warmWorkers: Math.min(2, maxConcurrent),
      onDiagnostic: diagnosticsFor(context),
    });
    context.scope.defer(() => executor.close());
    const warming = executor.warmUp(limits.memoryBytes);
    warming.catch(() => {});

    const skills = await loadServedSkills(context, options.skill ?? []);
    const servers = await servedServers(context, options, skills);
    const resolved = servers.map((server) => resolveForConnection(context, server));
    let bridge: Bridge | undefined;
    // Bound once the runtime exists: a server's list_changed notification regenerates the tree.
    let onToolsChanged: (server: string) => void = () => {};
    if (resolved.length > 0) {
      const { createBridge } = await import("@mcp-execution/bridge");
      bridge = createBridge({
        servers: resolved,
        // The same roots as execute; serve never asks a person (its stdout may be the protocol).
        connect: { environment: context.env, cwd: context.cwd, ...(await clientOffers(context, false)) },
        diagnostics: diagnosticsFor(context),
        onToolsChanged: (server) => onToolsChanged(server),
        authProviders: await storedLoginProviders(context, resolved),
      });
      const owned = bridge;
      context.scope.defer(() => owned.close());
    }
    const metrics = new ServeMetrics();
    let audit: AuditLog | undefined;
    if (options.auditLog !== undefined) {
      const created = new AuditLog({
        path: resolve(context.cwd, options.auditLog),
        redact: redactorFor(resolved),
        onError: (error) => context.output.warn(`the audit log stopped: ${error.message}`),
      });
      try {
        await created.ready();
      } catch (error) {
        throw new McpCliError(
          "PATH_INVALID",
          `cannot open the audit log ${options.auditLog} (a symlink is refused)`,
          {
            details: { path: options.auditLog, errno: (error as NodeJS.ErrnoException).code ?? null },
          },
        );
      }
      context.scope.defer(() => created.close());
      audit = created;
    }
    const names = servers.map((server) => server.name);
    const serve = new ServeRuntime({
      context,
      bridge,
      executor,
      limits,
      servers: names,
      admission: new AdmissionControl({ maxConcurrent, maxQueued: options.maxQueue ?? DEFAULT_MAX_QUEUE }),
      metrics,
      audit,
      auditArgs: options.auditArgs === true,
      skills,
      acceptToolChanges: options.acceptToolChanges === true,
      state: { files: [], catalog: new ToolCatalog([]), servers: names },
      spareFiles: new SpareFiles({
        build: (tree, quotaBytes) =>
          vfs.VirtualFileSystem.withTools(tree, { workspaceQuotaBytes: quotaBytes }),
        maxSpare: maxConcurrent,
      }),
    });
    context.scope.defer(() => serve.#spareFiles.clear());
    await serve.refresh();
    onToolsChanged = (server) => serve.toolsChanged(server);
    await warming;
    return serve;
  }

  get metrics(): ServeMetrics {
    return this.#metrics;
  }

  get state(): CodeModeState {
    return this.#state;
  }

  health(): Record<string, unknown> {
    return {
      servers: this.#servers,
      tools: this.#state.catalog.size,
      running: this.#admission.running,
      queued: this.#admission.queued,
      draining: this.#draining,
    };
  }

  /**
   * Introspects every server again (over the bridge's open connections) and rebuilds the tree and
   * the catalog. A server whose tool fingerprint changed is reported with what was added, removed
   * and changed.
   */
  async refresh(): Promise<void> {
    const bridge = this.#bridge;
    if (bridge === undefined) return;
    // One server that fails to start must not take the others down: it is reported, left out of
    // the tree (its previous manifest kept, if any), and its calls keep trying to connect.
    const settled = await Promise.allSettled(
      this.#servers.map((name) => bridge.introspect(name, { diagnostics: diagnosticsFor(this.#context) })),
    );
    const manifests: ServerManifest[] = [];
    for (const [index, result] of settled.entries()) {
      const name = this.#servers[index] as string;
      if (result.status === "fulfilled") {
        manifests.push(result.value);
        continue;
      }
      const error = result.reason as Error & { code?: string };
      this.#context.output.warn(
        `${name}: ${error.message}${error.code === undefined ? "" : ` (${error.code})`}; its tools are left out of the generated API (calls to it still try to connect)`,
      );
      const previous = this.#manifests.find((candidate) => candidate.server === name);
      if (previous !== undefined) manifests.push(previous);
    }
    for (const manifest of manifests) {
      const previous = this.#manifests.find((candidate) => candidate.server === manifest.server);
      if (previous !== undefined && previous.fingerprint.digest !== manifest.fingerprint.digest) {
        const diff = diffFingerprints(previous.fingerprint, manifest.fingerprint);
        this.#context.output.warn(
          `the tools of ${manifest.server} changed (added: ${diff.added.join(", ") || "none"}; removed: ${diff.removed.join(", ") || "none"}; changed: ${diff.changed.join(", ") || "none"})`,
        );
      }
    }
    const [{ generateTree }, { ToolCatalog }] = await Promise.all([
      import("@mcp-execution/codegen"),
      import("@mcp-execution/serve"),
    ]);
    await this.#checkSkills(manifests);
    const files: GeneratedFile[] = [
      ...(manifests.length === 0 ? [] : generateTree(manifests)),
      ...this.#skills.flatMap((skill) =>
        skill.files.map((file) => ({
          path: `skills/${skill.metadata.name}/${file.path}`,
          contents: file.contents,
        })),
      ),
    ];
    this.#manifests = manifests;
    this.#subsetTrees.clear();
    this.#spareFiles.clear();
    this.#state = { files, catalog: new ToolCatalog(manifests), servers: this.#servers };
  }

  /**
   * Each skill's saved fingerprint against its servers' tools now. At start a mismatch refuses
   * to serve (`FINGERPRINT_MISMATCH`, as `execute --skill` does) unless `--accept-tool-changes`;
   * later (a list_changed) the skill is withdrawn with a warning instead of stopping the server.
   */
  async #checkSkills(manifests: readonly ServerManifest[]): Promise<void> {
    if (this.#skills.length === 0) return;
    const { FileSkillStore } = await import("@mcp-execution/skill-store");
    const store = new FileSkillStore(skillsDirectory(this.#context));
    const starting = this.#manifests.length === 0;
    const kept: LoadedSkillWithVfs[] = [];
    for (const skill of this.#skills) {
      try {
        for (const server of serversOfSkill(skill)) {
          const manifest = manifests.find((candidate) => candidate.server === server);
          if (manifest === undefined) continue;
          const check = await store.checkFingerprint(skill.metadata.name, manifest.fingerprint, {
            accept: this.#acceptToolChanges,
            server,
          });
          if (!check.matches) {
            this.#context.output.warn(
              `the tools of ${server} changed since skill ${skill.metadata.name} was saved; serving it anyway (--accept-tool-changes)`,
            );
          }
        }
        kept.push(skill);
      } catch (error) {
        if (starting) throw error;
        this.#context.output.warn(`withdrawing skill ${skill.metadata.name}: ${(error as Error).message}`);
      }
    }
    this.#skills = kept;
  }

  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;

  /**
   * A server's tools changed: introspect again and rebuild the tree and the search index. Changes
   * that arrive during a refresh are folded into one more refresh after it.
   */
  toolsChanged(server: string): void {
    this.#context.output.debug(`${server} says its tools changed; regenerating`);
    if (this.#refreshing !== undefined) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        await this.refresh().catch((error: Error) =>
          this.#context.output.warn(`could not regenerate the API after a tool change: ${error.message}`),
        );
      } while (this.#refreshAgain);
      this.#refreshing = undefined;
    })();
  }

  /** The `execute` tool: admitted, limited, measured and audited. Resolves for every guest failure. */
  async execute(request: RuntimeExecution, signal: AbortSignal, client?: string): Promise<ExecutionOutcome> {
    const started = performance.now();
    if (this.#draining)
      return this.#refused("CANCELLED", "serve is shutting down; retry on a new instance", started);
    const admitted = this.#admission.admit(signal);
    if (admitted === undefined) {
      return this.#refused(
        "LIMIT_RATE",
        `serve is at capacity (${this.#admission.running} executions running, ${this.#admission.queued} queued); retry shortly`,
        started,
      );
    }
    this.#metrics.queueDepth.set(this.#admission.queued);
    let release: () => void;
    try {
      release = await admitted;
    } catch {
      return this.#refused("CANCELLED", "the request was cancelled while it waited for a free slot", started);
    }
    this.#metrics.queueDepth.set(this.#admission.queued);
    this.#metrics.inFlight.inc();
    const run = this.#run(request, signal, client);
    this.#inFlight.add(run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(run);
      this.#metrics.inFlight.dec();
      release();
      this.#metrics.queueDepth.set(this.#admission.queued);
    }
  }

  async #run(
    request: RuntimeExecution,
    signal: AbortSignal,
    client: string | undefined,
  ): Promise<ExecutionOutcome> {
    const base = request.limits ?? this.#limits;
    const limits: SandboxLimits =
      request.timeoutMs === undefined
        ? base
        : { ...base, timeoutMs: Math.min(request.timeoutMs, base.timeoutMs) };
    const servers = request.servers ?? this.#servers;
    const unknown = servers.filter((name) => !this.#servers.includes(name));
    if (unknown.length > 0) {
      throw new McpCliError("SERVER_UNKNOWN", `not served here: ${unknown.join(", ")}`, {
        details: { servers: unknown },
      });
    }
    const scoped = this.#bridge?.scope({ maxCalls: limits.maxToolCalls, signal });
    const measured =
      scoped === undefined || servers.length === 0 ? undefined : this.#measured(scoped, client, servers);
    const tree = await this.#treeFor(servers);
    const files = this.#spareFiles.take(tree, limits.workspaceBytes);
    const started = performance.now();
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.#executor.execute({
        source: request.source,
        mode: request.mode ?? (/\bexport\s+default\b/.test(request.source) ? "module" : "snippet"),
        filename: request.filename ?? "execute.ts",
        language: request.language ?? "typescript",
        limits,
        ...(measured === undefined ? {} : { bridge: measured }),
        files,
        signal,
        ...(request.onLog === undefined ? {} : { onLog: request.onLog }),
      });
    } finally {
      this.#spareFiles.give(tree, files);
      await scoped?.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const label = outcome.ok ? "ok" : outcome.error.code;
    this.#metrics.executions.inc({ outcome: label });
    this.#metrics.executionSeconds.observe(seconds);
    if (!outcome.ok) this.#metrics.errors.inc({ code: outcome.error.code });
    this.#audit?.write({
      kind: "execution",
      client,
      durationMs: Math.round(seconds * 1000),
      outcome: label,
      codeDigest: await blake3Hex(request.source),
      toolCalls: outcome.stats.toolCalls,
    });
    return outcome;
  }

  /** The generated tree of a subset of the served servers (all of them: the shared tree). */
  async #treeFor(servers: readonly string[]): Promise<readonly GeneratedFile[]> {
    if (servers.length === this.#servers.length) return this.#state.files;
    if (servers.length === 0) return [];
    const key = [...servers].sort().join("\u0000");
    const cached = this.#subsetTrees.get(key);
    if (cached !== undefined) return cached;
    const { generateTree } = await import("@mcp-execution/codegen");
    const tree = generateTree(this.#manifests.filter((manifest) => servers.includes(manifest.server)));
    this.#subsetTrees.set(key, tree);
    return tree;
  }

  /** Describes one served server's tools (daemon `call`: the client coerces arguments with them). */
  async tools(server: string): Promise<readonly import("@mcp-execution/core").ToolDescriptor[]> {
    if (this.#bridge === undefined || !this.#servers.includes(server)) {
      throw new McpCliError("SERVER_UNKNOWN", `not served here: ${server}`, { details: { server } });
    }
    return this.#bridge.tools(server);
  }

  /** One tool call outside any execution (daemon `call`), measured and audited like the others. */
  async callTool(
    server: string,
    tool: string,
    args: Readonly<Record<string, unknown>>,
    signal: AbortSignal,
  ): Promise<ToolCallResult> {
    if (this.#bridge === undefined || !this.#servers.includes(server)) {
      throw new McpCliError("SERVER_UNKNOWN", `not served here: ${server}`, { details: { server } });
    }
    const scoped = this.#bridge.scope({ signal });
    try {
      return await this.#measured(scoped, "daemon", [server]).callTool(server, tool, args, { signal });
    } finally {
      await scoped.close();
    }
  }

  /** The scope, limited to `servers`, with every tool call counted in the metrics and audited. */
  #measured(scoped: ScopedToolBridge, client: string | undefined, servers: readonly string[]): ToolBridge {
    const metrics = this.#metrics;
    const audit = this.#audit;
    const auditArgs = this.#auditArgs;
    return {
      servers: () => servers,
      close: () => scoped.close(),
      [Symbol.asyncDispose]: () => scoped.close(),
      async callTool(server, tool, args, options?: ToolCallOptions): Promise<ToolCallResult> {
        if (!servers.includes(server)) {
          throw new McpCliError(
            "SERVER_UNKNOWN",
            `server "${server}" is not available to this execution; available: ${servers.join(", ")}`,
            {
              details: { server, valid: [...servers] },
            },
          );
        }
        const started = performance.now();
        let outcome = "ok";
        try {
          return await scoped.callTool(server, tool, args, options);
        } catch (error) {
          outcome = error instanceof McpCliError ? error.code : "INTERNAL";
          metrics.errors.inc({ code: outcome });
          throw error;
        } finally {
          const seconds = (performance.now() - started) / 1000;
          metrics.toolCalls.inc({ server, tool, outcome });
          metrics.toolCallSeconds.observe({ server }, seconds);
          if (audit !== undefined) {
            audit.write({
              kind: "tool_call",
              client,
              server,
              tool,
              durationMs: Math.round(seconds * 1000),
              outcome,
              argsDigest: await blake3Hex(canonicalJson(args)),
              ...(auditArgs ? { args } : {}),
            });
          }
        }
      },
    };
  }

  #refused(code: ErrorDocument["code"], message: string, started: number): ExecutionOutcome {
    this.#metrics.executions.inc({ outcome: code });
    this.#metrics.errors.inc({ code });
    return {
      ok: false,
      error: { code, message, details: { running: this.#admission.running, queued: this.#admission.queued } },
      logs: [],
      stats: { durationMs: performance.now() - started, toolCalls: 0, memoryBytes: 0 },
    };
  }

  /**
   * Stops admitting executions and waits for those in flight, up to `timeoutMs`; returns how many
   * were still running when the wait ended (the owner's close then cancels them).
   */
  async drain(timeoutMs: number): Promise<number> {
    this.#draining = true;
    if (this.#inFlight.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
    clearTimeout(timer);
    return this.#inFlight.size;
  }
}

export async function serveCommand(context: CommandContext, options: ServeOptions): Promise<number> {
  const address = options.http === undefined ? undefined : parseListenAddress(options.http);
  const token = address === undefined ? undefined : await readToken(context, options);
  const runtime = await ServeRuntime.start(context, options);
  const { createCodeModeServer } = await import("@mcp-execution/serve");
  const factory = () =>
    createCodeModeServer({
      version: context.environment.version,
      state: () => runtime.state,
      execute: (request, signal) =>
        runtime.execute({ source: request.code, timeoutMs: request.timeoutMs }, signal),
      maxCodeLength: (options.maxRequestKb ?? DEFAULT_MAX_REQUEST_BYTES / 1024) * 1024,
    });

  // SIGTERM and SIGINT both end the server gracefully: stop accepting, drain, close.
  const stopped = new AbortController();
  const onTerm = () => stopped.abort();
  process.once("SIGTERM", onTerm);
  context.signal.addEventListener("abort", onTerm, { once: true });

  let closeTransport: () => Promise<void>;
  if (address !== undefined) {
    const { startHttpServe } = await import("@mcp-execution/serve");
    const http = await startHttpServe({
      host: address.host,
      port: address.port,
      token,
      allowedHosts: options.allowHost,
      allowedOrigins: options.allowOrigin,
      maxRequestBytes: (options.maxRequestKb ?? DEFAULT_MAX_REQUEST_BYTES / 1024) * 1024,
      factory,
      metrics: runtime.metrics,
      health: () => runtime.health(),
      onError: (error) => context.output.debug(`serve: ${error.message}`),
    });
    context.output.stderr(`mcp-cli serve: listening on ${http.url} (${runtime.state.catalog.size} tools)`);
    closeTransport = () => http.close();
  } else {
    const { startStdioServe } = await import("@mcp-execution/serve");
    const stdio = startStdioServe(factory, {
      input: process.stdin,
      output: process.stdout,
      onError: (error) => context.output.debug(`serve: ${error.message}`),
    });
    // The client closing stdin ends the session.
    stdio.closed.then(onTerm, onTerm);
    closeTransport = () => stdio.close();
  }

  await new Promise<void>((resolve) => {
    if (stopped.signal.aborted) resolve();
    else stopped.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  process.off("SIGTERM", onTerm);
  const left = await runtime.drain(options.drainTimeout ?? DEFAULT_DRAIN_MS);
  if (left > 0)
    context.output.warn(`${left} execution(s) still running after the drain timeout; cancelling them`);
  await closeTransport();
  return 0;
}
