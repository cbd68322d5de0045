/**
 * Writing, reading and removing under a root folder without ever following a symbolic link.
 *
 * The output tree of `generate -o DIR` and the skills directory may come from a cloned
 * repository, which can ship `SKILL.md -> ~/.bashrc` or `servers -> ~/`. Every operation here
 * checks the root and each path component below it with `lstat`, opens files with `O_NOFOLLOW`,
 * and refuses a link, a device, a FIFO or a socket with `PATH_INVALID`. The folders above the
 * root are the caller's choice and are not checked.
 *
 * What this does not defend against: another process of the same user swapping a component for
 * a link between the check and the use. The threat is a hostile file tree, not a hostile
 * concurrent process (which could write the files itself).
 */
import { randomBytes } from "node:crypto";
import { constants, lstatSync, type Stats } from "node:fs";
import { lstat, mkdir, open, rename, rm, unlink } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { McpCliError } from "@mcp-execution/core";

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

function kindOf(info: Stats): string {
  if (info.isSymbolicLink()) return "a symbolic link";
  if (info.isDirectory()) return "a directory";
  if (info.isFile()) return "a file";
  return "a special file (FIFO, socket or device)";
}

function refuse(path: string, found: string, wanted: string, rule: string): McpCliError {
  return new McpCliError(
    "PATH_INVALID",
    `${path} is ${found}, not ${wanted}; mcp-cli never writes through links or special files (remove it or choose another folder)`,
    { details: { path, rule } },
  );
}

/** The lstat of `path`, or undefined when it does not exist. */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** Synchronous {@link lstatOrUndefined}: one lstat costs less than a trip through the thread pool. */
export function lstatOrUndefinedSync(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The segments of `path` relative to `root`; `PATH_INVALID` when it is absolute, empty, or has
 * `.`, `..` or empty segments (generated and skill paths are plain relative POSIX paths).
 */
export function relativeSegments(root: string, path: string): string[] {
  const segments = path.split("/");
  if (
    path === "" ||
    isAbsolute(path) ||
    path.includes("\\") ||
    segments.some((part) => part === "" || part === "." || part === "..")
  ) {
    throw new McpCliError("PATH_INVALID", `path ${JSON.stringify(path)} is not a plain relative path`, {
      details: { path, root, rule: "not-normalized" },
    });
  }
  return segments;
}

/**
 * Makes sure `root` is a real directory (not a link to one), creating it (and its missing parents,
 * which are the caller's choice) when it does not exist. Errors: `PATH_INVALID`.
 */
export async function ensureRoot(root: string): Promise<void> {
  if (!isAbsolute(root)) {
    throw new McpCliError("PATH_INVALID", `${root} is not an absolute path`, {
      details: { path: root, rule: "relative-without-base" },
    });
  }
  let info = await lstatOrUndefined(root);
  if (info === undefined) {
    await mkdir(root, { recursive: true, mode: 0o755 });
    info = await lstat(root);
  }
  if (!info.isDirectory()) throw refuse(root, kindOf(info), "a directory", "root-not-directory");
}

/** `PATH_INVALID` when `root` exists and is not a real directory; false when it does not exist. */
export async function checkRoot(root: string): Promise<boolean> {
  const info = await lstatOrUndefined(root);
  if (info === undefined) return false;
  if (!info.isDirectory()) throw refuse(root, kindOf(info), "a directory", "root-not-directory");
  return true;
}

/**
 * Creates the directories `segments` under `root` one at a time (mode 0755), checking each
 * existing one with lstat. Returns the absolute path. Errors: `PATH_INVALID`.
 */
async function ensureDirectories(root: string, segments: readonly string[]): Promise<string> {
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    let info = await lstatOrUndefined(current);
    if (info === undefined) {
      try {
        await mkdir(current, { mode: 0o755 });
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
      }
      info = await lstat(current);
    }
    if (!info.isDirectory()) throw refuse(current, kindOf(info), "a directory", "component-not-directory");
  }
  return current;
}

/**
 * The existing directories `segments` under `root`, each checked with lstat; undefined as soon as
 * one is missing. Errors: `PATH_INVALID` for a link or a file in the way.
 */
