/**
 * Keeps stdio servers' process groups from outliving the process that started them, even when
 * that process is killed with SIGKILL or crashes (no exit hook runs then).
 *
 * A watcher, a tiny `/bin/sh` loop, reads a pipe whose other end only we hold. We tell it each
 * group as it starts (`+ <id>`) and as it is gone (`- <id>`):
 *
 * - when we die, the kernel closes our end; the watcher reads end-of-file and SIGKILLs every group
 *   still registered (each server and everything it started);
 * - when the last registered group is gone we close the pipe ourselves, the watcher finds nothing
 *   to kill and exits; the next server starts a new one.
 *
 * One watcher serves all servers alive at the same time, so the bridge's N servers cost one shell,
 * not N. The watcher is our own child, not a member of any server group: we reap it, so no zombie
 * is left for an init that may not reap orphans (containers), and it is never mistaken for a live
 * member of a group while we wait for the group to end. It runs in its own session, so a
 * terminal's Ctrl-C does not end it early. A shell costs a few milliseconds to start
 * (benches/server-spawn.bench.mjs); a watcher written in Node would cost a Node start and tens of
 * megabytes.
 *
 * The one gap is pid reuse: if a group ended on its own and its id were reused before we
 * unregistered it, and we died in that window, the watcher would signal the new group. A lost
 * server is stopped and unregistered as soon as we notice (connection/process-transport.ts), so the window is
 * milliseconds, against a pid space that takes far longer to wrap.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import type { Writable } from "node:stream";

/** The shell that runs the watcher; POSIX only (Windows has no process groups). */
export const SUPERVISOR_SHELL = "/bin/sh";

/** Keeps the set of registered ids as " 12 34 "; kills what is left at end-of-file. */
const WATCHER_SCRIPT = `groups=' '
while read -r op id; do
  case $op in
    +) groups="$groups$id " ;;
    -) case $groups in *" $id "*) groups="\${groups%%" $id "*} \${groups#*" $id "}" ;; esac ;;
  esac
done
for id in $groups; do kill -s KILL -- "-$id" 2>/dev/null; done`;

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

/** A registration with the watcher. */
export interface GroupSupervisor {
  /** Unregisters the group: call once it is gone. Idempotent. */
  release(): void;
}

const NOTHING_TO_RELEASE: GroupSupervisor = { release() {} };

interface Watcher {
  readonly child: ChildProcess;
  readonly pipe: Writable;
  registered: number;
}

let current: Watcher | undefined;

function startWatcher(): Watcher | undefined {
  let child: ChildProcess;
  try {
    child = spawn(SUPERVISOR_SHELL, ["-c", WATCHER_SCRIPT], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
      env: {},
    });
  } catch {
    return undefined;
  }
  const pipe = child.stdin;
  if (pipe === null) return undefined;
  const watcher: Watcher = { child, pipe, registered: 0 };
  child.on("error", () => {});
  pipe.on("error", () => {}); // EPIPE if the watcher was killed
  child.once("exit", () => {
    if (current === watcher) current = undefined;
  });
  // Neither the watcher nor its pipe keeps us alive: when we exit, its end-of-file is the point.
  child.unref();
  (pipe as unknown as { unref?: () => void }).unref?.();
  return watcher;
}

/**
 * Registers process group `groupId` with the watcher, which SIGKILLs it if this process dies
 * before {@link GroupSupervisor.release}. Without `/bin/sh`, or when the watcher cannot be
 * started, nothing supervises the group and the exit hook of server-process.ts remains the only
 * safety net.
 */
export function superviseGroup(groupId: number): GroupSupervisor {
  if (process.platform === "win32" || !canRunShell()) return NOTHING_TO_RELEASE;
  current ??= startWatcher();
  const watcher = current;
  if (watcher === undefined) return NOTHING_TO_RELEASE;
  watcher.registered += 1;
  watcher.pipe.write(`+ ${groupId}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      watcher.registered -= 1;
      if (watcher.pipe.destroyed || watcher.pipe.writableEnded) return;
      watcher.pipe.write(`- ${groupId}\n`);
      if (watcher.registered === 0) {
        // Nothing left to guard: let this watcher go; the next server starts a fresh one.
        if (current === watcher) current = undefined;
        watcher.pipe.end();
      }
    },
  };
}
