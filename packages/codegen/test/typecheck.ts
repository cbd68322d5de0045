/**
 * Type-checks a generated tree with the TypeScript compiler API, the way an agent's editor or
 * `tsc --noEmit` would: strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, isolated
 * modules, `.ts` extensions in imports, and no lib beyond ES2023 (no DOM, no Node types), so the
 * tree's own global declarations must be enough.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GeneratedFile } from "@mcp-execution/core";
import ts from "typescript";
import { writeTree } from "./corpus.js";

export const GUEST_COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitReturns: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts"],
  types: [],
  skipLibCheck: false,
};

/**
 * Writes `files` (plus `extra` scripts) to a temporary directory, type-checks every `.ts` file
 * and returns the diagnostics as `path(line,col): message` lines; empty means it compiles.
 */
export function typecheckTree(
  files: readonly GeneratedFile[],
  extra: readonly GeneratedFile[] = [],
  options: ts.CompilerOptions = GUEST_COMPILER_OPTIONS,
): string[] {
  const root = mkdtempSync(join(tmpdir(), "codegen-tsc-"));
  try {
    const all = [...files, ...extra];
    writeTree(root, all);
    const rootNames = all.filter((file) => file.path.endsWith(".ts")).map((file) => join(root, file.path));
    const program = ts.createProgram(rootNames, options);
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (diagnostic.file === undefined || diagnostic.start === undefined) return message;
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      return `${diagnostic.file.fileName.slice(root.length + 1)}(${line + 1},${character + 1}): ${message}`;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The TypeScript example of a generated SKILL.md (its first ```ts block). */
export function skillExample(skill: string): string {
  const match = /```ts\n([\s\S]*?)\n```/.exec(skill);
  if (match?.[1] === undefined) throw new Error("SKILL.md has no TypeScript example");
  return match[1];
}

/**
 * The same checks in an editor set up for Node and the browser: the tree's global declarations
 * must merge with @types/node and lib.dom (console, setTimeout) instead of conflicting.
 */
export const NODE_AND_DOM_COMPILER_OPTIONS: ts.CompilerOptions = {
  ...GUEST_COMPILER_OPTIONS,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  types: ["node"],
  typeRoots: [join(dirname(fileURLToPath(import.meta.url)), "../../../node_modules/@types")],
};

/**
 * How long type-checking a one-line file takes here and now (the compiler reading the ES2023 lib).
 * Type-checking tests budget their time as a multiple of it, so a loaded machine gets a longer
 * deadline instead of a timeout: the budget follows the work, not the clock.
 */
export function measureSmallTypecheckMs(): number {
  const started = performance.now();
  typecheckTree([{ path: "probe.ts", contents: "export const probe: number = 1;\n" }]);
  return performance.now() - started;
}
