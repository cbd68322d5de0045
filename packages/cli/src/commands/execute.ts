/**
 * `execute [file|-] [-e code]`: reads the source, merges limits, resolves server names, and hands
 * the run to `runExecution` (packages/runner), which owns everything between (servers, skills,
 * live API generation, the fingerprint policy, the choice of sandbox). Then it prints.
 *
 * Human mode writes the guest's log lines on stderr as they arrive and the result on stdout.
 * `--json` prints the execution document of docs/conventions.md section 3 and nothing else. A
 * guest failure exits with its code's exit status (2 for errors, 5 for limits).
 */
import {
  type GeneratedFile,
  isUrlTarget,
  type LoadedConfig,
  type LogEntry,
  McpCliError,
  type SandboxLimits,
  type ServerConfig,
  sessionId,
} from "@mcp-execution/core";
import type { RunRequest, ScriptSource } from "@mcp-execution/runner";
import { loadConfiguration } from "../config-source.js";
import { ensureTrusted } from "../config-trust.js";
import { clientOffers, diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type LimitFlags, limitsFrom } from "../execution-limits.js";
import { formatLog, progressListener, reportOutcome } from "../execution-output.js";
import { readExecutionSource } from "../execution-source.js";
import { type SkillScope, sessionsDirectory, skillsDirectory } from "../locations.js";
import {
  type AdHocOptions,
  adHocCommandServer,
  resolveForConnection,
  resolveServerTarget,
} from "../server-target.js";
import { storedLoginProviders } from "../stored-login.js";

export interface ExecuteOptions extends AdHocOptions, LimitFlags {
  readonly eval?: string;
  readonly server?: readonly string[];
  readonly allServers?: boolean;
  readonly skill?: readonly string[];
  readonly session?: string;
  readonly resetSession?: boolean;
  readonly acceptToolChanges?: boolean;
  /** `--no-daemon` sets false. */
  readonly daemon?: boolean;
  readonly scope?: SkillScope;
  /** Type-check the script against the generated tree first (`GUEST_TYPE`, exit 2). */
  readonly check?: boolean;
}

