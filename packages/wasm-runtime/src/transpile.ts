/**
 * Guest source to QuickJS module source, in the sandbox worker (never on the main thread: a
 * transpiler can take exponential time on small hostile input, and only the worker is under the
 * watchdog): TypeScript through sucrase (loaded once per worker, only when a run needs it or the
 * worker is idle; it keeps line numbers), the test that lets a TypeScript main module that is plain
 * JavaScript skip sucrase, and the snippet wrapper. A small cache keeps repeated runs of the same code and imports of the same
 * generated wrappers from transpiling again.
 */
import { createRequire } from "node:module";
import { McpCliError } from "@mcp-execution/core";

export type SucraseTransform = (
  code: string,
  options: {
    transforms: readonly ("typescript" | "jsx")[];
    disableESTransforms?: boolean;
    filePath?: string;
  },
) => { code: string };

export type GuestLanguage = "typescript" | "javascript";

/** Where the guest's main module lives inside QuickJS: relative imports resolve against it. */
export const MAIN_MODULE_DIRECTORY = "/mcp-tools";

/**
 * The snippet wrapper, inserted on the line where the body starts so that line numbers stay the
 * user's. The default export is the awaited return value.
 */
export const SNIPPET_PREFIX = "export default await (async () => {";
export const SNIPPET_SUFFIX = "\n})();";

const TYPESCRIPT_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx"];
const JAVASCRIPT_EXTENSIONS = [".js", ".mjs", ".cjs", ".jsx"];

/**
 * The options of every sucrase call. The plain-JavaScript fast path (`mayRunAsJavaScript`) and its
 * differential test rely on these exact options: types removed, nothing else rewritten.
 */
export const SUCRASE_OPTIONS = { transforms: ["typescript"], disableESTransforms: true } as const;

/** Where {@link loadTranspilerNow} finds sucrase: scripts/pack-cli.mjs names the bundle's own file. */
declare const __MCP_SANDBOX_SUCRASE__: string | undefined;
const SUCRASE_SPECIFIER = typeof __MCP_SANDBOX_SUCRASE__ === "string" ? __MCP_SANDBOX_SUCRASE__ : "sucrase";

let sucraseLoading: Promise<SucraseTransform> | undefined;
let sucraseLoaded: SucraseTransform | undefined;

/**
 * Loads sucrase once per worker (about 20 ms from the bundled worker entry, 65-125 ms from the
 * workspace's files); later calls return the same promise. A failed load is forgotten, so the next
 * run that needs it tries again (and reports the failure as its own error).
 */
export function loadTranspiler(): Promise<SucraseTransform> {
  // Loaded already, possibly by loadTranspilerNow: nothing to import again.
  if (sucraseLoaded !== undefined) return Promise.resolve(sucraseLoaded);
  if (sucraseLoading === undefined) {
    const loading = import("sucrase").then((module) => {
      sucraseLoaded = module.transform as SucraseTransform;
      return sucraseLoaded;
    });
    loading.catch(() => {
      if (sucraseLoading === loading) sucraseLoading = undefined;
    });
    sucraseLoading = loading;
  }
  return sucraseLoading;
}

/** Whether sucrase is loaded in this thread (a run that never needed it leaves it unloaded). */
export function transpilerLoaded(): boolean {
  return sucraseLoaded !== undefined;
}

/**
 * sucrase now, synchronously: for the module normalizer, which cannot wait, when a run that took
 * the plain-JavaScript path imports TypeScript anyway (a re-export, or an `import()` built from
 * strings at run time) before the asynchronous load finished. It resolves sucrase from this file's
 * place (a declared dependency wherever this code is installed; in the installed CLI the bundled
 * copy beside the worker entry, the same file the asynchronous load reads); throws when that fails.
 */
export function loadTranspilerNow(): SucraseTransform {
  if (sucraseLoaded === undefined) {
    const module = createRequire(import.meta.url)(SUCRASE_SPECIFIER) as { transform: SucraseTransform };
    sucraseLoaded = module.transform;
  }
  return sucraseLoaded;
}

