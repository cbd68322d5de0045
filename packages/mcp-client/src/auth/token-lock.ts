/**
 * A cross-process lock per credential file, held while a refresh token is being used.
 *
 * Authorization servers that rotate refresh tokens (OAuth 2.1 section 4.3.1 for public clients)
 * treat a second use of a consumed refresh token as theft and revoke the whole grant. Two mcp-cli
 * processes that refresh the same login at once would do exactly that, so a refresh takes this
 * lock first, and the caller re-reads the stored tokens once it holds it. `auth logout` takes the
 * same lock around reading, revoking and deleting the login, and every write of a stored-login
 * provider without a person (auth/provider.ts) re-reads the record under it and leaves a deleted
 * login deleted, so a refresh never writes back a login that was logged out.
 *
 * The lock is a file created with `O_CREAT | O_EXCL | O_NOFOLLOW` next to the credential file
 * (so a symlink planted there is never followed), holding the owner's pid and the time. It is
 * stale, and taken over, when it is older than {@link LOCK_STALE_MS} or its owner on this host is
 * gone. Waiting is bounded by {@link LOCK_WAIT_MS}; then the wait ends with `TIMEOUT`.
 *
 * Known limit: two waiters that judge the same stale lock at the same instant may both take it
 * over. That needs a lock abandoned by a crash and two renewals within one poll interval of each
 * other; the worst case is the pre-lock behaviour (one grant lost, log in again).
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { McpCliError } from "@mcp-execution/core";

/** A lock older than this is abandoned (a refresh takes well under a second). */
export const LOCK_STALE_MS = 30_000;
/** The longest a refresh waits for another process's refresh to finish. */
export const LOCK_WAIT_MS = 20_000;
const POLL_MS = 50;

export interface TokenLockOptions {
  readonly waitMs?: number | undefined;
  readonly staleMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * Called once when another holder has the lock and this caller starts waiting for it, so a
   * command can say why it is waiting (`auth logout` does).
   */
  readonly onWait?: (() => void) | undefined;
}

/** Runs `work` holding the lock `<file>.lock`; the lock is released however `work` ends. */
export async function withTokenLock<T>(
  file: string,
  work: () => Promise<T>,
  options: TokenLockOptions = {},
): Promise<T> {
  const path = `${file}.lock`;
  const owner = await acquire(path, options);
  try {
    return await work();
  } finally {
    // Only our own lock: a holder judged stale (work that outlived LOCK_STALE_MS) must not remove
    // the lock another process has taken over since.
    if ((await readLockText(path)) === owner) await unlink(path).catch(() => undefined);
  }
}

/** Takes the lock; returns its content, which names this holder alone. */
async function acquire(path: string, options: TokenLockOptions): Promise<string> {
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const deadline = Date.now() + waitMs;
  let waiting = false;
  for (;;) {
    try {
      const handle = await open(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      const owner = JSON.stringify({
        pid: process.pid,
        at: Date.now(),
        nonce: randomBytes(8).toString("hex"),
      });
      try {
        await handle.writeFile(owner, "utf8");
      } finally {
        await handle.close();
      }
      return owner;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new McpCliError(
          "PATH_INVALID",
          `cannot create the refresh lock ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
          { cause: error, details: { path } },
        );
      }
    }
    if (await isStale(path, staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (options.signal?.aborted === true)
      throw new McpCliError("CANCELLED", "the token refresh was cancelled");
    if (Date.now() >= deadline) {
      throw new McpCliError(
        "TIMEOUT",
        `another mcp-cli process has been refreshing this login for over ${Math.round(waitMs / 1000)} s (lock ${path}); try again, or delete the lock if no mcp-cli is running`,
        { details: { path, timeoutMs: waitMs } },
      );
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.();
    }
    await sleep(POLL_MS);
  }
}

/** Old, not a plain file (never read through a link), or owned by a process that is gone. */
async function isStale(path: string, staleMs: number): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) return false;
  if (!stats.isFile()) return true;
  if (Date.now() - stats.mtimeMs > staleMs) return true;
  // The owner's pid: a lock left by a process that died (SIGKILL mid-refresh) is taken over now.
  const text = await readLockText(path);
  const pid = (() => {
    try {
      return (JSON.parse(text ?? "") as { pid?: unknown }).pid;
    } catch {
      return undefined;
    }
  })();
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function readLockText(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buffer = Buffer.alloc(256);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
