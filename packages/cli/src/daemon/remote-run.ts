/**
 * The command line the daemon is running for a fast client (remote.ts), as seen from inside the
 * CLI's own code: daemon/use.ts asks {@link currentRemoteRun} at its decision point. Outside a
 * daemon, and in the daemon outside such a run, there is none. Kept tiny: use.ts loads it on
 * every `execute` and `call`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { DaemonConnection } from "./client.js";

export interface RemoteRun {
  /** The fingerprint of the configuration this daemon serves. */
  readonly fingerprint: string;
  /**
   * The daemon takes the command: from here on the client prints what the command prints and
   * never runs it itself. Returns the connection to this daemon's own runtime.
   */
  serve(signal: AbortSignal): DaemonConnection;
  /** The daemon declines (another configuration, a question to ask...): the client runs the command. */
  decline(reason: string): Error;
}

export const remoteRuns = new AsyncLocalStorage<RemoteRun>();

export function currentRemoteRun(): RemoteRun | undefined {
  return remoteRuns.getStore();
}