/**
 * Whether TypeScript source may run as it is, without sucrase, provided QuickJS also compiles it
 * as a module (the worker checks that, compiling only). Every piece of TypeScript-only syntax
 * (annotations, `as`, `satisfies`, `!`, `enum`, modifiers, `declare`, overloads) is a syntax error
 * in JavaScript, so QuickJS refuses it; what is left are the places where valid JavaScript means
 * something else to sucrase, and this refuses each of them from the text:
 * - any `<`: `f<T>(x)` is a generic call to sucrase and two comparisons to JavaScript (and `<T>x`
 *   an assertion, `<div>` JSX);
 * - the word `import`: sucrase drops imports whose bindings are unused, JavaScript keeps them;
 * - the word `abstract`: sucrase reads `export default abstract` + newline + `class C {}` as one
 *   abstract class declaration, JavaScript as two statements.
 * A module that passes these checks is one sucrase returns unchanged (the differential corpus in
 * typescript-fast-path.test.ts checks that, and the counter-examples above).
 */
export function mayRunAsJavaScript(source: string): boolean {
  return !source.includes("<") && !/\b(?:import|abstract)\b/.test(source);
}

export function languageOf(filename: string | undefined, explicit?: GuestLanguage): GuestLanguage {
  if (explicit !== undefined) return explicit;
  const lower = (filename ?? "").toLowerCase();
  if (JAVASCRIPT_EXTENSIONS.some((extension) => lower.endsWith(extension))) return "javascript";
  return "typescript";
}

export function isTypeScriptPath(path: string): boolean {
  const lower = path.toLowerCase();
  return TYPESCRIPT_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** A bounded cache of transpiled sources, keyed by file name and text. */
class TranspileCache {
  readonly #entries = new Map<string, string>();
  #bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): string | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: string): void {
    const size = key.length + value.length;
    if (size > this.maxBytes / 4) return;
    this.#entries.set(key, value);
    this.#bytes += size;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      const dropped = this.#entries.get(oldest.value) ?? "";
      this.#bytes -= oldest.value.length + dropped.length;
      this.#entries.delete(oldest.value);
    }
  }
}

const cache = new TranspileCache(512, 16 * 1024 * 1024);

interface SucraseError {
  message?: unknown;
  loc?: { line?: unknown; column?: unknown };
}

/**
 * TypeScript to JavaScript with sucrase (types removed, modern syntax kept, lines kept).
 * Throws `GUEST_SYNTAX` with the file, line and column when sucrase cannot parse the code.
 */
export function transpileTypeScript(
  transform: SucraseTransform,
  code: string,
  displayName: string,
  lineShift?: { readonly line: number; readonly columns: number },
): string {
  const cached = cachedTranspile(code, displayName);
  if (cached !== undefined) return cached;
  let output: string;
  try {
    output = transform(code, { ...SUCRASE_OPTIONS, filePath: displayName }).code;
  } catch (error) {
    throw syntaxErrorFromSucrase(error, displayName, lineShift);
  }
  rememberTranspiled(code, displayName, output);
  return output;
}

/** What sucrase made (or would make) of `code`, when this worker has it cached. */
export function cachedTranspile(code: string, displayName: string): string | undefined {
  return cache.get(`${displayName}\u0000${code}`);
}

/**
 * Remembers sucrase's output for `code`; the plain-JavaScript path stores `code` itself, which is
 * what sucrase returns for it, so repeated runs skip even the compile check.
 */
export function rememberTranspiled(code: string, displayName: string, output: string): void {
  cache.set(`${displayName}\u0000${code}`, output);
}

