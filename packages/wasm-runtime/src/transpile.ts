/**
 * Guest source to QuickJS module source, in the sandbox worker (never on the main thread: a
 * transpiler can take exponential time on small hostile input, and only the worker is under the
 * watchdog): TypeScript through sucrase (loaded once per worker; it keeps line numbers), and the
 * snippet wrapper. A small cache keeps repeated runs of the same code and imports of the same
 * generated wrappers from transpiling again.
 */
import { McpCliError } from "@mcp-execution/core";

export type SucraseTransform = (
  code: string,
  options: {
    transforms: ("typescript" | "jsx")[];
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

let sucraseLoading: Promise<SucraseTransform> | undefined;

/** Loads sucrase once per worker (about 65-125 ms); later calls return the same promise. */
export function loadTranspiler(): Promise<SucraseTransform> {
  sucraseLoading ??= import("sucrase").then((module) => module.transform as SucraseTransform);
  return sucraseLoading;
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
  const key = `${displayName}\u0000${code}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let output: string;
  try {
    output = transform(code, {
      transforms: ["typescript"],
      disableESTransforms: true,
      filePath: displayName,
    }).code;
  } catch (error) {
    throw syntaxErrorFromSucrase(error, displayName, lineShift);
  }
  cache.set(key, output);
  return output;
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

export interface PreparedMain {
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
 * The main module as QuickJS will run it. Snippets are wrapped; TypeScript is transpiled
 * (`transform` must be given for TypeScript). Throws `GUEST_SYNTAX` for TypeScript that does not
 * parse; JavaScript syntax errors surface from QuickJS itself.
 */
export function prepareMain(
  options: MainSourceOptions,
  transform: SucraseTransform | undefined,
): PreparedMain {
  const language = languageOf(options.filename, options.language);
  const moduleName = mainModuleName(options.filename, options.mode, language);
  const displayName =
    options.filename ??
    `${options.mode === "snippet" ? "snippet" : "main"}${language === "typescript" ? ".ts" : ".js"}`;
  let code = options.source;
  let wrapperShift: PreparedMain["wrapperShift"];
  if (options.mode === "snippet") {
    const { imports, body } = splitLeadingImports(code);
    wrapperShift = {
      line: imports.split("\n").length,
      columns: SNIPPET_PREFIX.length,
      lastLine: code.split("\n").length,
    };
    code = `${imports}${SNIPPET_PREFIX}${body}${SNIPPET_SUFFIX}`;
  }
  if (language === "typescript") {
    if (transform === undefined) throw new Error("prepareMain: TypeScript needs the transpiler loaded");
    code = transpileTypeScript(transform, code, displayName, wrapperShift);
  }
  return wrapperShift === undefined
    ? { source: code, moduleName, displayName }
    : { source: code, moduleName, displayName, wrapperShift };
}
