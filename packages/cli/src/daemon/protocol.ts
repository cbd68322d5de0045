/**
 * The local daemon's wire format and where its socket lives. Kept free of heavy imports: the client
 * side runs at the start of every `execute` and `call`.
 *
 * One Unix socket per configuration: the socket's name carries a fingerprint of everything that
 * decides what the daemon would do (the CLI version, the configuration file, the resolved server
 * entries, the sandbox settings), so a CLI only ever talks to a daemon started for exactly its
 * configuration and falls back to running in-process otherwise.
 *
 * Frames are JSON lines. Requests: `{"id":N,"method":"execute"|"tools"|"call"|"status"|"stop","params":{…}}`.
 * Answers: `{"id":N,"result":…}` or `{"id":N,"error":{"code","message","details"}}`; an execution
 * also streams `{"id":N,"log":{"level","text"}}` lines before its answer. A frame longer than
 * {@link MAX_FRAME_BYTES} ends the connection.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { canonicalJson } from "@mcp-execution/core";
import type { CommandContext } from "../context.js";

export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Where sockets live: `$XDG_RUNTIME_DIR/mcp-cli`, else `<state>/mcp-cli/daemon` (made 0700). */
export function daemonDirectory(context: CommandContext): string {
  const runtime = context.env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && runtime !== "") return join(runtime, "mcp-cli");
  const state = context.env.XDG_STATE_HOME;
  return join(
    state !== undefined && state !== "" ? state : join(context.environment.home, ".local", "state"),
    "mcp-cli",
    "daemon",
  );
}

/** sha256 (not blake3: no wasm to load on this path) over the canonical JSON of what the daemon serves. */
export function configurationFingerprint(version: string, identity: unknown): string {
  return createHash("sha256").update(canonicalJson({ version, identity })).digest("hex").slice(0, 24);
}

/** Socket paths must stay under the 108-byte limit of sun_path: the name is short. */
export function socketPath(context: CommandContext, fingerprint: string): string {
  return join(daemonDirectory(context), `d-${fingerprint}.sock`);
}

export interface DaemonStatus {
  readonly pid: number;
  readonly fingerprint: string;
  readonly version: string;
  readonly configuration: string | null;
  readonly servers: readonly string[];
  readonly tools: number;
  readonly startedAt: string;
  readonly executions: number;
  readonly calls: number;
}
