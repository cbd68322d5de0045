/**
 * What `execute` runs, read from its operands: an `-e` snippet, standard input (`-`), a module
 * file, or a WebAssembly component (a `.wasm` name or the wasm magic bytes).
 */
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { McpCliError } from "@mcp-execution/core";
import type { ExecutionSource } from "@mcp-execution/runner";
import type { CommandContext } from "./context.js";
import { componentCacheDirectory } from "./locations.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export async function readExecutionSource(
  context: CommandContext,
  file: string | undefined,
  code: string | undefined,
): Promise<ExecutionSource> {
  if (file !== undefined && code !== undefined) {
    throw new McpCliError("USAGE", "give either a file (or - for standard input) or -e <code>, not both", {
      details: { file, eval: true },
    });
  }
  if (code !== undefined)
    return { kind: "script", source: code, mode: "snippet", filename: "eval.ts", language: "typescript" };
  if (file === undefined) {
    throw new McpCliError("USAGE", "nothing to run: give a file, - for standard input, or -e <code>", {
      details: { argument: "file" },
    });
  }
  if (file === "-") {
    const source = await context.environment.readStdin();
    return { kind: "script", source, mode: "module", filename: "stdin.ts" };
  }
  const path = resolve(context.cwd, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    throw new McpCliError(
      errno === "ENOENT" ? "FILE_NOT_FOUND" : "PATH_INVALID",
      errno === "ENOENT" ? `${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`,
      { details: { path, errno: errno ?? null } },
    );
  }
  if (extname(path) === ".wasm" || WASM_MAGIC.every((byte, index) => bytes[index] === byte)) {
    return {
      kind: "component",
      bytes: new Uint8Array(bytes),
      filename: file,
      cacheDirectory: componentCacheDirectory(context),
    };
  }
  return { kind: "script", source: bytes.toString("utf8"), mode: "module", filename: file };
}
