/**
 * The type check of `execute --check`, synchronous: a TypeScript program over an in-memory
 * `/mcp-tools` (the generated tree plus the guest's script as the sandbox's main module), the
 * sandbox's globals, and ES2023 lib files read from the typescript package. Nothing else of the
 * host is visible: no Node types, no DOM, no file outside the lib directory.
 *
 * Runs inside the worker of `type-check.ts`, which bounds its time and memory: a compiler on
 * untrusted input can take very long on small pathological sources.
 */
import { readFileSync } from "node:fs";
import { dirname, posix } from "node:path";
import ts from "typescript";
import { templates } from "./templates.js";

/** One problem the compiler found, located in the guest's own file (or a file of the tree). */
export interface GuestTypeDiagnostic {
  /** The guest's file name as the user gave it, or a tree path such as `/mcp-tools/servers/x/y.ts`. */
  readonly file: string;
  /** 1-based; 0 when the problem has no location (a compiler option). */
  readonly line: number;
  readonly column: number;
  /** The TypeScript error number (`TS2345` is 2345). */
  readonly code: number;
  readonly message: string;
}

export interface GuestProgramInput {
  readonly source: string;
  /** The generated tree (`servers/<server>/<tool>.ts` ...), mounted at `/mcp-tools`. */
  readonly files: readonly { readonly path: string; readonly contents: string }[];
  /** What the user calls the script; diagnostics in it carry this name. */
  readonly filename: string;
  /** `snippet`: the body of an async function (`execute -e`), wrapped as the sandbox wraps it. */
  readonly mode: "module" | "snippet";
  readonly language: "typescript" | "javascript";
}

/** Diagnostics reported at most; the rest are counted. */
export const MAX_GUEST_DIAGNOSTICS = 50;

const ROOT = "/mcp-tools";
const GLOBALS_FILE = "/__mcp_sandbox__/globals.ts";
/**
 * The sandbox's snippet wrapper (wasm-runtime's `SNIPPET_PREFIX`), repeated here because codegen
 * must not depend on the runtime. It sits on the body's first line, so lines keep their numbers.
 */
const SNIPPET_PREFIX = "export default await (async () => {";
const SNIPPET_SUFFIX = "\n})();";

/**
 * Compiler options for guest scripts: strict, as the generated tree is written to be, with the
 * sandbox's module rules (`.ts` extensions in imports, top-level await, ES modules only).
 */
const GUEST_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ["lib.es2023.d.ts"],
  types: [],
  skipLibCheck: true,
  allowJs: true,
  checkJs: true,
};

let libDirectory: string | undefined;
const libFiles = new Map<string, ts.SourceFile>();

/** The sandbox's globals, as the generated index.ts declares them, for scripts without a tree. */
function globalsSource(): string {
  return templates().indexFile({ header: "// The sandbox's globals.", tools: [], empty: true });
}

function mainPath(input: GuestProgramInput): string {
  return `${ROOT}/main.${input.language === "javascript" ? "js" : "ts"}`;
}

/** Type-checks the guest's script; an empty list means it compiles. */
export function checkGuestProgram(input: GuestProgramInput): {
  readonly diagnostics: GuestTypeDiagnostic[];
  readonly total: number;
} {
  libDirectory ??= dirname(ts.getDefaultLibFilePath(GUEST_OPTIONS));
  const libDir = libDirectory;
  const main = mainPath(input);
  const text = input.mode === "snippet" ? `${SNIPPET_PREFIX}${input.source}${SNIPPET_SUFFIX}` : input.source;
  const virtual = new Map<string, string>();
  for (const file of input.files) {
    const path = posix.normalize(`${ROOT}/${file.path}`);
    if (path.startsWith(`${ROOT}/`)) virtual.set(path, file.contents);
  }
  virtual.set(main, text);
  virtual.set(GLOBALS_FILE, globalsSource());

  const isLib = (fileName: string): boolean =>
    fileName.startsWith(`${libDir}/`) && !fileName.slice(libDir.length + 1).includes("/");
  const readLib = (fileName: string): string | undefined => {
    try {
      return readFileSync(fileName, "utf8");
    } catch {
      return undefined;
    }
  };
  const host: ts.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const contents = virtual.get(fileName);
      if (contents !== undefined) return ts.createSourceFile(fileName, contents, languageVersion, true);
      if (!isLib(fileName)) return undefined;
      let lib = libFiles.get(fileName);
      if (lib === undefined) {
        const libText = readLib(fileName);
        if (libText === undefined) return undefined;
        lib = ts.createSourceFile(fileName, libText, languageVersion, true);
        libFiles.set(fileName, lib);
      }
      return lib;
    },
    getDefaultLibFileName: (options) => `${libDir}/${ts.getDefaultLibFileName(options)}`,
    getDefaultLibLocation: () => libDir,
    writeFile: () => {},
    getCurrentDirectory: () => ROOT,
    getDirectories: () => [],
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (fileName) => virtual.has(fileName) || (isLib(fileName) && readLib(fileName) !== undefined),
    readFile: (fileName) => virtual.get(fileName) ?? (isLib(fileName) ? readLib(fileName) : undefined),
    directoryExists: (directory) =>
      directory === ROOT ||
      directory === libDir ||
      [...virtual.keys()].some((path) => path.startsWith(`${directory}/`)),
  };

  const program = ts.createProgram({ rootNames: [main, GLOBALS_FILE], options: GUEST_OPTIONS, host });
  const mainFile = program.getSourceFile(main);
  const found = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(mainFile),
    ...program.getSemanticDiagnostics(mainFile),
  ].filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);

  const prefixColumns = input.mode === "snippet" ? SNIPPET_PREFIX.length : 0;
  const diagnostics = found.slice(0, MAX_GUEST_DIAGNOSTICS).map((diagnostic): GuestTypeDiagnostic => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (diagnostic.file === undefined || diagnostic.start === undefined) {
      return { file: input.filename, line: 0, column: 0, code: diagnostic.code, message };
    }
    const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const line = position.line + 1;
    let column = position.character + 1;
    const isMain = diagnostic.file.fileName === main;
    if (isMain && line === 1 && column > prefixColumns) column -= prefixColumns;
    return {
      file: isMain ? input.filename : diagnostic.file.fileName,
      line,
      column,
      code: diagnostic.code,
      message,
    };
  });
  return { diagnostics, total: found.length };
}
