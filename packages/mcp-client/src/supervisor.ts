/**
 * Keeps a stdio server's process group from outliving the process that started it, even when that
 * process is killed with SIGKILL or crashes (no exit hook runs then).
 *
 * For each server group we start a watcher: a tiny `/bin/sh` that blocks reading a pipe whose
 * other end only we hold.
 *
 * - When we die, the kernel closes our end; the watcher reads end-of-file and SIGKILLs the group
 *   (the server and everything it started).
 * - When we stop the server ourselves, we write one line once the group is gone, and the watcher
 *   exits without killing anything.
 *
 * The watcher is our own child, not a member of the server's group: we reap it, so no zombie is
 * left for an init that may not reap orphans (containers), and it is never mistaken for a live
 * member of the group while we wait for the group to end. It runs in its own session, so a
 * terminal's Ctrl-C does not end it early. A shell costs about a millisecond to start
 * (benches/server-spawn.bench.mjs); a watcher written in Node would cost a Node start and tens of
 * megabytes per server.
 *
 * The one gap is pid reuse: if the group ended on its own and its id were reused before we
 * released the watcher, and we died in that window, the watcher would signal the new group. A
 * lost server is stopped and its watcher released as soon as we notice (connection.ts), so the
 * window is milliseconds, against a pid space that takes far longer to wrap.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** The shell that runs the watcher; POSIX only (Windows has no process groups). */
export const SUPERVISOR_SHELL = "/bin/sh";

/** `$0` is the group id. A line means "let go"; end-of-file means "we are gone". */
const WATCHER_SCRIPT = 'read -r _ || kill -s KILL -- "-$0"';

let shellAvailable: boolean | undefined;

function canRunShell(): boolean {
  if (shellAvailable === undefined) {
    try {
      accessSync(SUPERVISOR_SHELL, constants.X_OK);
      shellAvailable = true;
    } catch {
      shellAvailable = false;
    }
  }
  return shellAvailable;
}

/** A running watcher for one process group. */
export interface GroupSupervisor {
  /** Lets the watcher exit without signalling the group. Idempotent. */
  release(): void;
}

const NOTHING_TO_RELEASE: GroupSupervisor = { release() {} };

/**
 * Starts a watcher that SIGKILLs process group `groupId` when this process dies. Without
 * `/bin/sh`, or when the watcher cannot be started, nothing supervises the group and the exit
 * hook of server-process.ts remains the only safety net.
 */
export function superviseGroup(groupId: number, environment: Readonly<Record<string, string>>): GroupSupervisor {
  if (process.platform === "win32" || !canRunShell()) return NOTHING_TO_RELEASE;
  let watcher: ChildProcess;
  try {
    watcher = spawn(SUPERVISOR_SHELL, ["-c", WATCHER_SCRIPT, String(groupId)], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
      // Only what a shell needs to find `kill`; nothing of the server's environment.
      env: environment.PATH === undefined ? {} : { PATH: environment.PATH },
    });
  } catch {
    return NOTHING_TO_RELEASE;
  }
  watcher.on("error", () => {});
  const pipe = watcher.stdin;
  pipe?.on("error", () => {}); // EPIPE if the watcher is already gone
  // Neither the watcher nor its pipe keeps us alive: when we exit, its end-of-file is the point.
  watcher.unref();
  (pipe as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (pipe !== null && !pipe.destroyed && !pipe.writableEnded) pipe.end("\n");
    },
  };
}
