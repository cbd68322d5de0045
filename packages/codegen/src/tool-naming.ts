/**
 * How tool names become file names and function names. The rules are part of the generated
 * tree's contract (docs/codegen.md, ADR-004): the same set of tool names always gives the same
 * names, whatever order the server lists them in.
 */
import { McpCliError, toolName } from "@mcp-execution/core";
import { assignUnique, camelCase, RESERVED_IDENTIFIERS, upperFirst } from "./identifiers.js";

/** The names generated code uses for one tool. */
export interface ToolNames {
  /** The tool's name as the server reports it; what `callTool` receives. */
  readonly tool: string;
  /** File name stem: `servers/<server>/<fileStem>.ts`. Matches `[A-Za-z0-9_][A-Za-z0-9_-]*`. */
  readonly fileStem: string;
  /** The exported wrapper function. */
  readonly functionName: string;
  /** The exported input type, `<FunctionName>Input`. */
  readonly inputType: string;
  /** The exported output type, `<FunctionName>Output`. */
  readonly outputType: string;
}

// File stems that would shadow a generated file (index.ts, manifest.json) or that Windows reserves.
const RESERVED_FILE_STEMS: ReadonlySet<string> = new Set([
  "index",
  "manifest",
  "con",
  "prn",
  "aux",
  "nul",
  ...Array.from({ length: 10 }, (_, n) => `com${n}`),
  ...Array.from({ length: 10 }, (_, n) => `lpt${n}`),
]);

const SAFE_STEM = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/**
 * The file stem a tool name maps to before collisions are resolved: accents are removed
 * (`créer` gives `creer`), every other code point outside `[A-Za-z0-9_-]` becomes `_` (dots too, so no stem can be `.`, `..`, hidden, look like an
 * extension or a `.d.ts` file), a leading `-` becomes `_`, and a reserved stem (`index`,
 * `manifest`, Windows device names; any case) gets `_tool` appended.
 */
export function naturalFileStem(name: string): string {
  if (SAFE_STEM.test(name)) return RESERVED_FILE_STEMS.has(name.toLowerCase()) ? `${name}_tool` : name;
  let stem = "";
  const unaccented = name.normalize("NFKD").replace(/\p{M}/gu, "");
  for (const character of unaccented) stem += /^[A-Za-z0-9_-]$/.test(character) ? character : "_";
  stem = stem.replace(/^-/, "_");
  return RESERVED_FILE_STEMS.has(stem.toLowerCase()) ? `${stem}_tool` : stem;
}

/**
 * The function name a tool name maps to before collisions are resolved: camelCase of its words,
 * `tool` before a leading digit or alone when nothing is left, and `Tool` appended to a reserved word
 * or sandbox global (`delete` gives `deleteTool`, `read_file` gives `readFileTool`).
 */
export function naturalFunctionName(name: string): string {
  const identifier = camelCase(name, "tool");
  return RESERVED_IDENTIFIERS.has(identifier) ? `${identifier}Tool` : identifier;
}

/**
 * Names for every tool of one server. Tool names are validated (`NAME_INVALID` for an empty,
 * over-long or control-character name, or one listed twice). File stems are unique ignoring
 * case, so the tree is safe on case-insensitive file systems; a collision keeps the plain name
 * for the tool whose name already is that stem (else the first in code-unit order) and gives the
 * others `-2`, `-3`, ... (file stems) or `2`, `3`, ... (function names).
 */
export function planToolNames(server: string, tools: readonly string[]): Map<string, ToolNames> {
  const seen = new Set<string>();
  for (const name of tools) {
    toolName(name);
    if (seen.has(name)) {
      throw new McpCliError(
        "NAME_INVALID",
        `server ${JSON.stringify(server)} lists the tool ${JSON.stringify(name)} twice`,
        {
          details: { kind: "tool", name, server, rule: "tool names must be unique within a server" },
        },
      );
    }
    seen.add(name);
  }
  const stems = assignUnique(
    tools,
    naturalFileStem,
    (value, n) => `${value}-${n}`,
    (value) => value.toLowerCase(),
  );
  const functions = assignUnique(tools, naturalFunctionName, (value, n) => `${value}${n}`);
  const plan = new Map<string, ToolNames>();
  for (const name of tools) {
    const functionName = functions.get(name)!;
    const typeBase = upperFirst(functionName);
    plan.set(name, {
      tool: name,
      fileStem: stems.get(name)!,
      functionName,
      inputType: `${typeBase}Input`,
      outputType: `${typeBase}Output`,
    });
  }
  return plan;
}
