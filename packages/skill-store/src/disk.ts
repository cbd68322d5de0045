/**
 * The disk operations of the skill store: durable writes (file, then directory fsync) and a
 * consistent read of a skill directory that never follows symlinks.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
} from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DIRECTORY_MODE, FILE_MODE } from "./layout.js";

export function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

/** Creates `path` (0600, refusing to replace anything), writes `bytes` and fsyncs it before closing. */
export async function writeFileDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "wx", FILE_MODE);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * fsyncs a directory, which makes the creation, removal and renaming of its entries durable.
 * Windows cannot open a directory for this; there the call does nothing (NTFS journals metadata).
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (process.platform === "win32" && ["EISDIR", "EPERM", "EACCES"].includes(errorCode(error) ?? ""))
      return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `files` (relative path -> bytes) into the new directory `root`, every file created 0600
 * and fsynced, every directory created 0700 and fsynced after its entries, `root` last.
 * `onFile` is called after each file is durable.
 */
export async function writeTreeDurably(
  root: string,
  files: ReadonlyMap<string, Uint8Array>,
  onFile: (path: string) => void,
): Promise<void> {
  await mkdir(root, { mode: DIRECTORY_MODE });
  const directories = new Set<string>();
  for (const path of files.keys()) {
    for (let parent = dirname(path); parent !== "."; parent = dirname(parent)) directories.add(parent);
  }
  // Parents sort before their children, so each mkdir finds its parent in place.
  const ordered = [...directories].sort();
  for (const directory of ordered) await mkdir(join(root, directory), { mode: DIRECTORY_MODE });
  await Promise.all(
    [...files].map(async ([path, bytes]) => {
      await writeFileDurably(join(root, path), bytes);
      onFile(path);
    }),
  );
  await Promise.all(ordered.map((directory) => syncDirectory(join(root, directory))));
  await syncDirectory(root);
}

/** Removes a directory tree if it exists. */
export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 3 });
}

/** The largest file a skill may hold; anything bigger is reported, never read. */
export const MAX_SKILL_FILE_BYTES = 64 * 1024 * 1024;
/** Entries walked in one skill directory before giving up (bounds the work a tampered tree causes). */
export const MAX_SKILL_ENTRIES = 100_000;

export interface SkillTree {
  /** Regular files that were asked for, by relative path. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Every regular file, read or not. */
  readonly regular: ReadonlySet<string>;
  /** Symlinks, FIFOs, sockets, devices: never followed or read. */
  readonly irregular: ReadonlySet<string>;
  /** Regular files over {@link MAX_SKILL_FILE_BYTES}. */
  readonly oversized: ReadonlySet<string>;
}

/** Thrown by {@link readSkillTree} when the directory changed while it was read. */
export class TreeChangedError extends Error {
  override readonly name = "TreeChangedError";
}

// A file swapped for a symlink between readdir and open must not be followed (POSIX only).
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

function readWhole(path: string): Uint8Array | "oversized" {
  const fd = openSync(path, READ_NO_FOLLOW);
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_SKILL_FILE_BYTES) return "oversized";
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, buffer, offset, size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return offset === size ? buffer : buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the skill directory `root`: the contents of the regular files `wanted` says yes to, and the
 * names of everything else. Synchronous on purpose: tens of small files read faster this way than
 * through the thread pool, and nothing in this process can interleave with the read.
 *
 * Throws {@link TreeChangedError} when `root` disappeared or was replaced (another process swapped
 * in a new version) while it was read; the caller reads again.
 */
export function readSkillTree(root: string, wanted: (path: string) => boolean): SkillTree {
  const before = statOrChanged(root);
  const files = new Map<string, Uint8Array>();
  const regular = new Set<string>();
  const irregular = new Set<string>();
  const oversized = new Set<string>();
  const pending: string[] = [""];
  let seen = 0;
  try {
    while (pending.length > 0) {
      const relative = pending.pop() as string;
      for (const entry of readdirSync(relative === "" ? root : join(root, relative), {
        withFileTypes: true,
      })) {
        if (++seen > MAX_SKILL_ENTRIES) {
          irregular.add(
            `${relative === "" ? "" : `${relative}/`}... (more than ${MAX_SKILL_ENTRIES} entries)`,
          );
          pending.length = 0;
          break;
        }
        const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) pending.push(path);
        else if (!entry.isFile()) irregular.add(path);
        else {
          regular.add(path);
          if (!wanted(path)) continue;
          let contents: Uint8Array | "oversized";
          try {
            contents = readWhole(join(root, path));
          } catch (error) {
            // ELOOP: it became a symlink after readdir saw a file.
            if (errorCode(error) !== "ELOOP") throw error;
            regular.delete(path);
            irregular.add(path);
            continue;
          }
          if (contents === "oversized") oversized.add(path);
          else files.set(path, contents);
        }
      }
    }
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") {
      throw new TreeChangedError(`${root} changed while it was read`, { cause: error });
    }
    throw error;
  }
  const after = statOrChanged(root);
  if (before.ino !== after.ino || before.dev !== after.dev) {
    throw new TreeChangedError(`${root} was replaced while it was read`);
  }
  return { files, regular, irregular, oversized };
}

function statOrChanged(path: string): Stats {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") throw new TreeChangedError(`${path} disappeared`, { cause: error });
    throw error;
  }
}
