/**
 * The generated tree (docs/conventions.md section 4) as pure functions from server manifests to files.
 * Nothing here touches the disk: callers write, save or mount the files.
 */
import {
  type GeneratedFile,
  type JsonSchema,
  McpCliError,
  type ServerManifest,
  serverId,
  type ToolAnnotations,
  type ToolDescriptor,
} from "@mcp-execution/core";
import {
  fenceFor,
  firstSentence,
  jsDocLines,
  jsString,
  markdownInline,
  normalizeText,
  renderJsDoc,
  shellWord,
  singleLine,
  truncate,
  visibleJson,
} from "./comment-text.js";
import { propertyKey } from "./identifiers.js";
import { afterSeparator, SchemaConverter, type TypeDeclaration } from "./schema-to-typescript.js";
import {
  frontMatter,
  type SkillIdentity,
  type SkillIdentityOptions,
  skillIdentity,
} from "./skill-identity.js";
import { templates } from "./templates.js";
import { planToolNames, type ToolNames } from "./tool-naming.js";

/** Options for {@link generateTree}. */
export interface GenerateOptions {
  /** SKILL.md's `name` and `description`; see {@link skillIdentity}. */
  readonly skill?: SkillIdentityOptions;
}

/** A tool summary line is cut to this many characters. */
const SUMMARY_LENGTH = 100;
/**
 * From this many tools in a tree on, SKILL.md lists file names only and leaves the one-line
 * summaries to each server's index.ts, so that SKILL.md plus one tool file stays under 15% of the
 * listing for servers with 20 or more tools (ADR-004, benches/tokens.bench.mjs).
 */
export const SKILL_SUMMARY_LIMIT = 20;
/** A server's instructions are cut to this many characters in SKILL.md; REFERENCE.md keeps them whole. */
export const SKILL_INSTRUCTIONS_LENGTH = 900;
/**
 * From this many tools in a tree on, SKILL.md does not list them at all but names the index.ts
 * files that do, so that SKILL.md plus one tool file stays under 5% of the listing (ADR-004).
 */
export const SKILL_NAMES_LIMIT = 60;

const OUTPUT_FALLBACK_DOC = jsDocLines([
  "No output schema: the tool's text, parsed as JSON when it is JSON.",
]);

interface RenderedTool {
  readonly names: ToolNames;
  readonly descriptor: ToolDescriptor;
  readonly file: GeneratedFile;
  /** Types and the function signature, without the body: REFERENCE.md's code block. */
  readonly reference: string;
  readonly summary: string;
}

interface RenderedServer {
  readonly manifest: ServerManifest;
  readonly tools: readonly RenderedTool[];
  readonly files: readonly GeneratedFile[];
}

function isSchemaObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Handlebars builds its output by concatenation, which V8 keeps as a tree of small string pieces
 * until something reads the string. Reading one character flattens it into one string, so the
 * pieces die young instead of surviving (and being copied by) every collection until generation
 * ends: for 1000 tools this halved the time spent in scavenges. Purely a speed measure.
 */
function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}

function declaration(declared: TypeDeclaration): string {
  return `${renderJsDoc(declared.doc, "")}export type ${declared.name} =${afterSeparator(declared.type)};`;
}

/** The hints a tool's annotations claim, as words; absent hints say nothing. */
function hintWords(annotations: ToolAnnotations | undefined): string[] {
  if (annotations === undefined) return [];
  const words: string[] = [];
  if (annotations.readOnlyHint === true) words.push("read-only");
  else if (annotations.destructiveHint === true) words.push("destructive");
  else if (annotations.destructiveHint === false) words.push("not destructive");
  if (annotations.idempotentHint === true) words.push("idempotent");
  if (annotations.openWorldHint === true) words.push("open world");
  return words;
}

/** True when the input schema requires nothing, so the wrapper's `args` can default to `{}`. */
function argumentsOptional(schema: JsonSchema): boolean {
  // `false` accepts nothing, not even `{}`; `true` accepts anything.
  if (!isSchemaObject(schema)) return schema !== false;
  if (
    ["$ref", "allOf", "anyOf", "oneOf", "const", "enum"].some((keyword) => Object.hasOwn(schema, keyword))
  ) {
    return false;
  }
  if (schema.type !== undefined && schema.type !== "object") return false;
  return !Array.isArray(schema.required) || schema.required.length === 0;
}

