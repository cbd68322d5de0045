/**
 * One lock file per skill, `<skills-dir>/.<name>.lock`, so saves and removals of one skill never
 * interleave, across processes and inside one.
 *
 * Taking it: write the owner record to `.<name>.lock.new-<token>` (O_EXCL, 0600), then `link()` it
 * to `.<name>.lock`. `link` fails with EEXIST when the lock exists, like O_EXCL, but the lock file
 * appears with its contents complete, so a crash can never leave an empty lock of unknown owner.
 *
 * A lock is stale when its owner is a process on this host that no longer exists, or when it is
 * older than `staleMs` (another host, or a reused process id). Breaking it: rename it aside to a
 * name only this caller uses, re-read it, and delete it only if it is still the record that was
 * judged stale; if it is not (someone broke and re-took it in between), link it back.
 */
import { randomBytes } from "node:crypto";
import { link, lstat, open, rename, rm, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { type DiagnosticListener, McpCliError, type SkillId } from "@mcp-execution/core";
import { readContainedFile } from "./contained-path.js";
import { FILE_MODE, sidePath } from "./layout.js";

/**
 * The largest lock record read. Ours are about 100 bytes; anything bigger is not a record of
 * ours and is judged by its age alone, without reading it.
 */
export const MAX_LOCK_FILE_BYTES = 4096;

/**
 * What a lock file says, read without following links and without reading more than
 * {@link MAX_LOCK_FILE_BYTES}: its text ("" when it is oversized or not a regular file, which
 * makes it unparseable) and its age. An mtime in the future counts by its distance from now, so
 * a lock stamped years ahead is old, not forever young. `undefined` when it does not exist.
 */
export async function readLockFile(path: string): Promise<{ text: string; ageMs: number } | undefined> {
  const read = await readContainedFile(path, undefined, MAX_LOCK_FILE_BYTES);
  if (read.kind === "missing") return undefined;
  let mtimeMs: number;
  try {
    mtimeMs = (await lstat(path)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  return {
    text: read.kind === "file" ? read.bytes.toString("utf8") : "",
    ageMs: Math.abs(Date.now() - mtimeMs),
  };
}

export interface LockOptions {
  /** How long `acquire` waits for a live owner before failing with `SKILL_LOCKED`. */
  readonly timeoutMs: number;
  /** Age after which a lock is stale even if its process id is alive. */
  readonly staleMs: number;
  readonly onDiagnostic?: DiagnosticListener | undefined;
}

interface LockRecord {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly createdAt: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function newToken(): string {
  return randomBytes(8).toString("hex");
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === "EPERM";
  }
}

// A host name as the OS gives it: nothing else is accepted from a lock record.
const HOST_NAME = /^[A-Za-z0-9._-]{1,253}$/;
const TOKEN = /^[\w-]{1,64}$/;

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (
      Number.isSafeInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.host === "string" &&
      HOST_NAME.test(value.host) &&
      typeof value.token === "string" &&
      TOKEN.test(value.token) &&
      typeof value.createdAt === "number"
    ) {
      return value as LockRecord;
    }
  } catch {
    // An unreadable record is judged by the file's age below.
  }
  return undefined;
}

/**
 * Whether a `.lock.new-*` or `.lock.stale-*` file was left by a process that is gone, so that it
 * can be deleted. Its record (if complete) names the owner; a new-lock file that is still empty
 * names its creator's pid in its own name (`new-<hex pid>-<token>`). Anything older than `staleMs`
 * is abandoned too.
 */
export function isAbandonedLockFile(text: string, fileName: string, ageMs: number, staleMs: number): boolean {
  if (ageMs > staleMs) return true;
  const record = parseRecord(text);
  if (record !== undefined) {
    return record.host === hostname() && record.pid !== process.pid && !processExists(record.pid);
  }
  const pid = /\.lock\.new-([0-9a-f]+)-[0-9a-f]+$/.exec(fileName)?.[1];
  if (pid === undefined) return false;
  const owner = Number.parseInt(pid, 16);
  return owner !== process.pid && !processExists(owner);
}

/** A held lock. Release it exactly once (`release` is idempotent). */
export class SkillLock implements AsyncDisposable {
  readonly #path: string;
  readonly #token: string;
  #released = false;

  private constructor(path: string, token: string) {
    this.#path = path;
    this.#token = token;
  }

  /** Takes the lock, waiting (with backoff) while a live owner holds it. Errors: `SKILL_LOCKED`. */
  static async acquire(root: string, name: SkillId, options: LockOptions): Promise<SkillLock> {
    const deadline = Date.now() + options.timeoutMs;
    let delay = 2;
    for (;;) {
      const outcome = await SkillLock.#attempt(root, name, options);
      if (outcome instanceof SkillLock) return outcome;
      if (Date.now() >= deadline) {
        // Only the checked process id leaves the lock file: its text is never printed.
        throw new McpCliError(
          "SKILL_LOCKED",
          `skill ${name} is locked by ${outcome === undefined ? "another process" : `process ${outcome.pid}`} (${sidePath(root, name, "lock")}); waited ${options.timeoutMs} ms. If no mcp-cli is running, delete the lock file.`,
          {
            details: {
              name,
              lockFile: sidePath(root, name, "lock"),
              ...(outcome === undefined ? {} : { pid: outcome.pid }),
            },
          },
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
  }

  /** Takes the lock if it is free or stale; `undefined` when a live owner holds it. Never waits. */
  static async tryAcquire(root: string, name: SkillId, options: LockOptions): Promise<SkillLock | undefined> {
    const outcome = await SkillLock.#attempt(root, name, options);
    return outcome instanceof SkillLock ? outcome : undefined;
  }

  /** One try: the lock, or the live owner's record (`undefined` if unreadable). */
  static async #attempt(
    root: string,
    name: SkillId,
    options: LockOptions,
    mayBreak = true,
  ): Promise<SkillLock | LockRecord | undefined> {
    const path = sidePath(root, name, "lock");
    const token = newToken();
    const record: LockRecord = { pid: process.pid, host: hostname(), token, createdAt: Date.now() };
    // The pid in the name lets #recover tell an abandoned, possibly empty, new-lock file apart.
    const fresh = sidePath(root, name, "lock-new", `${process.pid.toString(16)}-${token}`);
    const handle = await open(fresh, "wx", FILE_MODE);
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n`);
    } finally {
      await handle.close();
    }
    try {
      await link(fresh, path);
      return new SkillLock(path, token);
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    } finally {
      await unlink(fresh);
    }
    const existing = await readLockFile(path);
    if (existing === undefined) return undefined; // released meanwhile: try again
    const { text, ageMs } = existing;
    const owner = parseRecord(text);
    const stale =
      ageMs > options.staleMs ||
      (owner !== undefined &&
        owner.host === record.host &&
        owner.pid !== process.pid &&
        !processExists(owner.pid));
    if (!stale || !mayBreak) return owner;
    await SkillLock.#breakStale(root, name, text, token, options);
    return SkillLock.#attempt(root, name, options, false);
  }

  static async #breakStale(
    root: string,
    name: SkillId,
    judged: string,
    token: string,
    options: LockOptions,
  ): Promise<void> {
    const path = sidePath(root, name, "lock");
    const aside = sidePath(root, name, "lock-stale", token);
    try {
      await rename(path, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return;
      throw error;
    }
    const moved = (await readLockFile(aside))?.text;
    if (moved !== judged) {
      // Someone broke the same stale lock first and took the lock: give it back.
      try {
        await link(aside, path);
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
      }
    } else {
      options.onDiagnostic?.({
        level: "warn",
        message: `removed a stale lock on skill ${name} (its owner is gone or it is older than ${options.staleMs} ms)`,
        source: "skill-store",
      });
    }
    // rm, not unlink: a hostile "lock" may be a folder; rm removes links as links.
    await rm(aside, { recursive: true, force: true });
  }

  /** Whether the lock file is still this holder's (nobody judged it stale and took it). */
  async isHeld(): Promise<boolean> {
    if (this.#released) return false;
    const existing = await readLockFile(this.#path);
    return existing !== undefined && parseRecord(existing.text)?.token === this.#token;
  }

  /** Deletes the lock file if it is still this holder's. Idempotent. */
  async release(): Promise<void> {
    if (this.#released) return;
    const held = await this.isHeld();
    this.#released = true;
    if (held) await unlink(this.#path);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
