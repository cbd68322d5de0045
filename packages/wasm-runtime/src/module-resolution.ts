/**
 * Where a guest `import` may lead: only files of the virtual filesystem. Runs on the main thread,
 * answering the worker's synchronous `resolve` requests with the file's text; the worker
 * transpiles it, under the run's deadline (a transpiler can take exponential time on hostile input).
 */
import { type GuestFileSystem, McpCliError } from "@mcp-execution/core";
import type { normalizeVfsPath as NormalizeVfsPath } from "@mcp-execution/vfs";
import type { ResolvedModuleText } from "./protocol.js";
import { MAX_MODULE_SOURCE_BYTES } from "./sandbox-constants.js";
import { isTypeScriptPath } from "./transpile.js";

export interface ModuleResolver {
  readonly files: GuestFileSystem;
  readonly normalize: typeof NormalizeVfsPath;
}

const NOT_THERE: ReadonlySet<string> = new Set(["FILE_NOT_FOUND", "PATH_INVALID", "UNSUPPORTED"]);

function candidates(path: string): string[] {
  const list = [path];
  if (path.endsWith(".js")) list.push(`${path.slice(0, -3)}.ts`);
  else if (path.endsWith(".mjs")) list.push(`${path.slice(0, -4)}.mts`);
  if (!/\.[cm]?[jt]s$/.test(path)) {
    list.push(`${path}.ts`, `${path}.js`, `${path}.mjs`, `${path}/index.ts`, `${path}/index.js`);
  }
  return list;
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

/**
 * Resolves `specifier` imported by the module named `importer` (an absolute VFS path) and returns
 * the module's source. Relative specifiers resolve against the importer's directory, absolute ones
 * must lie in `/mcp-tools` or `/workspace`; the extension is optional (`.ts`, `.js`, `.mjs`,
 * `index.ts`), and `./x.js` finds `x.ts` as TypeScript's own convention allows.
 *
 * Errors: `UNSUPPORTED` for `node:` and bare specifiers (there are no packages in the sandbox),
 * `PATH_INVALID` for paths that leave the VFS, `FILE_NOT_FOUND`, `LIMIT_SIZE` for a module larger
 * than {@link MAX_MODULE_SOURCE_BYTES}.
 */
export function resolveModule(
  resolver: ModuleResolver,
  specifier: string,
  importer: string,
): ResolvedModuleText {
  if (specifier.startsWith("node:")) {
    throw new McpCliError(
      "UNSUPPORTED",
      `cannot import ${JSON.stringify(specifier)}: Node.js modules are not available in the sandbox; use the globals (callTool, readFile, ...) or files under /mcp-tools`,
      { details: { specifier, importer } },
    );
  }
  if (!specifier.startsWith("./") && !specifier.startsWith("../") && !specifier.startsWith("/")) {
    throw new McpCliError(
      "UNSUPPORTED",
      `cannot import ${JSON.stringify(specifier)}: the sandbox has no packages; import files of the generated tree, such as "./servers/<server>/<tool>.ts"`,
      { details: { specifier, importer } },
    );
  }
  let base: string;
  try {
    base = resolver.normalize(specifier, { base: directoryOf(importer) }).path;
  } catch (error) {
    if (error instanceof McpCliError && error.code === "PATH_INVALID") {
      throw new McpCliError(
        "PATH_INVALID",
        `cannot import ${JSON.stringify(specifier)} from ${importer}: ${error.message}; imports must stay inside /mcp-tools or /workspace`,
        { details: { specifier, importer, ...(error.details ?? {}) }, cause: error },
      );
    }
    throw error;
  }
  const tried = candidates(base);
  for (const path of tried) {
    let text: string;
    try {
      text = resolver.files.readFile(path);
    } catch (error) {
      if (error instanceof McpCliError && NOT_THERE.has(error.code)) continue;
      throw error;
    }
    checkModuleSize(text, path);
    return { name: path, text, typescript: isTypeScriptPath(path) };
  }
  throw new McpCliError(
    "FILE_NOT_FOUND",
    `cannot find module ${JSON.stringify(specifier)} imported from ${importer} (tried ${tried.join(", ")})`,
    { details: { specifier, importer, tried } },
  );
}

/**
 * Refuses a module (the main one or an import) larger than {@link MAX_MODULE_SOURCE_BYTES}, from
 * its length alone: the transpiler's memory grows by a few hundred bytes per source byte.
 */
export function checkModuleSize(text: string, path: string): void {
  if (text.length > MAX_MODULE_SOURCE_BYTES) {
    throw new McpCliError(
      "LIMIT_SIZE",
      `${path} has ${text.length} characters, more than the ${MAX_MODULE_SOURCE_BYTES} a module may have`,
      { details: { path, limit: MAX_MODULE_SOURCE_BYTES, length: text.length } },
    );
  }
}