function toolTitle(tool: ToolDescriptor): string | undefined {
  return tool.title ?? tool.annotations?.title;
}

function renderTool(server: string, tool: ToolDescriptor, names: ToolNames): RenderedTool {
  const converter = new SchemaConverter([names.inputType, names.outputType]);
  const inputDoc =
    isSchemaObject(tool.inputSchema) && typeof tool.inputSchema.description === "string"
      ? jsDocLines([tool.inputSchema.description])
      : [];
  const declarations = converter.convert(tool.inputSchema, names.inputType, { objectRoot: true }, inputDoc);
  if (tool.outputSchema === undefined) {
    declarations.push({ name: names.outputType, doc: OUTPUT_FALLBACK_DOC, type: "unknown" });
  } else {
    const outputDoc =
      isSchemaObject(tool.outputSchema) && typeof tool.outputSchema.description === "string"
        ? jsDocLines([tool.outputSchema.description])
        : [];
    declarations.push(
      ...converter.convert(tool.outputSchema, names.outputType, { objectRoot: false }, outputDoc),
    );
  }
  const declarationTexts = declarations.map(declaration);

  const title = toolTitle(tool);
  const hints = hintWords(tool.annotations);
  const functionDoc = renderJsDoc(
    jsDocLines([
      tool.description ?? title ?? `Calls the tool ${jsString(tool.name)}.`,
      hints.length > 0 ? `Server hints: ${hints.join(", ")}.` : undefined,
    ]),
    "",
  );
  const argsOptional = argumentsOptional(tool.inputSchema);
  const serverLiteral = jsString(server);
  const toolLiteral = jsString(tool.name);
  const contents = flattened(
    templates().toolFile({
      header: "// Generated by mcp-cli.",
      declarations: declarationTexts,
      functionDoc,
      functionName: names.functionName,
      inputType: names.inputType,
      outputType: names.outputType,
      argsOptional,
      serverLiteral,
      toolLiteral,
    }),
  );
  const signature = `${functionDoc}export function ${names.functionName}(args${argsOptional ? "?" : ""}: ${names.inputType}): Promise<${names.outputType}>;`;
  return {
    names,
    descriptor: tool,
    file: { path: `servers/${server}/${names.fileStem}.ts`, contents },
    reference: [...declarationTexts, signature].join("\n\n"),
    summary: firstSentence(tool.description ?? title, SUMMARY_LENGTH),
  };
}

