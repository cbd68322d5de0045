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
 *
 * `cli` (the fast client of bin.ts, see fast-client.ts and remote.ts) runs a whole `execute` or
 * `call` command line in the daemon: `{"method":"cli","params":{argv,env,cwd,home,terminal}}`.
 * The daemon answers `{"id":N,"served":true}` once it takes the command (it then never falls
 * back), `{"id":N,"out":"stdout"|"stderr","text":…}` for what the command prints, and finally
 * `{"id":N,"result":{"exit":code}}`, or `{"id":N,"result":{"fallback":true}}` before `served` when
 * the client must run the command itself. `{"method":"interrupt","params":{"request":N}}` is
 * the client's Ctrl-C.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { canonicalJson } from "@mcp-execution/core";
import type { CommandContext } from "../context.js";
import { daemonDirectoryFor, socketFileName } from "./paths.js";

export { MAX_FRAME_BYTES } from "./frames.js";

/** Where sockets live: `$XDG_RUNTIME_DIR/mcp-cli`, else `<state>/mcp-cli/daemon` (made 0700). */
export function daemonDirectory(context: CommandContext): string {
  return daemonDirectoryFor(context.env, context.environment.home);
}

/** sha256 (not blake3: no wasm to load on this path) over the canonical JSON of what the daemon serves. */
export function configurationFingerprint(version: string, identity: unknown): string {
  return createHash("sha256").update(canonicalJson({ version, identity })).digest("hex").slice(0, 24);
}

/** Socket paths must stay under the 108-byte limit of sun_path: the name is short. */
export function socketPath(context: CommandContext, fingerprint: string): string {
  return join(daemonDirectory(context), socketFileName(fingerprint));
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
