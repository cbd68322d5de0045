/**
 * `execute [file|-] [-e code]`: reads the source, merges limits, resolves server names, and hands
 * the run to `runExecution` (packages/runner), which owns everything between (servers, skills,
 * live API generation, the fingerprint policy, the choice of sandbox). Then it prints.
 *
 * Human mode writes the guest's log lines on stderr as they arrive and the result on stdout.
 * `--json` prints the execution document of docs/conventions.md section 3 and nothing else. A
 * guest failure exits with its code's exit status (2 for errors, 5 for limits).
 */
import { isUrlTarget, type LogEntry, McpCliError, sessionId } from "@mcp-execution/core";
import { loadConfiguration } from "../config-source.js";
import { ensureTrusted } from "../config-trust.js";
import { clientOffers, diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import { daemonSocketsExist } from "../daemon/paths.js";
import { checkTypes, type GuestTypeChecker } from "../execution-check.js";
import { type LimitFlags, limitsFrom } from "../execution-limits.js";
import { formatLog, progressListener, reportOutcome } from "../execution-output.js";
import { liveServers, serverLookups } from "../execution-servers.js";
import { readExecutionSource } from "../execution-source.js";
import { type SkillScope, sessionsDirectory, skillsDirectory } from "../locations.js";
import { type AdHocOptions, resolveForConnection } from "../server-target.js";
import { storedLoginProviderFor, storedLoginProviders } from "../stored-login.js";

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
    !(options.server ?? []).some(isUrlTarget) &&
    // With no daemon socket at all, only a keep-alive server (which needs a server named) would
    // start a daemon: a run without servers skips identifying the configuration for nothing.
    (servers.length > 0 || daemonSocketsExist(context.env, context.environment.home))
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
  // The run's executor adopts the worker execution-prestart.ts started before the flags were parsed, if any.
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
    // A server only a skill brings in gets its stored login too.
    authProviderFor: (server) => storedLoginProviderFor(context, server),
    resources: context.scope,
    signal: context.signal,
    onDiagnostic: diagnosticsFor(context),
    onProgress: progressListener(context),
    ...(streamLogs === undefined ? {} : { onLog: streamLogs }),
  });
  return reportOutcome(context, outcome, streamedLogs);
}