/** The servers made callable, with their API generated: after --, by --server, by --all-servers. */
async function liveServers(
  context: CommandContext,
  options: ExecuteOptions,
  config: LoadedConfig,
): Promise<ServerConfig[]> {
  const adHoc = adHocCommandServer(context, options);
  const names = options.server ?? [];
  const urls = names.filter(isUrlTarget);
  const adHocFlags = [options.env, options.cwd, options.header, options.name].some(
    (flag) => flag !== undefined,
  );
  if (adHoc === undefined && urls.length === 0 && adHocFlags) {
    throw new McpCliError(
      "USAGE",
      "--env, --header, --cwd and --name apply to a --server URL or a command after --",
      {
        details: {},
      },
    );
  }
  const servers: ServerConfig[] = adHoc === undefined ? [] : [adHoc];
  const urlOptions = {
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  for (const name of names)
    servers.push(await resolveServerTarget(context, name, isUrlTarget(name) ? urlOptions : {}));
  if (options.allServers === true) servers.push(...config.servers.filter((server) => !server.disabled));
  return servers;
}

/** The caller-side policy the runner asks for: where a skill's server comes from, and hints. */
function serverLookups(
  context: CommandContext,
  config: LoadedConfig,
): Pick<RunRequest, "resolveSkillServer" | "unavailableServerHint"> {
  const entry = (name: string) => config.servers.find((candidate) => candidate.name === name);
  return {
    resolveSkillServer(server, skill) {
      const found = entry(server);
      if (found === undefined) {
        throw new McpCliError(
          "SERVER_UNKNOWN",
          `skill ${skill} calls server "${server}", which is not configured${config.path === undefined ? "" : ` in ${config.path}`}; configure it, or give it with --server <url> --name ${server} or -- <command> with --name ${server}`,
          { details: { skill, server, file: config.path ?? null } },
        );
      }
      return resolveForConnection(context, found);
    },
    unavailableServerHint(server) {
      const found = entry(server);
      if (found === undefined) return undefined;
      return found.disabled
        ? `"${server}" is configured in ${found.source} but disabled there.`
        : `"${server}" is configured in ${found.source}: pass --server ${server} (or --all-servers) to make it callable.`;
    },
  };
}

type GuestTypeChecker = import("@mcp-execution/codegen/type-check").GuestTypeChecker;

/**
 * `--check`: the TypeScript compiler over the script and the tree, after the servers are
 * introspected and before the guest starts, so no tool is called when it fails. Errors are
 * `GUEST_TYPE` (exit 2) with the script's own lines and columns.
 */
async function checkTypes(
  context: CommandContext,
  checker: GuestTypeChecker,
  source: ScriptSource,
  tree: readonly GeneratedFile[],
  limits: SandboxLimits,
): Promise<void> {
  const progress = context.output.progress("type-checking");
  const { guestTypeError } = await import("@mcp-execution/codegen/type-check");
  let report: import("@mcp-execution/codegen/type-check").GuestTypeReport;
  try {
    report = await checker.check({
      source: source.source,
      files: tree,
      filename: source.filename,
      mode: source.mode,
      ...(source.language === undefined ? {} : { language: source.language }),
      timeoutMs: limits.timeoutMs,
      signal: context.signal,
    });
  } catch (error) {
    progress.fail();
    throw error;
  }
  progress.done();
  if (report.total > 0) throw guestTypeError(report);
}

export async function executeCommand(
  context: CommandContext,
  file: string | undefined,
  options: ExecuteOptions,
): Promise<number> {
  const source = await readExecutionSource(context, file, options.eval);
  if (options.check === true && source.kind === "component") {
    throw new McpCliError(
      "USAGE",
      "--check applies to TypeScript and JavaScript, not to WebAssembly components",
      {
        details: { file: source.filename },
      },
    );
  }
  const config = await loadConfiguration(context);
  const limits = limitsFrom(options, config.sandbox);
  const session = options.session === undefined ? undefined : sessionId(options.session);
  const servers = (await liveServers(context, options, config)).map((server) =>
    resolveForConnection(context, server),
  );
  const skills = options.skill ?? [];
  // Servers a skill names come from the configuration without resolveServerTarget: ask here too.
  if (skills.length > 0 || options.allServers === true) {
    await ensureTrusted(
      context,
      config.servers.filter((server) => !server.disabled),
    );
  }
  // Human mode prints guest log lines on stderr as they happen (in-process or from the daemon).
  let streamedLogs = 0;
  const streamLogs = context.output.json
    ? undefined
    : (entry: LogEntry) => {
        streamedLogs++;
        context.output.stderr(formatLog(entry));
      };
  // Configured servers only (no skills, sessions, URLs or commands after --): a daemon started for
  // this configuration may run the script on warm servers and workers. --check needs the generated
  // tree in this process, so a checked run stays here.
  const daemonMayRun =
    options.daemon !== false && options.check !== true && session === undefined && skills.length === 0;
  if (
    daemonMayRun &&
    source.kind === "script" &&
    context.adHoc === undefined &&
    !(options.server ?? []).some(isUrlTarget)
  ) {
    const { executeViaDaemon } = await import("../daemon/use.js");
    const { kind: _, ...script } = source;
    const names = servers.map((server) => server.name);
    const viaDaemon = await executeViaDaemon(context, { ...script, limits, servers: names }, streamLogs);
    if (viaDaemon !== undefined) return reportOutcome(context, viaDaemon, streamedLogs);
  }
  // --check: start the checker now, so the compiler loads while the servers start.
  let checker: GuestTypeChecker | undefined;
  if (options.check === true && source.kind === "script") {
    const { startGuestTypeChecker } = await import("@mcp-execution/codegen/type-check");
    const started = startGuestTypeChecker();
    context.scope.defer(() => started.close());
    checker = started;
  }
  const typeCheck = checker;
  const { runExecution } = await import("@mcp-execution/runner");
  const outcome = await runExecution({
    source,
    limits,
    servers,
    ...(options.allServers === true ? { skipUnreachableServers: true } : {}),
    ...(skills.length === 0
      ? {}
      : {
          skills: {
            names: skills,
            directory: skillsDirectory(context, options.scope),
            acceptToolChanges: options.acceptToolChanges === true,
          },
        }),
    ...serverLookups(context, config),
    ...(typeCheck === undefined
      ? {}
      : { beforeScript: (script, tree) => checkTypes(context, typeCheck, script, tree, limits) }),
    ...(session === undefined
      ? {}
      : {
          session: {
            id: session,
            directory: sessionsDirectory(context),
            ...(options.resetSession === true ? { reset: true } : {}),
          },
        }),
    connect: { environment: context.env, cwd: context.cwd, ...(await clientOffers(context, false)) },
    authProviders: await storedLoginProviders(context, servers),
    resources: context.scope,
    signal: context.signal,
    onDiagnostic: diagnosticsFor(context),
    onProgress: progressListener(context),
    ...(streamLogs === undefined ? {} : { onLog: streamLogs }),
  });
  return reportOutcome(context, outcome, streamedLogs);
}
