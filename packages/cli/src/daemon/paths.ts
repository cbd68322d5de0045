/**
 * Where the daemon's files live, with no imports beyond node:path: the fast client in bin.ts
 * (fast-client.ts) finds a daemon from these names without loading the rest of the CLI.
 *
 * - `d-<fingerprint>.sock`: the daemon's socket, named by the configuration fingerprint
 *   (protocol.ts); `d-<fingerprint>.log` its log.
 * - `l-<locator>`: written by a daemon when it listens; holds its fingerprint. The locator is a
 *   hash of what a client knows before reading any configuration (the CLI version, the working
 *   folder, the `--config` flag as typed). It is only a hint where to knock: the daemon itself
 *   checks the client's configuration (see remote.ts), so a stale or colliding record costs one
 *   refused attempt, never a wrong answer.
 */
import { closeSync, constants, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";

/** `$XDG_RUNTIME_DIR/mcp-cli`, else `<state>/mcp-cli/daemon` (made 0700 by the daemon). */
export function daemonDirectoryFor(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && runtime !== "") return join(runtime, "mcp-cli");
  const state = env.XDG_STATE_HOME;
  return join(
    state !== undefined && state !== "" ? state : join(home, ".local", "state"),
    "mcp-cli",
    "daemon",
  );
}

/**
 * Whether any daemon's socket is in the daemon folder: a cheap look (one directory listing) before
 * anything that identifies or connects to a daemon. False when the folder is missing or unreadable.
 */
export function daemonSocketsExist(env: Readonly<Record<string, string | undefined>>, home: string): boolean {
  try {
    return readdirSync(daemonDirectoryFor(env, home)).some((name) => name.endsWith(".sock"));
  } catch {
    return false;
  }
}

/** Socket paths must stay under the 108-byte limit of sun_path: the name is short. */
export function socketFileName(fingerprint: string): string {
  return `d-${fingerprint}.sock`;
}

/** What a fingerprint looks like (protocol.ts); anything else read from a record is ignored. */
export const FINGERPRINT_PATTERN = /^[0-9a-f]{24}$/;

/** 64-bit FNV-1a, in hex: a cheap, stable name (not a security boundary; see above). */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

/** The record's name for a CLI `version` run in `cwd` with `--config` given as `configFlag`. */
export function locatorFileName(version: string, cwd: string, configFlag: string | undefined): string {
  return `l-${fnv1a64(JSON.stringify([version, cwd, configFlag ?? null]))}`;
}

/** The fingerprint in the locator record, or undefined (no record, a link, anything odd). */
export function readRecord(path: string): string | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(64);
    const length = readSync(descriptor, buffer, 0, buffer.length, 0);
    const fingerprint = buffer.subarray(0, length).toString("utf8").trim();
    return FINGERPRINT_PATTERN.test(fingerprint) ? fingerprint : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(descriptor);
  }
}