async function existingDirectories(root: string, segments: readonly string[]): Promise<string | undefined> {
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    const info = await lstatOrUndefined(current);
    if (info === undefined) return undefined;
    if (!info.isDirectory()) throw refuse(current, kindOf(info), "a directory", "component-not-directory");
  }
  return current;
}

// O_NONBLOCK: opening a FIFO that slipped past the lstat must fail, not wait for a reader.
const CREATE_NO_FOLLOW =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Writes `contents` to `root/<path>`, creating the folders on the way. The file is written to a
 * fresh temporary name and renamed over the old one, so an existing hard link is replaced, not
 * written through. An existing link, folder or special file at the path is `PATH_INVALID`, and
 * so is a link or file in place of any folder on the way.
 */
export async function writeContainedFile(
  root: string,
  path: string,
  contents: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const segments = relativeSegments(root, path);
  const name = segments.pop() as string;
  const directory = await ensureDirectories(root, segments);
  const target = join(directory, name);
  const existing = await lstatOrUndefined(target);
  if (existing !== undefined && !existing.isFile()) {
    throw refuse(target, kindOf(existing), "a regular file", "target-not-file");
  }
  const temporary = join(directory, `.${name}.tmp-${randomBytes(6).toString("hex")}`);
  const handle = await open(temporary, CREATE_NO_FOLLOW, mode);
  try {
    await handle.writeFile(contents);
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes `root/<path>` (a file or a whole folder) if it exists. A link anywhere on the way, or
 * at the path itself, is `PATH_INVALID`: removing through it could delete someone else's files.
 * Inside a removed folder, links are removed as links (Node's `rm` never follows them).
 */
export async function removeContained(root: string, path: string): Promise<void> {
  const segments = relativeSegments(root, path);
  const name = segments.pop() as string;
  if ((await checkRoot(root)) === false) return;
  const directory = await existingDirectories(root, segments);
  if (directory === undefined) return;
  const target = join(directory, name);
  const info = await lstatOrUndefined(target);
  if (info === undefined) return;
  if (info.isSymbolicLink()) throw refuse(target, kindOf(info), "a file or directory", "target-is-link");
  await rm(target, { recursive: true, force: true, maxRetries: 3 });
}

/** What {@link readContainedFile} found. */
export type ContainedRead =
  | { readonly kind: "file"; readonly bytes: Buffer }
  | { readonly kind: "missing" }
  | { readonly kind: "oversized"; readonly size: number }
  | { readonly kind: "not-a-file"; readonly found: string };

/**
 * Reads a regular file without following links, at most `maxBytes`: `root/<path>` when `path` is
 * given, else `root` itself (an absolute path whose parents the caller trusts). Never blocks on a
 * FIFO, never reads more than the cap (a file that grows while read is cut and reported oversized).
 */
export async function readContainedFile(
  root: string,
  path: string | undefined,
  maxBytes: number,
): Promise<ContainedRead> {
  let target = root;
  if (path !== undefined) {
    const segments = relativeSegments(root, path);
    const name = segments.pop() as string;
    if ((await checkRoot(root)) === false) return { kind: "missing" };
    const directory = await existingDirectories(root, segments);
    if (directory === undefined) return { kind: "missing" };
    target = join(directory, name);
  }
  const info = await lstatOrUndefined(target);
  if (info === undefined) return { kind: "missing" };
  if (!info.isFile()) return { kind: "not-a-file", found: kindOf(info) };
  if (info.size > maxBytes) return { kind: "oversized", size: info.size };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(target, READ_NO_FOLLOW);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { kind: "missing" };
    if (errorCode(error) === "ELOOP") return { kind: "not-a-file", found: "a symbolic link" };
    throw error;
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { kind: "not-a-file", found: kindOf(opened) };
    // Sized from the lstat, grown (up to one byte past the cap) only if the file grows meanwhile.
    let buffer = Buffer.alloc(Math.min(maxBytes, opened.size) + 1);
    let offset = 0;
    for (;;) {
      if (offset === buffer.length) {
        if (offset > maxBytes) return { kind: "oversized", size: offset };
        const grown = Buffer.alloc(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(grown);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset > maxBytes) return { kind: "oversized", size: offset };
    return { kind: "file", bytes: buffer.subarray(0, offset) };
  } finally {
    await handle.close();
  }
}