function renderServer(manifest: ServerManifest): RenderedServer {
  const server = serverId(manifest.server);
  const plan = planToolNames(
    server,
    manifest.tools.map((tool) => tool.name),
  );
  // Sorted by name, so a server that reorders its tools gives the same tree.
  const tools = [...manifest.tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((tool) => renderTool(server, tool, plan.get(tool.name)!));
  const info = manifest.serverInfo;
  const index = templates().indexFile({
    header: [
      `// Generated by mcp-cli: typed wrappers for the ${tools.length} tools of MCP server ${jsString(server)}`,
      `// (${singleLine(`${info.title ?? info.name} ${info.version}`)}). One line per tool with its first sentence.`,
      "// Each tool's file also exports its <Name>Input and <Name>Output types.",
    ].join("\n"),
    tools: tools.map((tool) => ({
      functionName: tool.names.functionName,
      fileStem: tool.names.fileStem,
      // The tool's own name only where the file name does not already show it.
      comment: singleLine(
        tool.names.fileStem === tool.names.tool
          ? tool.summary
          : tool.summary === ""
            ? `tool ${jsString(tool.names.tool)}`
            : `tool ${jsString(tool.names.tool)}: ${tool.summary}`,
      ),
    })),
    empty: tools.length === 0,
  });
  const files: GeneratedFile[] = [
    ...tools.map((tool) => tool.file),
    { path: `servers/${server}/index.ts`, contents: flattened(index) },
    // Compact: the file is for programs (fingerprint checks, regeneration); agents read the tool
    // files. Pretty-printing would double its tokens and its share of generation time (ADR-004).
    { path: `servers/${server}/manifest.json`, contents: `${visibleJson(JSON.stringify(manifest))}\n` },
  ];
  return { manifest, tools, files };
}

/**
 * The files under `servers/<server>/` for one server: a wrapper per tool, `index.ts` and
 * `manifest.json`. Throws `NAME_INVALID` when the server name is not a valid server id or a
 * tool name is invalid or listed twice.
 */
export function generateServerFiles(manifest: ServerManifest): GeneratedFile[] {
  return [...renderServer(manifest).files];
}

function serverSummary(manifest: ServerManifest): string {
  const info = manifest.serverInfo;
  const count = `${manifest.tools.length} tool${manifest.tools.length === 1 ? "" : "s"}`;
  return `${info.title ?? info.name} ${info.version}, ${count}`;
}

/** The longest JSON text of one example argument value; longer defaults and examples are not shown. */
const EXAMPLE_VALUE_LENGTH = 120;
/**
 * Tool names an example should rather not call: ones that read secrets into the agent's context
 * or take long on purpose. A preference only; such a tool is still chosen when it is the only one.
 */
const AVOIDED_IN_EXAMPLES = /env|secret|token|password|credential|long|sleep|wait|slow/i;

/**
 * A value the schema itself names for a property: its `const`, first `enum` member, `default`,
 * or first `examples` entry; undefined when it names none (the example never invents one).
 */
function schemaValue(schema: unknown): unknown {
  if (!isSchemaObject(schema)) return undefined;
  const candidates: unknown[] = [];
  if (Object.hasOwn(schema, "const")) candidates.push(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) candidates.push(schema.enum[0]);
  if (Object.hasOwn(schema, "default")) candidates.push(schema.default);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) candidates.push(schema.examples[0]);
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const text = JSON.stringify(candidate);
    if (text !== undefined && text.length <= EXAMPLE_VALUE_LENGTH) return candidate;
  }
  return undefined;
}

/**
 * Arguments for an example call: every required property, with the value its schema names;
 * undefined when a required property has none (an invented placeholder such as `path: "text"`
 * fails when run, so such a tool is not used as the example).
 */
function exampleArguments(tool: ToolDescriptor): Map<string, unknown> | undefined {
  const schema = tool.inputSchema;
  if (!isSchemaObject(schema)) return schema === false ? undefined : new Map();
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (required.length === 0) return argumentsOptional(schema) ? new Map() : undefined;
  if (["$ref", "allOf", "anyOf", "oneOf"].some((keyword) => Object.hasOwn(schema, keyword))) return undefined;
  if ((schema.type ?? "object") !== "object") return undefined;
  const properties = isSchemaObject(schema.properties) ? schema.properties : {};
  // A Map, never an object keyed by a server's property names (`__proto__` would be lost).
  const args = new Map<string, unknown>();
  for (const key of required) {
    if (typeof key !== "string" || args.has(key)) return undefined;
    const value = schemaValue(Object.hasOwn(properties, key) ? properties[key] : undefined);
    if (value === undefined) return undefined;
    args.set(key, value);
  }
  return args;
}

/**
 * A key in an object literal. `__proto__: value` in a literal sets the prototype instead of a
 * property (unlike in a type), so that one key is written computed: `["__proto__"]: value`.
 */
function literalKey(key: string): string {
  return key === "__proto__" ? `[${jsString(key)}]` : propertyKey(key);
}

/** A JavaScript value literal: strings through jsString, everything else as JSON. */
function valueLiteral(value: unknown): string {
  if (typeof value === "string") return jsString(value);
  if (Array.isArray(value)) return `[${value.map(valueLiteral).join(", ")}]`;
  if (isSchemaObject(value)) return objectLiteral(Object.keys(value).map((key) => [key, value[key]]));
  return JSON.stringify(value) ?? "null";
}

