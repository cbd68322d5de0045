/**
 * `execute` and `call` through the local daemon when one runs for this configuration: the same
 * request, answered by warm servers and sandbox workers. Each function returns undefined when no
 * daemon can take the request (none running, a server it does not serve), and the command then
 * runs in-process exactly as before.
 */
import type {
  ExecutionOutcome,
  LogEntry,
  SandboxLimits,
  ToolCallResult,
  ToolDescriptor,
} from "@mcp-execution/core";
import type { CommandContext } from "../context.js";
import { connectDaemon, type DaemonConnection, daemonIdentity } from "./client.js";
import { currentRemoteRun } from "./remote-run.js";

async function connectionServing(
  context: CommandContext,
  servers: readonly string[],
): Promise<DaemonConnection | undefined> {
  const remote = currentRemoteRun();
  if (context.env.MCP_CLI_NO_DAEMON === "1") {
    if (remote !== undefined) throw remote.decline("MCP_CLI_NO_DAEMON is set");
    return undefined;
  }
  const identity = await daemonIdentity(context);
  if (remote !== undefined) {
    // This command line came from a fast client (remote.ts): this daemon takes it only when the
    // client's configuration is the one it serves, exactly as a socket named by the fingerprint
    // would be found; otherwise the client runs it itself.
    if (
      identity.fingerprint !== remote.fingerprint ||
      !servers.every((server) => identity.servers.includes(server))
    )
      throw remote.decline("another configuration");
    const local = remote.serve(context.signal);
    context.output.debug(`using the mcp-cli daemon for this configuration (${identity.fingerprint})`);
    context.scope.defer(() => local.close());
    return local;
  }
  if (!servers.every((server) => identity.servers.includes(server))) return undefined;
  let connection = await connectDaemon(context, identity.fingerprint);
  if (connection === undefined && servers.some((server) => identity.keepAlive.includes(server))) {
    // A keep-alive server: start the daemon now, so this and later commands find the server warm.
    // If it cannot start, this command still runs in-process.
    try {
      const { startDaemon } = await import("../commands/daemon.js");
      await startDaemon(context, identity);
      connection = await connectDaemon(context, identity.fingerprint);
    } catch (error) {
      context.output.warn(
        `could not start the daemon for keep-alive servers: ${(error as Error).message}; running in-process`,
      );
    }
  }
  if (connection !== undefined && !(await answers(connection))) {
    connection.close();
    context.output.warn(
      `the mcp-cli daemon for this configuration did not answer (within ${ANSWER_TIMEOUT_MS / 1000} s); running in-process`,
    );
    return undefined;
  }
  if (connection !== undefined) {
    context.output.debug(`using the mcp-cli daemon for this configuration (${identity.fingerprint})`);
    context.scope.defer(() => connection.close());
  }
  return connection;
}

/**
 * How long a daemon may take to answer `status` before the command runs in-process: a daemon that
 * hangs (stopped, wedged), or anything else listening at the socket's name, must not hang the
 * command. The fast client gives the daemon the same time to take a command line.
 */
const ANSWER_TIMEOUT_MS = 10_000;

/** Whether the daemon answers `status` within {@link ANSWER_TIMEOUT_MS}. */
async function answers(connection: DaemonConnection): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ANSWER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      connection.request("status").then(
        () => true,
        () => false,
      ),
      silent,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface DaemonExecution {
  readonly source: string;
  readonly mode: "module" | "snippet";
  readonly filename: string;
  readonly language?: "typescript" | "javascript" | undefined;
  readonly limits: SandboxLimits;
  readonly servers: readonly string[];
}

/**
 * Runs the script on the daemon when one runs for this configuration and serves `servers`;
 * undefined otherwise. `onLog` receives the guest's log lines as they happen.
 */
export async function executeViaDaemon(
  context: CommandContext,
  request: DaemonExecution,
  onLog?: (entry: LogEntry) => void,
): Promise<ExecutionOutcome | undefined> {
  const connection = await connectionServing(context, request.servers);
  if (connection === undefined) return undefined;
  return connection.request<ExecutionOutcome>(
    "execute",
    { ...request, streamLogs: onLog !== undefined },
    onLog,
  );
}

/** The daemon's view of one server, for `call`: its tools, and calls through its warm connection. */
export interface DaemonTools {
  tools(server: string): Promise<readonly ToolDescriptor[]>;
  callTool(server: string, tool: string, args: Readonly<Record<string, unknown>>): Promise<ToolCallResult>;
}

export async function toolsViaDaemon(
  context: CommandContext,
  server: string,
): Promise<DaemonTools | undefined> {
  const connection = await connectionServing(context, [server]);
  if (connection === undefined) return undefined;
  return {
    tools: (name) => connection.request<ToolDescriptor[]>("tools", { server: name }),
    callTool: (name, tool, args) => connection.request<ToolCallResult>("call", { server: name, tool, args }),
  };
}
