/**
 * The Handlebars templates of the generated tree. They are ours alone (never user input), run in
 * a private Handlebars environment, and are compiled once, on first use. Templates do no escaping
 * (`noEscape`): every value is made safe for where it lands before it is passed in (see
 * `comment-text.ts` and `jsString`), and `strict` turns a missing value into an error instead of
 * an empty string.
 */
import Handlebars from "handlebars";

export interface ToolFileView {
  readonly header: string;
  readonly declarations: readonly string[];
  readonly functionDoc: string;
  readonly functionName: string;
  readonly inputType: string;
  readonly outputType: string;
  readonly argsOptional: boolean;
  readonly serverLiteral: string;
  readonly toolLiteral: string;
}

export interface IndexFileView {
  readonly header: string;
  readonly tools: readonly {
    readonly functionName: string;
    readonly fileStem: string;
    readonly comment: string;
  }[];
  readonly empty: boolean;
}

export interface SkillFileView {
  readonly frontMatter: string;
  readonly heading: string;
  readonly serverFlags: string;
  readonly skillName: string;
  readonly example: string;
  /** The `mcp-cli execute ... -e '...'` line, shell-quoted, and a fence longer than any backtick run in it. */
  readonly command: string;
  readonly commandFence: string;
  readonly servers: readonly {
    readonly server: string;
    readonly summary: string;
    readonly namesOnly: boolean;
    /** File stems, or "" when even names would be too many and index.ts is the list. */
    readonly names: string;
    readonly tools: readonly {
      readonly file: string;
      readonly functionName: string;
      readonly summary: string;
    }[];
  }[];
  readonly instructions: readonly {
    readonly server: string;
    readonly text: string;
    readonly fence: string;
  }[];
}

export interface ReferenceFileView {
  readonly heading: string;
  readonly servers: readonly {
    readonly server: string;
    readonly summary: string;
    readonly instructions: string;
    readonly fence: string;
    readonly tools: readonly {
      readonly tool: string;
      readonly title: string;
      readonly path: string;
      readonly code: string;
      readonly fence: string;
    }[];
  }[];
}

const TOOL_FILE = `{{{header}}}
declare function callTool(server: string, tool: string, args: unknown): Promise<unknown>;
{{#each declarations}}

{{{this}}}
{{/each}}

{{{functionDoc}}}export async function {{{functionName}}}(args{{#if argsOptional}}?{{/if}}: {{{inputType}}}): Promise<{{{outputType}}}> {
  return (await callTool({{{serverLiteral}}}, {{{toolLiteral}}}, {{#if argsOptional}}args ?? {}{{else}}args{{/if}})) as {{{outputType}}};
}
`;

const INDEX_FILE = `{{{header}}}
{{#each tools}}
export { {{{functionName}}} } from "./{{{fileStem}}}.ts";{{#if comment}} // {{{comment}}}{{/if}}
{{/each}}
{{#if empty}}
export {};
{{/if}}

// The sandbox's globals (docs/conventions.md section 3), declared so scripts that use this tree type-check.
declare global {
  /**
   * Calls a tool of a server this run may use. Resolves to the tool's structured content when it
   * has one, otherwise its text parsed as JSON when it is JSON, otherwise its text. Rejects with an
   * Error carrying \`code\`, \`server\` and \`tool\`.
   */
  function callTool(server: string, tool: string, args?: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Reads a text file: \`/mcp-tools\` (this tree, read-only) or \`/workspace\` (read-write). */
  function readFile(path: string): string;
  /** Writes a text file under \`/workspace\`. */
  function writeFile(path: string, text: string): void;
  /** Names of the entries of a directory (default \`/workspace\`). */
  function listFiles(directory?: string): string[];
  /** A value saved by \`setState\` in this \`--session\`, or undefined. */
  function getState(key: string): unknown;
  /** Saves a JSON value for later runs of this \`--session\`. */
  function setState(key: string, value: unknown): void;
  /** A timer bounded by the run's deadline. */
  function setTimeout(callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]): number;
  function clearTimeout(id: number | undefined): void;
  interface Console {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
    debug(...data: unknown[]): void;
  }
  var console: Console;
}
`;

const SKILL_FILE = `---
{{{frontMatter}}}---

# {{{heading}}}

Call these tools from TypeScript; only what the script returns or logs comes back to you. Run
\`mcp-cli\` from the project folder whose MCP configuration names the servers:

{{{commandFence}}}sh
{{{command}}}
{{{commandFence}}}

Or a script file: \`mcp-cli execute script.ts {{{serverFlags}}}\` (\`--skill {{{skillName}}}\` once saved);
imports resolve in the sandbox's copy of this tree; \`export default\` is the result:

\`\`\`ts
{{{example}}}
\`\`\`

Types are not checked at run time (\`mcp-cli execute --check\` checks them). Untyped results are
\`unknown\`; a failed call throws an \`Error\` with \`code\`, \`server\`, \`tool\`. Sandbox: no network or
host files; \`readFile\`, \`writeFile\`, \`listFiles\` (\`/workspace\` writable), \`getState\`/\`setState\`, \`console\`.

## Tools

Read a tool's \`servers/<server>/<file>.ts\` (types, docs) before calling it.
{{#each servers}}

{{{server}}}: {{{summary}}}{{#if namesOnly}}; \`servers/{{{server}}}/index.ts\` lists them with one-line summaries{{#if names}}. Files:
{{{names}}}
{{else}}.
{{/if}}
{{else}}, in \`servers/{{{server}}}/\`:
{{#each tools}}
- \`{{{file}}}\` \`{{{functionName}}}()\`{{#if summary}}: {{{summary}}}{{/if}}
{{/each}}
{{/if}}
{{/each}}
{{#each instructions}}

## Instructions from {{{server}}}

{{{fence}}}text
{{{text}}}
{{{fence}}}
{{/each}}
`;

const REFERENCE_FILE = `# {{{heading}}}: reference

Every tool's types, documentation and function. Import a function from its file, for example
\`import { name } from "./servers/<server>/<file>.ts"\`.
{{#each servers}}

## Server {{{server}}}

{{{summary}}}
{{#if instructions}}

Instructions from the server:

{{{fence}}}text
{{{instructions}}}
{{{fence}}}
{{/if}}
{{#each tools}}

### {{{tool}}}{{#if title}}: {{{title}}}{{/if}}

\`{{{path}}}\`

{{{fence}}}ts
{{{code}}}
{{{fence}}}
{{/each}}
{{/each}}
`;

type Template<T> = (view: T) => string;

interface CompiledTemplates {
  readonly toolFile: Template<ToolFileView>;
  readonly indexFile: Template<IndexFileView>;
  readonly skillFile: Template<SkillFileView>;
  readonly referenceFile: Template<ReferenceFileView>;
}

let compiled: CompiledTemplates | undefined;

/** The compiled templates; compiled on the first call, shared afterwards. */
export function templates(): CompiledTemplates {
  if (compiled === undefined) {
    const environment = Handlebars.create();
    // knownHelpersOnly compiles `if`/`each` inline; data: false skips @index frames we never use.
    const options = { noEscape: true, strict: true, knownHelpersOnly: true, data: false } as const;
    compiled = {
      toolFile: environment.compile<ToolFileView>(TOOL_FILE, options),
      indexFile: environment.compile<IndexFileView>(INDEX_FILE, options),
      skillFile: environment.compile<SkillFileView>(SKILL_FILE, options),
      referenceFile: environment.compile<ReferenceFileView>(REFERENCE_FILE, options),
    };
  }
  return compiled;
}