function objectLiteral(entries: Iterable<readonly [string, unknown]>): string {
  const members = [...entries].map(([key, value]) => `${literalKey(key)}: ${valueLiteral(value)}`);
  return members.length === 0 ? "{}" : `{ ${members.join(", ")} }`;
}

/** Lexicographic order of two equally long rank tuples; earlier tools win ties. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < a.length; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

interface Example {
  /** A script file for `mcp-cli execute script.ts`. */
  readonly source: string;
  /** The same call as an `-e` snippet (the body of an async function), not yet shell-quoted. */
  readonly snippet: string;
}

/**
 * The example of SKILL.md, which must run as written: a call of a read-only tool (by its
 * annotations) whose required arguments the schema fills (`const`, `enum`, `default`,
 * `examples`), preferring the fewest required arguments and names that do not suggest secrets or
 * slowness. A tree without such a tool gets an example that lists the tree's files instead of
 * calling a tool: never a writing tool, never a made-up argument.
 */
function example(servers: readonly RenderedServer[]): Example {
  let chosen:
    | { server: string; tool: RenderedTool; args: Map<string, unknown>; rank: readonly number[] }
    | undefined;
  for (const server of servers) {
    for (const tool of server.tools) {
      if (tool.descriptor.annotations?.readOnlyHint !== true) continue;
      const args = exampleArguments(tool.descriptor);
      if (args === undefined) continue;
      const rank = [AVOIDED_IN_EXAMPLES.test(tool.names.tool) ? 1 : 0, args.size];
      if (chosen === undefined || compareRanks(rank, chosen.rank) < 0) {
        chosen = { server: server.manifest.server, tool, args, rank };
      }
    }
  }
  if (chosen === undefined) {
    const first = servers[0]?.manifest.server ?? "";
    const directory = jsString(`/mcp-tools/servers/${first}`);
    return {
      source: `// Lists the tool files; import a function from one of them and export what it returns.\nexport default listFiles(${directory});`,
      snippet: `return listFiles(${directory})`,
    };
  }
  const { names } = chosen.tool;
  const args = objectLiteral(chosen.args);
  const call = chosen.args.size === 0 && argumentsOptional(chosen.tool.descriptor.inputSchema) ? "" : args;
  return {
    source: [
      `import { ${names.functionName} } from "./servers/${chosen.server}/${names.fileStem}.ts";`,
      "",
      `export default await ${names.functionName}(${call});`,
    ].join("\n"),
    snippet: `return await callTool(${jsString(chosen.server)}, ${jsString(names.tool)}, ${args})`,
  };
}

function normalizeManifests(
  manifests: ServerManifest | readonly ServerManifest[],
): readonly ServerManifest[] {
  const list = Array.isArray(manifests)
    ? (manifests as readonly ServerManifest[])
    : [manifests as ServerManifest];
  if (list.length === 0) {
    throw new McpCliError("USAGE", "code generation needs at least one server manifest");
  }
  const seen = new Set<string>();
  for (const manifest of list) {
    if (seen.has(manifest.server)) {
      throw new McpCliError("NAME_INVALID", `the server ${JSON.stringify(manifest.server)} is given twice`, {
        details: { kind: "server", name: manifest.server, rule: "server names in one tree must be unique" },
      });
    }
    seen.add(manifest.server);
  }
  return list;
}

/**
 * The whole generated tree for one or more servers: `servers/<server>/...` for each, plus one
 * `SKILL.md` and one `REFERENCE.md` covering all of them. Files are sorted by path, paths are
 * relative POSIX paths, and the same manifests and options always give the same bytes.
 *
 * Errors: `USAGE` for an empty list; `NAME_INVALID` for an invalid or repeated server name, or an
 * invalid or repeated tool name.
 */