function syntaxErrorFromSucrase(
  error: unknown,
  displayName: string,
  lineShift: { readonly line: number; readonly columns: number } | undefined,
): McpCliError {
  const problem = error as SucraseError;
  const raw = typeof problem.message === "string" ? problem.message : String(error);
  // "Error transforming main.ts: Unexpected token (1:10)" -> "Unexpected token"
  const reason = raw
    .replace(/^Error transforming [^:]*: /, "")
    .replace(/\s*\(\d+:\d+\)\s*$/, "")
    .trim();
  const line = typeof problem.loc?.line === "number" ? problem.loc.line : undefined;
  let column = typeof problem.loc?.column === "number" ? problem.loc.column + 1 : undefined;
  if (line !== undefined && column !== undefined && lineShift !== undefined && line === lineShift.line) {
    column = Math.max(1, column - lineShift.columns);
  }
  const where =
    line === undefined ? displayName : `${displayName}:${line}${column === undefined ? "" : `:${column}`}`;
  return new McpCliError("GUEST_SYNTAX", `SyntaxError: ${reason} (at ${where})`, {
    details: { file: displayName, line: line ?? null, column: column ?? null },
  });
}

/**
 * Splits a snippet into its leading import declarations (with the comments and blank lines among
 * them) and the body. Only the imports at the very start are hoisted; an import further down is a
 * syntax error inside the wrapper function, as it would be inside any function.
 */
export function splitLeadingImports(source: string): { readonly imports: string; readonly body: string } {
  const piece =
    /^(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|import\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\*\s*as\s+[\w$]+|\{[^}]*\})?\s*(?:from\s*)?(["'])[^"'\n]*\1[ \t]*;?)/;
  let position = 0;
  let lastImportEnd = 0;
  for (;;) {
    const match = piece.exec(source.slice(position));
    if (match === null || match[0].length === 0) break;
    position += match[0].length;
    if (match[0].startsWith("import")) lastImportEnd = position;
  }
  return { imports: source.slice(0, lastImportEnd), body: source.slice(lastImportEnd) };
}

/** The main module wrapped (snippets) and named, before any transpiling. */
export interface WrappedMain {
  readonly language: GuestLanguage;
  readonly source: string;
  readonly moduleName: string;
  readonly displayName: string;
  /**
   * Snippets only: the line where the wrapper was inserted (its columns shift by `columns`) and
   * the last line of the user's code (frames below it are the wrapper's own).
   */
  readonly wrapperShift?: { readonly line: number; readonly columns: number; readonly lastLine: number };
}

export interface MainSourceOptions {
  readonly source: string;
  readonly mode: "module" | "snippet";
  readonly filename?: string;
  readonly language?: GuestLanguage;
}

/** The name the main module gets inside the VFS: `/mcp-tools/<file name>`. */
export function mainModuleName(
  filename: string | undefined,
  mode: "module" | "snippet",
  language: GuestLanguage,
): string {
  const extension = language === "typescript" ? ".ts" : ".js";
  const base = (filename ?? "").split(/[\\/]/).pop() ?? "";
  const safe = base.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  const name = safe.length > 0 ? safe : `${mode === "snippet" ? "snippet" : "main"}${extension}`;
  return `${MAIN_MODULE_DIRECTORY}/${name}`;
}

/**
 * How a run's main module reached QuickJS: JavaScript as given, TypeScript through sucrase,
 * TypeScript that is plain JavaScript run as it is (no sucrase), or from the worker's cache.
 */
export type MainModulePath = "javascript" | "sucrase" | "as-javascript" | "cached";

/** Names the main module and wraps a snippet; the text stays as the caller wrote it otherwise. */
export function wrapMain(options: MainSourceOptions): WrappedMain {
  const language = languageOf(options.filename, options.language);
  const moduleName = mainModuleName(options.filename, options.mode, language);
  const displayName =
    options.filename ??
    `${options.mode === "snippet" ? "snippet" : "main"}${language === "typescript" ? ".ts" : ".js"}`;
  if (options.mode !== "snippet") return { source: options.source, moduleName, displayName, language };
  const { imports, body } = splitLeadingImports(options.source);
  const wrapperShift = {
    line: imports.split("\n").length,
    columns: SNIPPET_PREFIX.length,
    lastLine: options.source.split("\n").length,
  };
  const source = `${imports}${SNIPPET_PREFIX}${body}${SNIPPET_SUFFIX}`;
  return { source, moduleName, displayName, language, wrapperShift };
}
