/**
 * `runExecution`: one run of agent code, from a source and resolved servers to an outcome. It
 * collects servers and skills, introspects live servers over the bridge, applies the fingerprint
 * policy, assembles `/mcp-tools` and picks the executor. Engines are imported on first use, so a
 * snippet without servers loads neither the MCP SDK nor codegen.
 *
 * It keeps no state between calls: concurrent runs share only what the caller passes in (a bridge,
 * an executor), and those are safe to share.
 */
import type { Bridge, ScopedToolBridge } from "@mcp-execution/bridge";
import {
  type CodeExecutor,
  type DiagnosticListener,
  type ExecutionOutcome,
  McpCliError,
  type ResolvedServerConfig,
  ResourceScope,
  type ServerManifest,
  type SessionId,
  type StateStore,
  type ToolBridge,
} from "@mcp-execution/core";
import type { LoadedSkillWithVfs } from "@mcp-execution/skill-store";
import { hasDefaultExport } from "./module-default.js";
import { StepReporter } from "./progress.js";
import type { ComponentSource, RunAuthProvider, RunRequest, ScriptSource } from "./request.js";
import { checkSkillFingerprints, loadSkills, serversOfSkill } from "./skills.js";
import { assembleToolTree } from "./tool-tree.js";
import { withUnavailableServerHint } from "./unavailable-server-hint.js";

/** The servers of one run: the live ones first, then those only skills need, one entry per name. */
interface RunServers {
  readonly configs: ReadonlyMap<string, ResolvedServerConfig>;
  readonly live: readonly string[];
}

function collectServers(request: RunRequest, skills: readonly LoadedSkillWithVfs[]): RunServers {
  const configs = new Map<string, ResolvedServerConfig>();
  const live: string[] = [];
  for (const server of request.servers ?? []) {
    if (configs.has(server.name)) continue;
    configs.set(server.name, server);
    live.push(server.name);
  }
  for (const skill of skills) {
    for (const server of serversOfSkill(skill)) {
      if (configs.has(server)) continue;
      if (request.resolveSkillServer === undefined) {
        throw new McpCliError(
          "SERVER_UNKNOWN",
          `skill ${skill.metadata.name} calls server "${server}", which this run was not given`,
          { details: { skill: skill.metadata.name, server } },
        );
      }
      configs.set(server, request.resolveSkillServer(server, skill.metadata.name));
    }
  }
  return { configs, live };
}

/** The caller's providers, plus those `authProviderFor` gives for the other servers of the run. */
async function authProvidersOf(
  request: RunRequest,
  servers: RunServers,
): Promise<ReadonlyMap<string, RunAuthProvider> | undefined> {
  const lookup = request.authProviderFor;
  if (lookup === undefined) return request.authProviders;
  const providers = new Map<string, RunAuthProvider>(request.authProviders ?? []);
  for (const [name, config] of servers.configs) {
    if (providers.has(name)) continue;
    const provider = await lookup(config);
    if (provider !== undefined) providers.set(name, provider);
  }
  return providers;
}

/** The caller's bridge, after checking it serves every server the run needs; or a new one. */
async function openBridge(
  request: RunRequest,
  servers: RunServers,
  resources: ResourceScope,
): Promise<Bridge | undefined> {
  if (request.bridge !== undefined) {
    const available = new Set(request.bridge.servers());
    const missing = [...servers.configs.keys()].filter((name) => !available.has(name));
    if (missing.length > 0) {
      throw new McpCliError(
        "SERVER_UNKNOWN",
        `the shared bridge does not serve ${missing.map((name) => `"${name}"`).join(", ")}; it serves: ${[...available].join(", ") || "no servers"}`,
        { details: { servers: missing, allowed: [...available] } },
      );
    }
    return request.bridge;
  }
  if (servers.configs.size === 0) return undefined;
  const { createBridge } = await import("@mcp-execution/bridge");
  const authProviders = await authProvidersOf(request, servers);
  const bridge = createBridge({
    servers: [...servers.configs.values()],
    limits: { maxCalls: request.limits.maxToolCalls },
    ...(request.connect === undefined ? {} : { connect: request.connect }),
    ...(authProviders === undefined ? {} : { authProviders }),
    ...(request.onDiagnostic === undefined ? {} : { diagnostics: request.onDiagnostic }),
  });
  resources.defer(() => bridge.close());
  return bridge;
}