export function generateTree(
  manifests: ServerManifest | readonly ServerManifest[],
  options: GenerateOptions = {},
): GeneratedFile[] {
  const list = normalizeManifests(manifests);
  const servers = list.map(renderServer);
  const identity = skillIdentity(list, options.skill);
  return [
    ...servers.flatMap((server) => server.files),
    { path: "SKILL.md", contents: flattened(renderSkill(servers, identity)) },
    { path: "REFERENCE.md", contents: flattened(renderReference(servers)) },
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function heading(servers: readonly RenderedServer[]): string {
  if (servers.length === 1) {
    const info = servers[0]!.manifest.serverInfo;
    return markdownInline(`${info.title ?? info.name} (MCP server ${servers[0]!.manifest.server})`);
  }
  return markdownInline(`MCP servers ${servers.map((server) => server.manifest.server).join(", ")}`);
}

/**
 * File names for SKILL.md's list of a large server, comma-separated. When every name starts with
 * the same word and separator (`browser_click`, `browser_close`), the prefix is said once,
 * ``browser_*: click, close``, which saves a token or two per tool.
 */
function fileNameList(stems: readonly string[]): string {
  if (stems.length < 2) return stems.join(", ");
  const first = stems[0] as string;
  let prefix = "";
  for (const match of first.matchAll(/[_.-]/g)) {
    const candidate = first.slice(0, match.index + 1);
    if (stems.every((stem) => stem.startsWith(candidate) && stem.length > candidate.length))
      prefix = candidate;
    else break;
  }
  if (prefix.length < 3) return stems.join(", ");
  return `\`${prefix}*\`: ${stems.map((stem) => stem.slice(prefix.length)).join(", ")}`;
}

function renderSkill(servers: readonly RenderedServer[], identity: SkillIdentity): string {
  const serverFlags = servers.map((server) => `--server ${shellWord(server.manifest.server)}`).join(" ");
  const { source, snippet } = example(servers);
  const command = `mcp-cli execute ${serverFlags} -e ${shellWord(snippet)}`;
  const toolCount = servers.reduce((sum, server) => sum + server.tools.length, 0);
  const namesOnly = toolCount >= SKILL_SUMMARY_LIMIT;
  return templates().skillFile({
    frontMatter: frontMatter(identity),
    heading: heading(servers),
    serverFlags,
    skillName: identity.name,
    example: source,
    command,
    commandFence: fenceFor(command),
    servers: servers.map((server) => ({
      server: server.manifest.server,
      summary: markdownInline(serverSummary(server.manifest)),
      namesOnly,
      names:
        !namesOnly || toolCount >= SKILL_NAMES_LIMIT
          ? ""
          : fileNameList(server.tools.map((tool) => tool.names.fileStem)),
      tools: namesOnly
        ? []
        : server.tools.map((tool) => ({
            file: `${tool.names.fileStem}.ts`,
            functionName: tool.names.functionName,
            summary: markdownInline(tool.summary),
          })),
    })),
    instructions: servers.flatMap((server) => {
      const whole = normalizeText(server.manifest.instructions ?? "");
      if (whole === "") return [];
      // A tree too large to list its tools in SKILL.md gets the instructions' start only.
      const limit =
        toolCount >= SKILL_NAMES_LIMIT ? SKILL_INSTRUCTIONS_LENGTH / 4 : SKILL_INSTRUCTIONS_LENGTH;
      const text =
        whole.length <= limit
          ? whole
          : `${truncate(whole, limit)}\n(cut here; REFERENCE.md has the whole text)`;
      return [{ server: server.manifest.server, text, fence: fenceFor(text) }];
    }),
  });
}

function renderReference(servers: readonly RenderedServer[]): string {
  return templates().referenceFile({
    heading: heading(servers),
    servers: servers.map((server) => {
      const instructions = normalizeText(server.manifest.instructions ?? "");
      return {
        server: server.manifest.server,
        summary: markdownInline(
          `${serverSummary(server.manifest)}, protocol ${server.manifest.protocolVersion}. Files under servers/${server.manifest.server}/.`,
        ),
        instructions,
        fence: fenceFor(instructions),
        tools: server.tools.map((tool) => {
          const title = toolTitle(tool.descriptor);
          return {
            tool: markdownInline(tool.names.tool),
            title: title === undefined ? "" : markdownInline(title),
            path: tool.file.path,
            code: tool.reference,
            fence: fenceFor(tool.reference),
          };
        }),
      };
    }),
  });
}
