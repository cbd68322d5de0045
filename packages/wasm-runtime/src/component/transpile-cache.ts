/**
 * Turns a component's bytes into JavaScript bindings plus core modules with jco's transpiler,
 * once per component: the output is kept in `<cacheDir>/<blake3 of the bytes>/` and reused while
 * the transpiler version is the same. jco is loaded here, lazily, and nowhere else on the main
 * thread.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { createBlake3Hasher, McpCliError } from "@mcp-execution/core";
import { checkWorld } from "./world.js";

/** The transpiler this runtime is built and tested with (pinned exactly in package.json). */
export const JCO_TRANSPILE_VERSION = "0.15.0";
const TRANSPILER = `@bytecodealliance/jco-transpile@${JCO_TRANSPILE_VERSION}`;
const CACHE_FORMAT = 1;
const NAME = "component";
const MODULE_FILE = `${NAME}.js`;
const ROOT_DECLARATIONS = `${NAME}.d.ts`;

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];
const CORE_VERSION = [0x01, 0x00, 0x00, 0x00];

/**
 * blake3-wasm fails on a single `update` of more than about 8 MiB ("memory access out of
 * bounds"), and components are often larger (a JavaScript one is 12.5 MB): feed it in slices.
 */
const HASH_SLICE_BYTES = 1024 * 1024;

async function digestOf(bytes: Uint8Array): Promise<string> {
  const hasher = await createBlake3Hasher();
  for (let offset = 0; offset < bytes.length; offset += HASH_SLICE_BYTES) {
    hasher.update(bytes.subarray(offset, offset + HASH_SLICE_BYTES));
  }
  return hasher.digestHex();
}

/** A transpiled component ready to run. */
export interface PreparedComponent {
  /** blake3 of the component's bytes, 64 hex characters. */
  readonly digest: string;
  /** The cache entry holding the bindings and core modules. */
  readonly directory: string;
  /** File name of the generated JavaScript module in `directory`. */
  readonly moduleFile: string;
  /** True when the cache entry existed and transpiling was skipped. */
  readonly fromCache: boolean;
  /** Time spent hashing, and transpiling when not cached, in milliseconds. */
  readonly prepareMs: number;
}

interface CacheManifest {
  readonly format: number;
  readonly transpiler: string;
  readonly digest: string;
  readonly moduleFile: string;
  readonly files: readonly string[];
  readonly imports: readonly string[];
  readonly exports: readonly (readonly [string, string])[];
}

function startsWith(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  return expected.every((byte, index) => bytes[offset + index] === byte);
}

/** Throws `COMPONENT_INVALID` with a specific reason when `bytes` cannot be a component. */
export function checkComponentHeader(bytes: Uint8Array, filename: string): void {
  if (bytes.length < 8 || !startsWith(bytes, 0, WASM_MAGIC)) {
    throw new McpCliError(
      "COMPONENT_INVALID",
      `${filename} is not WebAssembly (it does not start with the \\0asm magic bytes)`,
      { details: { file: filename } },
    );
  }
  if (startsWith(bytes, 4, CORE_VERSION)) {
    throw new McpCliError(
      "COMPONENT_INVALID",
      `${filename} is a core WebAssembly module, not a component: build it for the component model (for example \`jco componentize\`, \`cargo component build\`, or \`wasm-tools component new\` with wit/mcp-tools.wit)`,
      { details: { file: filename, layer: "core-module" } },
    );
  }
  if (!startsWith(bytes, 4, COMPONENT_VERSION)) {
    const version = Array.from(bytes.subarray(4, 8), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
    throw new McpCliError(
      "COMPONENT_INVALID",
      `${filename} has an unknown WebAssembly version or layer (${version}); expected a component (0d 00 01 00)`,
      { details: { file: filename, version } },
    );
  }
}

async function readManifest(directory: string, digest: string): Promise<CacheManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, "manifest.json"), "utf8");
  } catch {
    return undefined;
  }
  try {
    const manifest = JSON.parse(text) as CacheManifest;
    const usable =
      manifest.format === CACHE_FORMAT &&
      manifest.transpiler === TRANSPILER &&
      manifest.digest === digest &&
      manifest.moduleFile === MODULE_FILE;
    return usable ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** A relative path jco produced, checked before it becomes a file path under the cache entry. */
function safeRelative(file: string): string {
  const normal = normalize(file);
  if (isAbsolute(normal) || normal === ".." || normal.startsWith(`..${sep}`) || normal.includes("\0")) {
    throw new McpCliError("INTERNAL", `the transpiler produced an unsafe file name ${JSON.stringify(file)}`);
  }
  return normal;
}

function firstLines(message: string): string {
  return message
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, 4)
    .join(": ")
    .replace(/:\s*:/g, ":");
}

