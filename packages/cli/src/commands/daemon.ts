/**
 * `daemon start|status|stop`: a local daemon that keeps the configuration's servers and sandbox
 * workers warm for `execute` and `call` (see docs/serve.md#the-local-daemon). `daemon run` is the
 * daemon itself, started detached by `start`.
 */
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { chmod, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { McpCliError } from "@mcp-execution/core";
import { loadConfiguration } from "../config-source.js";
import { ensureTrusted } from "../config-trust.js";
import type { CommandContext } from "../context.js";
import { connectDaemon, daemonIdentity } from "../daemon/client.js";
import { type DaemonStatus, daemonDirectory, socketPath } from "../daemon/protocol.js";

export interface DaemonStartOptions {
  /** Minutes without a request after which the daemon exits. */
  readonly idleTimeout?: number;
}

const DEFAULT_IDLE_MINUTES = 30;

async function runningStatus(
  context: CommandContext,
  fingerprint: string,
): Promise<DaemonStatus | undefined> {
  const connection = await connectDaemon(context, fingerprint);
  if (connection === undefined) return undefined;
  try {
    return await connection.request<DaemonStatus>("status");
  } finally {
    connection.close();
  }
}

function describe(status: DaemonStatus): string {
  return `pid ${status.pid}, ${status.servers.length} server(s) (${status.servers.join(", ") || "none"}), ${status.tools} tools, ${status.executions} executions and ${status.calls} calls since ${status.startedAt}`;
}

export async function daemonStartCommand(
  context: CommandContext,
  options: DaemonStartOptions,
): Promise<number> {
  const identity = await daemonIdentity(context);
  const already = await runningStatus(context, identity.fingerprint);
  if (already !== undefined) {
    if (context.output.json) context.output.document({ ok: true, started: false, daemon: already });
    else context.output.data(`the daemon for this configuration is already running: ${describe(already)}`);
    return 0;
  }
  const status = await startDaemon(context, identity, options.idleTimeout ?? DEFAULT_IDLE_MINUTES);
  if (context.output.json) context.output.document({ ok: true, started: true, daemon: status });
  else context.output.data(`started the daemon: ${describe(status)}`);
  return 0;
}

/**
 * Starts the daemon for `identity` detached and waits until it answers (its servers connected, its
 * workers warm). `daemon start` uses it, and so do `execute` and `call` for `keep-alive` servers.
 */
export async function startDaemon(
  context: CommandContext,
  identity: { readonly fingerprint: string; readonly servers: readonly string[] },
  idleMinutes: number = DEFAULT_IDLE_MINUTES,
): Promise<DaemonStatus> {
  // The detached daemon has no terminal to ask on: an unapproved project file is asked about (or
  // refused with CONFIG_UNTRUSTED) here, before it starts.
  const configuration = await loadConfiguration(context);
  await ensureTrusted(
    context,
    configuration.servers.filter((server) => !server.disabled),
  );
  const directory = daemonDirectory(context);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const logPath = join(directory, `d-${identity.fingerprint}.log`);
  // Never through a link planted at the log's name: O_NOFOLLOW refuses it.
  const log = await open(
    logPath,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o600,
  );
  const entry = process.argv[1];
  if (entry === undefined)
    throw new McpCliError("INTERNAL", "cannot tell which file started mcp-cli", { details: {} });
  const child = spawn(
    process.execPath,
    [
      // An idle daemon otherwise keeps V8's grown young generation (mostly garbage): with 2 MiB
      // semi-spaces an idle serve with three servers measured 135.7 MiB instead of 155.5 MiB, at
      // the same latency (docs/serve.md).
      "--max-semi-space-size=2",
      entry,
      ...(context.globals.config === undefined ? [] : ["--config", context.globals.config]),
      ...(context.globals.trustProject === true ? ["--trust-project"] : []),
      "daemon",
      "run",
      "--fingerprint",
      identity.fingerprint,
      "--idle-timeout",
      String(idleMinutes),
    ],
    { cwd: context.cwd, env: context.env, detached: true, stdio: ["ignore", log.fd, log.fd] },
  );
  await log.close();
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  child.unref();
  const progress = context.output.progress(`starting the daemon (${identity.servers.length} servers)`);
  // The daemon answers once its servers are connected and its workers warm; it may also fail.
  for (;;) {
    const status = await runningStatus(context, identity.fingerprint);
    if (status !== undefined) {
      progress.done();
      return status;
    }
    if (exited !== undefined) {
      progress.fail();
      throw new McpCliError(
        "CONNECT_FAILED",
        `the daemon exited with code ${exited} while starting; see ${logPath}`,
        {
          details: { log: logPath },
        },
      );
    }
    if (context.signal.aborted) throw context.signal.reason;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function daemonStatusCommand(context: CommandContext): Promise<number> {
  const identity = await daemonIdentity(context);
  const status = await runningStatus(context, identity.fingerprint);
  if (context.output.json) {
    context.output.document({
      ok: true,
      running: status !== undefined,
      socket: socketPath(context, identity.fingerprint),
      ...(status === undefined ? {} : { daemon: status }),
    });
  } else {
    context.output.data(
      status === undefined
        ? "no daemon runs for this configuration (mcp-cli daemon start)"
        : `running: ${describe(status)}`,
    );
  }
  return 0;
}

export async function daemonStopCommand(context: CommandContext): Promise<number> {
  const identity = await daemonIdentity(context);
  const connection = await connectDaemon(context, identity.fingerprint);
  if (connection === undefined) {
    if (context.output.json) context.output.document({ ok: true, stopped: false });
    else context.output.data("no daemon runs for this configuration");
    return 0;
  }
  await connection.request("stop");
  connection.close();
  if (context.output.json) context.output.document({ ok: true, stopped: true });
  else context.output.data("stopped the daemon");
  return 0;
}

export async function daemonRunCommand(
  context: CommandContext,
  options: { fingerprint: string; idleTimeout: number },
): Promise<number> {
  const identity = await daemonIdentity(context);
  if (identity.fingerprint !== options.fingerprint) {
    throw new McpCliError(
      "CONFIG_INVALID",
      "the configuration changed while the daemon was starting; run mcp-cli daemon start again",
      {
        details: {},
      },
    );
  }
  const { runDaemon } = await import("../daemon/server.js");
  return runDaemon(context, {
    all: true,
    socket: socketPath(context, identity.fingerprint),
    fingerprint: identity.fingerprint,
    idleMs: options.idleTimeout * 60_000,
    configuration: identity.configuration,
  });
}
