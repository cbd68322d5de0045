/**
 * `execute [file|-] [-e code]`: runs TypeScript or JavaScript (or a WebAssembly component, for a
 * `.wasm` file) in the sandbox. `--server` makes a server callable and generates its API live under
 * `/mcp-tools`; `--skill` loads a saved skill (checksums verified) and checks its server's tools
 * against the fingerprint it was saved with, refusing a mismatch unless `--accept-tool-changes`.
 *
 * Human mode prints the guest's logs, then the result, on stdout. `--json` prints the execution
 * document of CONVENTIONS.md section 3 and nothing else. A guest failure exits with its code's exit
 * status (2 for errors, 5 for limits).
 */
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import type { Bridge } from "@mcp-execution/bridge";
import {
  DEFAULT_LIMIT_PROFILE,
  type ExecutionOutcome,
  exitCodeFor,
  type GeneratedFile,
  isUrlTarget,
  type LogEntry,
  McpCliError,
  type ResolvedServerConfig,
  resolveLimits,
  type SandboxLimits,
  type SandboxSettings,
  type ServerConfig,
  type ServerManifest,
  sessionId,
} from "@mcp-execution/core";
import type { LoadedSkillWithVfs } from "@mcp-execution/skill-store";
import { loadConfiguration } from "../config-source.js";
import { diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import {
  componentCacheDirectory,
  type SkillScope,
  sessionsDirectory,
  skillsDirectory,
} from "../locations.js";
import { escapeControlCharacters } from "../output.js";
import {
  type AdHocOptions,
  adHocCommandServer,
  resolveForConnection,
  resolveServerTarget,
} from "../server-target.js";
import { withStoredLogin } from "../stored-login.js";
import { generateFiles } from "./generate.js";

export interface ExecuteOptions extends AdHocOptions {
  readonly eval?: string;
  readonly server?: readonly string[];
  readonly skill?: readonly string[];
  readonly session?: string;
  /** Absent: the configuration's `sandbox.profile`, else moderate. */
  readonly profile?: string;
  readonly timeout?: number;
  readonly memory?: number;
  readonly maxOutput?: number;
  readonly maxCalls?: number;
  readonly acceptToolChanges?: boolean;
  /** `--no-daemon` sets false. */
  readonly daemon?: boolean;
  readonly scope?: SkillScope;
}

type Source =
  | {
      readonly kind: "script";
      readonly source: string;
      readonly mode: "module" | "snippet";
      readonly filename: string;
      readonly language?: "typescript" | "javascript";
    }
  | { readonly kind: "component"; readonly bytes: Uint8Array; readonly filename: string };

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

async function readSource(
  context: CommandContext,
  file: string | undefined,
  code: string | undefined,
): Promise<Source> {
  if (file !== undefined && code !== undefined) {
    throw new McpCliError("USAGE", "give either a file (or - for standard input) or -e <code>, not both", {
      details: { file, eval: true },
    });
  }
  if (code !== undefined)
    return { kind: "script", source: code, mode: "snippet", filename: "eval.ts", language: "typescript" };
  if (file === undefined) {
    throw new McpCliError("USAGE", "nothing to run: give a file, - for standard input, or -e <code>", {
      details: { argument: "file" },
    });
  }
  if (file === "-") {
    return {
      kind: "script",
      source: await context.environment.readStdin(),
      mode: "module",
      filename: "stdin.ts",
    };
  }
  const path = resolve(context.cwd, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    throw new McpCliError(
      errno === "ENOENT" ? "FILE_NOT_FOUND" : "PATH_INVALID",
      errno === "ENOENT" ? `${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`,
      { details: { path, errno: errno ?? null } },
    );
  }
  if (extname(path) === ".wasm" || WASM_MAGIC.every((byte, index) => bytes[index] === byte)) {
    return { kind: "component", bytes: new Uint8Array(bytes), filename: file };
  }
  return { kind: "script", source: bytes.toString("utf8"), mode: "module", filename: file };
}

const MIB = 1024 * 1024;
const KIB = 1024;

/** Flags override the configuration's `sandbox` settings, which override the profile. */
export function limitsFrom(options: ExecuteOptions, settings: SandboxSettings | undefined): SandboxLimits {
  return resolveLimits(options.profile ?? settings?.profile ?? DEFAULT_LIMIT_PROFILE, {
    ...settings?.overrides,
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
    ...(options.memory === undefined ? {} : { memoryBytes: options.memory * MIB }),
    ...(options.maxOutput === undefined ? {} : { maxOutputBytes: options.maxOutput * KIB }),
    ...(options.maxCalls === undefined ? {} : { maxToolCalls: options.maxCalls }),
  });
}

interface Servers {
  /** Every server the guest may call, by name. */
  readonly configs: Map<string, ServerConfig>;
  /** Servers whose API is generated live. */
  readonly live: readonly string[];
  readonly skills: readonly LoadedSkillWithVfs[];
}

/** The servers named by --server (names or URLs), after --, and by the skills' metadata. */
async function collectServers(context: CommandContext, options: ExecuteOptions): Promise<Servers> {
  const configs = new Map<string, ServerConfig>();
  const live: string[] = [];
  const add = (server: ServerConfig, generate: boolean): void => {
    if (!configs.has(server.name)) configs.set(server.name, server);
    if (generate && !live.includes(server.name)) live.push(server.name);
  };
  const adHoc = adHocCommandServer(context, options);
  const urls = (options.server ?? []).filter(isUrlTarget);
  if (
    adHoc === undefined &&
    urls.length === 0 &&
    (options.env !== undefined ||
      options.cwd !== undefined ||
      options.header !== undefined ||
      options.name !== undefined)
  ) {
    throw new McpCliError(
      "USAGE",
      "--env, --header, --cwd and --name apply to a --server URL or a command after --",
      {
        details: {},
      },
    );
  }
  if (adHoc !== undefined) add(adHoc, true);
  for (const name of options.server ?? []) {
    add(
      await resolveServerTarget(
        context,
        name,
        isUrlTarget(name)
          ? {
              ...(options.header === undefined ? {} : { header: options.header }),
              ...(options.name === undefined ? {} : { name: options.name }),
            }
          : {},
      ),
      true,
    );
  }
  const skills: LoadedSkillWithVfs[] = [];
  if ((options.skill ?? []).length > 0) {
    const { FileSkillStore } = await import("@mcp-execution/skill-store");
    const store = new FileSkillStore(skillsDirectory(context, options.scope), {
      onDiagnostic: diagnosticsFor(context),
    });
    for (const name of options.skill ?? []) {
      const loaded = await store.load(name);
      context.scope.defer(() => loaded.vfs.dispose());
      skills.push(loaded);
      const server = loaded.metadata.server;
      if (!configs.has(server)) {
        const config = await loadConfiguration(context);
        const entry = config.servers.find((candidate) => candidate.name === server);
        if (entry === undefined) {
          throw new McpCliError(
            "SERVER_UNKNOWN",
            `skill ${loaded.metadata.name} calls server "${server}", which is not configured${config.path === undefined ? "" : ` in ${config.path}`}; configure it, or give it with --server <url> --name ${server} or -- <command> with --name ${server}`,
            { details: { skill: loaded.metadata.name, server, file: config.path ?? null } },
          );
        }
        add(entry, false);
      }
    }
  }
  return { configs, live, skills };
}

/**
 * The manifests of the servers named with --server, introspected over the bridge's own
 * connections, which then serve the guest's tool calls: one connection per server, not two.
 */
async function introspectLive(
  context: CommandContext,
  bridge: Bridge,
  servers: Servers,
): Promise<ServerManifest[]> {
  return Promise.all(
    servers.live.map(async (name) => {
      const progress = context.output.progress(`connecting to ${name}`);
      try {
        const started = performance.now();
        const manifest = await bridge.introspect(name, {
          signal: context.signal,
          diagnostics: diagnosticsFor(context),
        });
        progress.done();
        context.output.debug(`introspected ${name} in ${Math.round(performance.now() - started)} ms`);
        return manifest;
      } catch (error) {
        progress.fail();
        throw error;
      }
    }),
  );
}

/** Checks each skill's server against the fingerprint the skill was saved with. */
async function checkSkillFingerprints(
  context: CommandContext,
  bridge: Bridge,
  skills: readonly LoadedSkillWithVfs[],
  options: ExecuteOptions,
): Promise<void> {
  if (skills.length === 0) return;
  const [{ FileSkillStore }, { computeFingerprint }] = await Promise.all([
    import("@mcp-execution/skill-store"),
    import("@mcp-execution/mcp-client"),
  ]);
  const store = new FileSkillStore(skillsDirectory(context, options.scope));
  for (const skill of skills) {
    const progress = context.output.progress(
      `checking the tools of ${skill.metadata.server} for skill ${skill.metadata.name}`,
    );
    try {
      const current = await computeFingerprint(await bridge.tools(skill.metadata.server));
      const check = await store.checkFingerprint(skill.metadata.name, current, {
        accept: options.acceptToolChanges === true,
      });
      progress.done();
      if (!check.matches) {
        context.output.warn(
          `the tools of ${check.server} changed since skill ${check.name} was saved (added: ${check.diff.added.join(", ") || "none"}; removed: ${check.diff.removed.join(", ") || "none"}; changed: ${check.diff.changed.join(", ") || "none"}); running anyway because of --accept-tool-changes`,
        );
      }
    } catch (error) {
      progress.fail();
      throw error;
    }
  }
}

/** The manifest a skill's tree carries in `servers/<server>/manifest.json`. */
function skillManifest(skill: LoadedSkillWithVfs): ServerManifest {
  const file = skill.files.find(
    (candidate) => candidate.path === `servers/${skill.metadata.server}/manifest.json`,
  );
  if (file === undefined) {
    throw new McpCliError(
      "INTEGRITY",
      `skill ${skill.metadata.name} has no servers/${skill.metadata.server}/manifest.json`,
      {
        details: { name: skill.metadata.name },
      },
    );
  }
  return JSON.parse(file.contents) as ServerManifest;
}

/**
 * The `/mcp-tools` tree: each skill's verified files and the live servers' generated files. With
 * more than one source, SKILL.md and REFERENCE.md are generated anew to cover every server.
 */
async function toolTree(
  liveManifests: readonly ServerManifest[],
  skills: readonly LoadedSkillWithVfs[],
): Promise<GeneratedFile[]> {
  const sources = liveManifests.length + skills.length;
  if (sources === 0) return [];
  const liveFiles = liveManifests.length === 0 ? [] : await generateFilesFor(liveManifests);
  if (sources === 1) return liveManifests.length === 1 ? liveFiles : [...(skills[0]?.files ?? [])];
  const byPath = new Map<string, string>();
  for (const skill of skills) {
    for (const file of skill.files)
      if (file.path.startsWith("servers/")) byPath.set(file.path, file.contents);
  }
  for (const file of liveFiles)
    if (file.path.startsWith("servers/") && !byPath.has(file.path)) byPath.set(file.path, file.contents);
  const { generateTree } = await import("@mcp-execution/codegen");
  const seen = new Set(liveManifests.map((manifest) => manifest.server));
  const all = [
    ...liveManifests,
    ...skills.map(skillManifest).filter((manifest) => !seen.has(manifest.server)),
  ];
  for (const file of generateTree(all))
    if (!file.path.startsWith("servers/")) byPath.set(file.path, file.contents);
  return [...byPath].map(([path, contents]) => ({ path, contents }));
}

async function generateFilesFor(manifests: readonly ServerManifest[]): Promise<GeneratedFile[]> {
  if (manifests.length === 1) return generateFiles(manifests[0] as ServerManifest);
  const { generateTree } = await import("@mcp-execution/codegen");
  return generateTree(manifests);
}

// Guest output is untrusted: control characters are escaped so it cannot drive the terminal.
function formatLog(entry: LogEntry): string {
  const text = escapeControlCharacters(entry.text);
  return entry.level === "log" || entry.level === "info" ? text : `[${entry.level}] ${text}`;
}

function formatResult(result: unknown): string | undefined {
  if (result === undefined) return undefined;
  if (typeof result === "string") return escapeControlCharacters(result);
  return JSON.stringify(result, null, 2);
}

/** Prints the outcome and returns the exit code. */
function report(context: CommandContext, outcome: ExecutionOutcome): number {
  const { output } = context;
  if (output.json) {
    output.document(
      outcome.ok
        ? {
            ok: true,
            result: outcome.result === undefined ? null : outcome.result,
            logs: outcome.logs,
            stats: outcome.stats,
          }
        : { ok: false, error: outcome.error, logs: outcome.logs, stats: outcome.stats },
    );
  } else {
    if (outcome.logs.length > 0) output.data(outcome.logs.map(formatLog).join("\n"));
    if (outcome.ok) {
      const text = formatResult(outcome.result);
      if (text !== undefined) output.data(text);
    } else {
      output.error(`${outcome.error.message} (${outcome.error.code})`);
      if (outcome.error.code === "INTERNAL") {
        output.stderr(
          "This is a bug in mcp-cli's sandbox, not in your code. Please report it with the code you ran.",
        );
      }
    }
  }
  const { durationMs, toolCalls, memoryBytes } = outcome.stats;
  output.debug(
    `ran in ${Math.round(durationMs)} ms, ${toolCalls} tool calls, ${(memoryBytes / MIB).toFixed(1)} MiB`,
  );
  return outcome.ok ? 0 : exitCodeFor(outcome.error.code);
}

export async function executeCommand(
  context: CommandContext,
  file: string | undefined,
  options: ExecuteOptions,
): Promise<number> {
  const source = await readSource(context, file, options.eval);
  const limits = limitsFrom(options, (await loadConfiguration(context)).sandbox);
  const session = options.session === undefined ? undefined : sessionId(options.session);
  if (session !== undefined && source.kind === "component") {
    throw new McpCliError(
      "UNSUPPORTED",
      "--session applies to TypeScript and JavaScript, not to WebAssembly components",
      {
        details: { file: source.filename },
      },
    );
  }

  // Configured servers only (no skills, sessions, URLs or commands given here): a daemon started for
  // this configuration may run the script on warm servers and workers.
  if (
    options.daemon !== false &&
    source.kind === "script" &&
    session === undefined &&
    (options.skill ?? []).length === 0 &&
    context.adHoc === undefined &&
    !(options.server ?? []).some(isUrlTarget)
  ) {
    const { executeViaDaemon } = await import("../daemon/use.js");
    const outcome = await executeViaDaemon(context, {
      source: source.source,
      mode: source.mode,
      filename: source.filename,
      language: source.language,
      limits,
      servers: options.server ?? [],
    });
    if (outcome !== undefined) return report(context, outcome);
  }

  // Boot the sandbox (worker thread, QuickJS, the transpiler) now, so it overlaps with connecting to
  // servers; execute() below then finds it ready. Awaiting the boot before execute() also means no
  // worker is still starting when the executor is closed after an early failure (a syntax error).
  let warming: Promise<void> | undefined;
  let executor: import("@mcp-execution/wasm-runtime").QuickJsExecutor | undefined;
  let stateStore: typeof import("@mcp-execution/wasm-runtime").FileStateStore | undefined;
  if (source.kind === "script") {
    const runtime = await import("@mcp-execution/wasm-runtime");
    // One run per process: one worker thread is all it needs.
    const created = new runtime.QuickJsExecutor({ maxWorkers: 1, onDiagnostic: diagnosticsFor(context) });
    context.scope.defer(() => created.close());
    warming = created.warmUp(limits.memoryBytes);
    // Failures surface where it is awaited; until then, do not report them as unhandled.
    warming.catch(() => {});
    executor = created;
    stateStore = runtime.FileStateStore;
  }

  const servers = await collectServers(context, options);

  let bridge: Bridge | undefined;
  let liveManifests: ServerManifest[] = [];
  if (servers.configs.size > 0) {
    const resolved: ResolvedServerConfig[] = await Promise.all(
      [...servers.configs.values()].map((server) =>
        withStoredLogin(context, resolveForConnection(context, server)),
      ),
    );
    const { createBridge } = await import("@mcp-execution/bridge");
    bridge = createBridge({
      servers: resolved,
      limits: { maxCalls: limits.maxToolCalls },
      connect: { environment: context.env, cwd: context.cwd },
      diagnostics: diagnosticsFor(context),
    });
    const owned = bridge;
    context.scope.defer(() => owned.close());
    if (source.kind === "script") liveManifests = await introspectLive(context, bridge, servers);
    await checkSkillFingerprints(context, bridge, servers.skills, options);
  }
  const scoped = bridge?.scope({ maxCalls: limits.maxToolCalls, signal: context.signal });

  if (source.kind === "component") {
    const { executeComponent } = await import("@mcp-execution/wasm-runtime/component");
    const outcome = await executeComponent({
      component: source.bytes,
      filename: source.filename,
      cacheDir: componentCacheDirectory(context),
      limits,
      ...(scoped === undefined ? {} : { bridge: scoped }),
      signal: context.signal,
      onDiagnostic: diagnosticsFor(context),
    });
    if (outcome.component !== undefined) {
      context.output.debug(
        `component ${outcome.component.digest.slice(0, 16)}… prepared in ${Math.round(outcome.component.prepareMs)} ms${outcome.component.fromCache ? " (from the cache)" : ""}`,
      );
    }
    return report(context, outcome);
  }

  if (executor === undefined || stateStore === undefined) throw new Error("the sandbox was not created");
  const tree = await toolTree(liveManifests, servers.skills);
  let files: import("@mcp-execution/vfs").VirtualFileSystem | undefined;
  if (tree.length > 0) {
    const { VirtualFileSystem } = await import("@mcp-execution/vfs");
    const volume = VirtualFileSystem.withTools(tree, { workspaceQuotaBytes: limits.workspaceBytes });
    context.scope.defer(() => volume.dispose());
    files = volume;
  }
  // Without a tree the executor makes the volume itself (an empty /mcp-tools, the same quota).
  await warming;
  const outcome = await executor.execute({
    source: source.source,
    mode: source.mode,
    filename: source.filename,
    ...(source.language === undefined ? {} : { language: source.language }),
    limits,
    ...(scoped === undefined ? {} : { bridge: scoped }),
    ...(files === undefined ? {} : { files }),
    ...(session === undefined
      ? {}
      : { session: { id: session, store: new stateStore(sessionsDirectory(context)) } }),
    signal: context.signal,
  });
  return report(context, outcome);
}