/**
 * The manifests of the live servers, introspected over the bridge's own connections, which then
 * serve the guest's tool calls: one connection per server, not two. With `skipUnreachableServers`
 * a server that fails is left out with a warning.
 */
async function introspectLive(
  request: RunRequest,
  bridge: Bridge,
  live: readonly string[],
  steps: StepReporter,
): Promise<ServerManifest[]> {
  const manifests = await Promise.all(
    live.map(async (name) => {
      try {
        return await steps.step(`connecting to ${name}`, async () => {
          const started = performance.now();
          const manifest = await bridge.introspect(name, {
            ...(request.signal === undefined ? {} : { signal: request.signal }),
            ...(request.onDiagnostic === undefined ? {} : { diagnostics: request.onDiagnostic }),
          });
          request.onDiagnostic?.({
            level: "debug",
            message: `introspected ${name} in ${Math.round(performance.now() - started)} ms`,
          });
          return manifest;
        });
      } catch (error) {
        if (request.skipUnreachableServers !== true || request.signal?.aborted === true) throw error;
        request.onDiagnostic?.({
          level: "warn",
          message: `left out server ${name}: ${(error as Error).message}`,
        });
        return undefined;
      }
    }),
  );
  return manifests.filter((manifest) => manifest !== undefined);
}

/** What the guest's `callTool` reaches: the run's scope of the bridge, with the caller's hint. */
function guestBridge(request: RunRequest, scoped: ScopedToolBridge | undefined): ToolBridge | undefined {
  if (request.unavailableServerHint === undefined) return scoped;
  return withUnavailableServerHint(scoped, request.unavailableServerHint);
}

async function runComponent(
  request: RunRequest,
  source: ComponentSource,
  bridge: ToolBridge | undefined,
): Promise<ExecutionOutcome> {
  const { executeComponent } = await import("@mcp-execution/wasm-runtime/component");
  const outcome = await executeComponent({
    component: source.bytes,
    filename: source.filename,
    cacheDir: source.cacheDirectory,
    limits: request.limits,
    ...(bridge === undefined ? {} : { bridge }),
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    ...(request.onDiagnostic === undefined ? {} : { onDiagnostic: request.onDiagnostic }),
  });
  const { component, ...rest } = outcome;
  if (component !== undefined) {
    request.onDiagnostic?.({
      level: "debug",
      message: `component ${component.digest.slice(0, 16)}… prepared in ${Math.round(component.prepareMs)} ms${component.fromCache ? " (from the cache)" : ""}`,
    });
  }
  return rest as ExecutionOutcome;
}

/** A one-worker QuickJS executor owned by `resources`, its boot started at once. */
async function startOwnExecutor(
  request: RunRequest,
  resources: ResourceScope,
): Promise<{ executor: CodeExecutor; warming: Promise<void> }> {
  const { QuickJsExecutor } = await import("@mcp-execution/wasm-runtime");
  // One run: one worker thread is all it needs.
  const executor = new QuickJsExecutor({
    maxWorkers: 1,
    ...(request.onDiagnostic === undefined ? {} : { onDiagnostic: request.onDiagnostic }),
  });
  resources.defer(() => executor.close());
  const warming = executor.warmUp(request.limits.memoryBytes);
  // Failures surface where it is awaited; until then, do not report them as unhandled.
  warming.catch(() => {});
  return { executor, warming };
}

function warnWithoutDefaultExport(
  source: ScriptSource,
  outcome: ExecutionOutcome,
  onDiagnostic: DiagnosticListener | undefined,
): void {
  // The sandbox reports a missing default export as a null result.
  if (source.mode !== "module" || !outcome.ok || (outcome.result !== undefined && outcome.result !== null))
    return;
  if (hasDefaultExport(source.source)) return;
  onDiagnostic?.({
    level: "warn",
    message: `${source.filename} has no \`export default\`, so the run has no result; end the module with \`export default <value>\` (an -e snippet uses \`return\` instead)`,
  });
}

