/**
 * The one path normalizer of the virtual filesystem. Every path that reaches the memfs volume has
 * come out of {@link normalizeVfsPath}; nothing else builds volume paths, so the rules below are
 * the whole story of what a guest can name.
 */
import { McpCliError } from "@mcp-execution/core";

/** The generated tree: read-only to guest code, filled by the host before a run. */
export const MCP_TOOLS_ROOT = "/mcp-tools";
/** Scratch space for guest code: read-write, capped by a quota. */
export const WORKSPACE_ROOT = "/workspace";

/** The two top-level areas of the volume; every file lives in one of them. */
export type VfsArea = "mcp-tools" | "workspace";

export const VFS_AREAS: readonly VfsArea[] = ["mcp-tools", "workspace"];

/** Limits on the shape of a path. They bound the work one call can cause. */
export const VFS_PATH_LIMITS = {
  /** Characters in the path as given, before normalization (bounds the work of normalizing). */
  maxInputLength: 4096,
  /** Characters in the normalized absolute path. */
  maxPathLength: 1024,
  /** UTF-8 bytes in one segment (the common filesystem limit). */
  maxSegmentBytes: 255,
  /** Segments in the normalized path, the area included. */
  maxDepth: 64,
} as const;

/** A path that passed {@link normalizeVfsPath}. */
export interface VfsPath {
  /** Absolute, `/`-separated, no `.`/`..`/empty segments, no trailing slash; `/` for the volume root. */
  readonly path: string;
  /** The area the path lies in; `undefined` only for the volume root `/`. */
  readonly area: VfsArea | undefined;
  /** The segments after the leading `/` (the first is the area); empty for `/`. */
  readonly segments: readonly string[];
}

export interface NormalizeOptions {
  /**
   * Absolute directory that a relative `input` is resolved against. It is normalized by the same
   * rules, and the result must stay inside the base's area. Without a base, relative input is
   * refused: nothing ever resolves against `process.cwd()`.
   */
  readonly base?: string;
}

/** Why a path was refused; the `rule` in a `PATH_INVALID` error's details. */
export type PathRule =
  | "not-a-string"
  | "empty"
  | "too-long"
  | "nul-byte"
  | "control-character"
  | "encoded-separator"
  | "relative-without-base"
  | "escapes-root"
  | "outside-areas"
  | "segment-too-long"
  | "too-deep";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARACTER = /[\u0001-\u001f\u007f]/;
/**
 * `%` is an ordinary character (nothing in the VFS ever percent-decodes), but the encodings of `.`,
 * `/`, `\`, NUL and `%` itself are refused: their only use in a path is to smuggle traversal past a
 * layer that decodes, and refusing them keeps that true for any layer added later.
 */
const ENCODED_SEPARATOR = /%(?:2e|2f|5c|00|25)/i;

function shorten(input: string): string {
  return input.length > 120 ? `${input.slice(0, 117)}...` : input;
}

function refuse(input: unknown, rule: PathRule, problem: string): McpCliError {
  const shown = typeof input === "string" ? shorten(input) : String(input);
  return new McpCliError("PATH_INVALID", `invalid path ${JSON.stringify(shown)}: ${problem}`, {
    details: { path: typeof input === "string" ? shorten(input) : null, rule },
  });
}

function areaOf(segment: string | undefined): VfsArea | undefined {
  return segment === "mcp-tools" || segment === "workspace" ? segment : undefined;
}

/**
 * Normalizes a guest or host path into an absolute volume path, or throws `PATH_INVALID` with
 * `details.rule` saying which rule was broken.
 *
 * Rules, in order: the input is a non-empty string of at most {@link VFS_PATH_LIMITS}.maxInputLength
 * characters; it has no NUL byte and no other control character; it has no percent-encoded `.`, `/`,
 * `\`, NUL or `%`; backslashes are separators (so `..\\..\\x` is `../../x`); a relative path needs
 * `options.base`; `.` and empty segments vanish; `..` removes the previous segment but may never
 * leave the area the path started in (`/workspace/../mcp-tools/x` is refused, so is `/..`); the
 * result is `/`, or lies in `/mcp-tools` or `/workspace`; and it respects the length, segment and
 * depth limits.
 *
 * This function knows nothing about the volume's contents: whether a path is read-only, exists,
 * or is a symlink is checked by {@link VirtualFileSystem} on the normalized path.
 */
export function normalizeVfsPath(input: string, options: NormalizeOptions = {}): VfsPath {
  if (typeof input !== "string") throw refuse(input, "not-a-string", "a path must be a string");
  if (input.length === 0) throw refuse(input, "empty", "a path must not be empty");
  if (input.length > VFS_PATH_LIMITS.maxInputLength) {
    throw refuse(
      input,
      "too-long",
      `a path may have at most ${VFS_PATH_LIMITS.maxInputLength} characters, got ${input.length}`,
    );
  }
  if (input.includes("\u0000")) throw refuse(input, "nul-byte", "a path must not contain a NUL byte");
  if (CONTROL_CHARACTER.test(input)) {
    throw refuse(input, "control-character", "a path must not contain control characters");
  }
  if (ENCODED_SEPARATOR.test(input)) {
    throw refuse(
      input,
      "encoded-separator",
      "percent-encoded '.', '/', '\\', NUL or '%' (%2e, %2f, %5c, %00, %25) is not allowed; paths are never decoded",
    );
  }

  const unified = input.replaceAll("\\", "/");
  // The first segment on the stack is the area; `..` may never pop it.
  const stack: string[] = [];
  if (!unified.startsWith("/")) {
    if (options.base === undefined) {
      throw refuse(
        input,
        "relative-without-base",
        "a relative path needs a base directory; use an absolute path such as /workspace/file.txt",
      );
    }
    const base = normalizeVfsPath(options.base);
    if (base.area === undefined) {
      throw refuse(options.base, "outside-areas", "a base directory must lie in /mcp-tools or /workspace");
    }
    stack.push(...base.segments);
  }

  for (const segment of unified.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (stack.length <= 1) {
        throw refuse(
          input,
          "escapes-root",
          stack.length === 0
            ? "'..' leaves the volume root"
            : `'..' leaves /${stack[0]}, the area the path starts in`,
        );
      }
      stack.pop();
      continue;
    }
    if (Buffer.byteLength(segment, "utf8") > VFS_PATH_LIMITS.maxSegmentBytes) {
      throw refuse(
        input,
        "segment-too-long",
        `a path segment may have at most ${VFS_PATH_LIMITS.maxSegmentBytes} UTF-8 bytes`,
      );
    }
    stack.push(segment);
    if (stack.length > VFS_PATH_LIMITS.maxDepth) {
      throw refuse(input, "too-deep", `a path may have at most ${VFS_PATH_LIMITS.maxDepth} segments`);
    }
  }

  if (stack.length === 0) return { path: "/", area: undefined, segments: [] };
  const area = areaOf(stack[0]);
  if (area === undefined) {
    throw refuse(input, "outside-areas", "paths must lie in /mcp-tools or /workspace");
  }
  const path = `/${stack.join("/")}`;
  if (path.length > VFS_PATH_LIMITS.maxPathLength) {
    throw refuse(
      input,
      "too-long",
      `a normalized path may have at most ${VFS_PATH_LIMITS.maxPathLength} characters, got ${path.length}`,
    );
  }
  return { path, area, segments: stack };
}