async function transpile(bytes: Uint8Array, filename: string) {
  const { transpileBytes } = await import("@bytecodealliance/jco-transpile");
  try {
    return await transpileBytes(bytes, {
      name: NAME,
      instantiation: "sync",
      // `err` from run arrives as a ComponentError with a payload, distinct from traps.
      noComponentErrorWrapping: false,
      emitTypescriptDeclarations: true,
    });
  } catch (error) {
    const reason = error instanceof Error ? firstLines(error.message) : String(error);
    throw new McpCliError(
      "COMPONENT_INVALID",
      `${filename} is not a valid WebAssembly component: ${reason}`,
      {
        details: { file: filename, reason },
        cause: error,
      },
    );
  }
}

async function writeEntry(
  cacheDir: string,
  digest: string,
  bytes: Uint8Array,
  filename: string,
): Promise<void> {
  const result = await transpile(bytes, filename);
  const decoder = new TextDecoder();
  const declarations: Record<string, string> = {};
  for (const [file, contents] of Object.entries(result.files)) {
    if (file.endsWith(".d.ts")) declarations[file] = decoder.decode(contents);
  }
  checkWorld({
    imports: result.imports,
    exports: result.exports,
    declarations,
    rootDeclarations: ROOT_DECLARATIONS,
  });

  const temporary = join(cacheDir, `.tmp-${digest.slice(0, 16)}-${randomBytes(6).toString("hex")}`);
  const manifest: CacheManifest = {
    format: CACHE_FORMAT,
    transpiler: TRANSPILER,
    digest,
    moduleFile: MODULE_FILE,
    files: Object.keys(result.files).filter((file) => !file.endsWith(".d.ts")),
    imports: result.imports,
    exports: result.exports,
  };
  try {
    for (const file of manifest.files) {
      const target = join(temporary, safeRelative(file));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, result.files[file] as Uint8Array);
    }
    // The manifest goes last: an entry without one is never used.
    await writeFile(join(temporary, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const entry = join(cacheDir, digest);
    await rm(entry, { recursive: true, force: true });
    try {
      await rename(temporary, entry);
    } catch (error) {
      // Another process may have finished the same entry first; theirs is as good as ours.
      if ((await readManifest(entry, digest)) === undefined) throw error;
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/**
 * Checks `bytes`, transpiles them unless `<cacheDir>/<digest>` already holds this component
 * transpiled by the same transpiler, and says where the result is. Writes are atomic (a
 * temporary directory renamed into place), so concurrent runs and interrupted ones never leave
 * a half-written entry in use.
 *
 * Errors: `COMPONENT_INVALID` (not WebAssembly, a core module, malformed, or the wrong world);
 * `PATH_INVALID` when the cache directory cannot be created or written.
 */
export async function prepareComponent(options: {
  readonly bytes: Uint8Array;
  readonly cacheDir: string;
  readonly filename: string;
}): Promise<PreparedComponent> {
  const started = performance.now();
  const { bytes, cacheDir, filename } = options;
  checkComponentHeader(bytes, filename);
  const digest = await digestOf(bytes);
  const directory = join(cacheDir, digest);
  const fromCache = (await readManifest(directory, digest)) !== undefined;
  if (!fromCache) {
    try {
      await mkdir(cacheDir, { recursive: true });
      await writeEntry(cacheDir, digest, bytes, filename);
    } catch (error) {
      if (error instanceof McpCliError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new McpCliError("PATH_INVALID", `cannot write the component cache in ${cacheDir}: ${reason}`, {
        details: { cacheDir },
        cause: error,
      });
    }
  }
  return { digest, directory, moduleFile: MODULE_FILE, fromCache, prepareMs: performance.now() - started };
}