async function run(request: RunRequest, resources: ResourceScope): Promise<ExecutionOutcome> {
  const { source } = request;
  if (request.session !== undefined && source.kind === "component") {
    throw new McpCliError(
      "UNSUPPORTED",
      "--session applies to TypeScript and JavaScript, not to WebAssembly components",
      { details: { file: source.filename } },
    );
  }
  // Boot the sandbox (worker thread, QuickJS, the transpiler) now, so it overlaps with connecting
  // to servers. Awaiting the boot before execute() also means no worker is still starting when the
  // executor is closed after an early failure (a syntax error).
  let own: { executor: CodeExecutor; warming: Promise<void> } | undefined;
  if (source.kind === "script" && request.executor === undefined) {
    own = await startOwnExecutor(request, resources);
  }

  const steps = new StepReporter(request.onProgress);
  const skills =
    request.skills === undefined ? [] : await loadSkills(request.skills, resources, request.onDiagnostic);
  const servers = collectServers(request, skills);
  const bridge = await openBridge(request, servers, resources);
  let liveManifests: ServerManifest[] = [];
  if (bridge !== undefined) {
    if (source.kind === "script") liveManifests = await introspectLive(request, bridge, servers.live, steps);
    if (request.skills !== undefined)
      await checkSkillFingerprints(request.skills, skills, bridge, steps, request.onDiagnostic);
  }

  const scoped = bridge?.scope({
    maxCalls: request.limits.maxToolCalls,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
  try {
    if (source.kind === "component") return await runComponent(request, source, guestBridge(request, scoped));

    const tree = await assembleToolTree(liveManifests, skills);
    await request.beforeScript?.(source, tree);
    let files: import("@mcp-execution/vfs").VirtualFileSystem | undefined;
    if (tree.length > 0) {
      const { VirtualFileSystem } = await import("@mcp-execution/vfs");
      const volume = VirtualFileSystem.withTools(tree, {
        workspaceQuotaBytes: request.limits.workspaceBytes,
      });
      resources.defer(() => volume.dispose());
      files = volume;
    }
    let session: { readonly id: SessionId; readonly store: StateStore } | undefined;
    if (request.session !== undefined) {
      const { FileStateStore } = await import("@mcp-execution/wasm-runtime");
      session = { id: request.session.id, store: new FileStateStore(request.session.directory) };
    }
    await own?.warming;
    const executor = own?.executor ?? request.executor;
    if (executor === undefined) throw new Error("a script run has neither its own nor the caller's executor");
    const bridgeForGuest = guestBridge(request, scoped);
    // Without a tree the executor makes the volume itself (an empty /mcp-tools, the same quota).
    const outcome = await executor.execute({
      source: source.source,
      mode: source.mode,
      filename: source.filename,
      ...(source.language === undefined ? {} : { language: source.language }),
      limits: request.limits,
      ...(bridgeForGuest === undefined ? {} : { bridge: bridgeForGuest }),
      ...(files === undefined ? {} : { files }),
      ...(session === undefined ? {} : { session }),
      ...(request.session?.reset === true ? { resetSession: true } : {}),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onLog === undefined ? {} : { onLog: request.onLog }),
    });
    warnWithoutDefaultExport(source, outcome, request.onDiagnostic);
    return outcome;
  } finally {
    // Ends the run's calls still in flight; a shared bridge's connections stay open.
    await scoped?.close();
  }
}

/**
 * Runs `request.source` and resolves to its outcome: `ok: false` with a coded error for every
 * guest failure (exit status by code). It rejects, with a coded `McpCliError`, for what stops a
 * run before the guest starts: `SERVER_UNKNOWN`, connection and introspection errors,
 * `SKILL_NOT_FOUND`, `INTEGRITY`, `FINGERPRINT_MISMATCH`, `UNSUPPORTED` (a session for a component),
 * `CANCELLED`.
 *
 * What the runner opens (a bridge, an executor, volumes) is closed before it returns, or handed
 * to `request.resources`. A caller-owned `bridge` or `executor` is never closed.
 */
export async function runExecution(request: RunRequest): Promise<ExecutionOutcome> {
  const resources = request.resources ?? new ResourceScope("execution");
  try {
    return await run(request, resources);
  } finally {
    if (request.resources === undefined) {
      try {
        await resources.close();
      } catch (error) {
        request.onDiagnostic?.({
          level: "warn",
          message: `while closing the execution's resources: ${(error as Error).message}`,
        });
      }
    }
  }
}
