/**
 * The world a component guest must target (`mcp:tools/guest` in wit/mcp-tools.wit at the
 * repository root) and the checks that refuse any other before it runs.
 *
 * The checks read what jco's transpiler reports (imports, exports) and the TypeScript
 * declarations it generates beside the bindings: those declarations are produced from the
 * component's own types by the same pinned transpiler that produces the bindings, so they say
 * exactly what signatures the bindings will call and expect.
 */
import { McpCliError } from "@mcp-execution/core";
import { HOST_INTERFACE, WIT_VERSION, WIT_WORLD } from "./names.js";
import { WASI_INTERFACES, WASI_VERSION } from "./wasi.js";

/** Versions of the host interface this runtime serves (0.1.x: compatible with 0.1.0). */
const HOST_VERSION = /^0\.1\.\d+$/;

/** The declarations jco 0.15 generates for each host member, keyed by declared name. */
const HOST_DECLARATIONS: Readonly<Record<string, string>> = {
  callTool: "export function callTool(server: string, tool: string, argsJson: string): string;",
  log: "export function log(level: LogLevel, message: string): void;",
  LogLevel: "export type LogLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';",
};
const RUN_DECLARATION = "run(): string,";
const EXPECTED_RUN = "run: func() -> result<string, string>";

/** What the transpiler reported about a component. */
export interface TranspiledShape {
  readonly imports: readonly string[];
  readonly exports: readonly (readonly [string, string])[];
  /** Generated files: the root declarations and one per imported interface. */
  readonly declarations: Readonly<Record<string, string>>;
  /** File name of the root declarations inside `declarations`. */
  readonly rootDeclarations: string;
}

function wrongWorld(message: string, details: Record<string, unknown> = {}): McpCliError {
  return new McpCliError(
    "COMPONENT_INVALID",
    `${message}; a guest must target world ${WIT_WORLD} (wit/mcp-tools.wit): export ${EXPECTED_RUN} and import only ${HOST_INTERFACE}@${WIT_VERSION} and WASI 0.2 interfaces without network`,
    { details: { world: WIT_WORLD, ...details } },
  );
}

/** `'name@version': typeof X` lines of the root declarations, as name → version. */
function importVersions(rootDeclarations: string): Map<string, string> {
  const versions = new Map<string, string>();
  for (const match of rootDeclarations.matchAll(/^\s*'([^'@]+)@([^']+)': typeof /gm)) {
    versions.set(match[1] as string, match[2] as string);
  }
  return versions;
}

function interfaceFile(name: string): string {
  return `interfaces/${name.replace(/[:/]/g, "-")}.d.ts`;
}

/**
 * Throws `COMPONENT_INVALID` unless the component exports `run` with the right signature and
 * imports only the host interface (0.1.x, with the declared signatures) and served WASI
 * interfaces (0.2.x).
 */
export function checkWorld(shape: TranspiledShape): void {
  const root = shape.declarations[shape.rootDeclarations] ?? "";
  const exported = shape.exports.map(([name, kind]) => `${name} (${kind})`);
  if (!shape.exports.some(([name, kind]) => name === "run" && kind === "function")) {
    throw wrongWorld(
      `the component does not export run (it exports ${exported.length === 0 ? "nothing" : exported.join(", ")})`,
      { exports: exported },
    );
  }
  const runLine = root.split("\n").find((line) => /^\s*run\(/.test(line));
  if (runLine?.trim() !== RUN_DECLARATION) {
    throw wrongWorld(
      `the component's run has the wrong signature (its bindings declare ${runLine?.trim() ?? "nothing"} where ${EXPECTED_RUN} declares ${RUN_DECLARATION})`,
      { run: runLine?.trim() ?? null },
    );
  }
  const versions = importVersions(root);
  const served = new Set(WASI_INTERFACES);
  for (const name of shape.imports) {
    const version = versions.get(name) ?? "";
    if (name === HOST_INTERFACE) {
      if (!HOST_VERSION.test(version)) {
        throw wrongWorld(`the component imports ${name}@${version}, a version this host does not serve`, {
          import: `${name}@${version}`,
        });
      }
      checkHostDeclarations(shape.declarations[interfaceFile(name)] ?? "");
      continue;
    }
    if (!served.has(name)) {
      throw wrongWorld(
        `the component imports ${name}${version === "" ? "" : `@${version}`}, which the sandbox does not provide`,
        {
          import: name,
        },
      );
    }
    if (!WASI_VERSION.test(version)) {
      throw wrongWorld(`the component imports ${name}@${version}; the sandbox serves WASI 0.2.x`, {
        import: `${name}@${version}`,
      });
    }
  }
}

function checkHostDeclarations(declarations: string): void {
  for (const line of declarations.split("\n")) {
    const match = /^export (?:function|type) (\w+)/.exec(line);
    if (match === null) continue;
    const name = match[1] as string;
    const expected = HOST_DECLARATIONS[name];
    if (expected === undefined) {
      throw wrongWorld(`the component imports ${name} from ${HOST_INTERFACE}, which has no such member`, {
        member: name,
      });
    }
    if (line.trim() !== expected) {
      throw wrongWorld(
        `the component imports ${HOST_INTERFACE} ${name} with a different signature (its bindings declare ${line.trim()} where ${expected} is served)`,
        { member: name },
      );
    }
  }
}
