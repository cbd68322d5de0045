/**
 * checksum.blake3: one blake3 digest per file of the skill, and one over that list.
 *
 * ```
 * # mcp-execution skill checksums v1 (blake3)
 * 3f0c...e1  REFERENCE.md
 * 9a41...07  SKILL.md
 * ...
 * # list 77b2...c4
 * ```
 *
 * Between the header and the `# list` line, every line is `<64 lowercase hex>  <path>` (two spaces,
 * the `b3sum` output format), paths relative with `/`, sorted by UTF-16 code units, unique, every
 * file of the skill except checksum.blake3 itself. The list digest is blake3 over the exact bytes
 * of those lines, newlines included. `grep -v '^#' checksum.blake3 | b3sum --check` run inside the
 * skill checks the files with the reference tool.
 */
import { createBlake3Hasher, digestsEqual } from "@mcp-execution/core";
import { CHECKSUM_FILE } from "./layout.js";

export const CHECKSUM_HEADER = "# mcp-execution skill checksums v1 (blake3)";
const LIST_PREFIX = "# list ";
const DIGEST = /^[0-9a-f]{64}$/;
const FILE_LINE = /^([0-9a-f]{64}) {2}(.+)$/;
// Control characters cannot appear in a path we write; refusing them keeps lines unambiguous.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** blake3-wasm's one-shot path aborts above about 8 MiB (STACK.md); feed it in pieces. */
const CHUNK_BYTES = 1 << 20;

/** blake3 of `bytes` as 64 lowercase hex characters. */
export async function digestOf(bytes: Uint8Array): Promise<string> {
  const hasher = await createBlake3Hasher();
  for (let offset = 0; offset < bytes.byteLength; offset += CHUNK_BYTES) {
    hasher.update(bytes.subarray(offset, Math.min(offset + CHUNK_BYTES, bytes.byteLength)));
  }
  return hasher.digestHex();
}

/** True for a relative `/`-separated path without empty, `.` or `..` segments. */
export function isSkillRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || CONTROL.test(path) || path.includes("\\")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The text of checksum.blake3 for files with these digests (path -> hex). */
export async function formatChecksumFile(digests: ReadonlyMap<string, string>): Promise<string> {
  const lines = [...digests.keys()].sort(compare).map((path) => `${digests.get(path)}  ${path}\n`);
  const list = lines.join("");
  return `${CHECKSUM_HEADER}\n${list}${LIST_PREFIX}${await digestOf(Buffer.from(list, "utf8"))}\n`;
}

export type ParsedChecksumFile =
  /** Well formed, list digest matches. */
  | { readonly ok: true; readonly digests: ReadonlyMap<string, string> }
  /**
   * Something is wrong. `digests` is present when the lines could still be read (only the list
   * digest is wrong, for example), so the files can be checked against them anyway.
   */
  | { readonly ok: false; readonly problem: string; readonly digests?: ReadonlyMap<string, string> };

/** Reads checksum.blake3 strictly: any deviation from the format is a problem, never ignored. */
export async function parseChecksumFile(text: string): Promise<ParsedChecksumFile> {
  if (!text.endsWith("\n")) return { ok: false, problem: "checksum.blake3 does not end with a newline" };
  const lines = text.slice(0, -1).split("\n");
  if (lines[0] !== CHECKSUM_HEADER) {
    return { ok: false, problem: `checksum.blake3 does not start with ${JSON.stringify(CHECKSUM_HEADER)}` };
  }
  const last = lines[lines.length - 1] ?? "";
  if (lines.length < 3 || !last.startsWith(LIST_PREFIX) || !DIGEST.test(last.slice(LIST_PREFIX.length))) {
    return { ok: false, problem: "checksum.blake3 does not end with a '# list <digest>' line" };
  }
  const digests = new Map<string, string>();
  let previous: string | undefined;
  for (const [index, line] of lines.slice(1, -1).entries()) {
    const match = FILE_LINE.exec(line);
    const digest = match?.[1];
    const path = match?.[2];
    if (digest === undefined || path === undefined) {
      return { ok: false, problem: `checksum.blake3 line ${index + 2} is not '<digest>  <path>'` };
    }
    if (!isSkillRelativePath(path) || path === CHECKSUM_FILE) {
      return {
        ok: false,
        problem: `checksum.blake3 line ${index + 2} names an invalid path ${JSON.stringify(path)}`,
      };
    }
    if (previous !== undefined && compare(previous, path) >= 0) {
      return { ok: false, problem: `checksum.blake3 line ${index + 2}: paths are not sorted and unique` };
    }
    previous = path;
    digests.set(path, digest);
  }
  const list = lines
    .slice(1, -1)
    .map((line) => `${line}\n`)
    .join("");
  const expected = last.slice(LIST_PREFIX.length);
  if (!digestsEqual(await digestOf(Buffer.from(list, "utf8")), expected)) {
    return { ok: false, problem: "checksum.blake3's list digest does not match its lines", digests };
  }
  return { ok: true, digests };
}
