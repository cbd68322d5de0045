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
  singleLine,
} from "./comment-text.js";
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
 * Above this many tools in a tree, SKILL.md lists file names only and leaves the one-line
 * summaries to each server's index.ts, so reading SKILL.md stays cheap (ADR-004).
 */
export const SKILL_SUMMARY_LIMIT = 24;

const OUTPUT_FALLBACK_DOC = jsDocLines([
  "The tool declares no output schema: its text content, parsed as JSON when it is JSON.",
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
      header: "// Generated by mcp-cli from the tool's schema.",
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
    { path: `servers/${server}/manifest.json`, contents: `${JSON.stringify(manifest)}\n` },
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

/** A literal value of a simple schema, for the example in SKILL.md; undefined when not simple. */
function exampleValue(schema: unknown): unknown {
  if (!isSchemaObject(schema)) return undefined;
  const plain = (value: unknown) => typeof value !== "string" || /^[\w .:/@-]*$/.test(value);
  if (Object.hasOwn(schema, "const")) return plain(schema.const) ? schema.const : undefined;
  if (Array.isArray(schema.enum)) return plain(schema.enum[0]) ? schema.enum[0] : undefined;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const fallback = (value: unknown) =>
    Object.hasOwn(schema, "default") && typeof schema.default === typeof value && plain(schema.default)
      ? schema.default
      : value;
  switch (type) {
    case "string":
      return fallback("text");
    case "number":
    case "integer":
      return fallback(typeof schema.minimum === "number" ? schema.minimum : 1);
    case "boolean":
      return fallback(true);
    default:
      return undefined;
  }
}

/** Arguments for an example call: every required property with a simple value; undefined when impossible. */
function exampleArguments(tool: ToolDescriptor): Record<string, unknown> | undefined {
  const schema = tool.inputSchema;
  if (!isSchemaObject(schema)) return schema === false ? undefined : {};
  if (!argumentsOptional(schema) && (schema.type ?? "object") !== "object") return undefined;
  if (["$ref", "allOf", "anyOf", "oneOf"].some((keyword) => Object.hasOwn(schema, keyword))) return undefined;
  const properties = isSchemaObject(schema.properties) ? schema.properties : {};
  const args: Record<string, unknown> = {};
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (typeof key !== "string") return undefined;
    const value = exampleValue(properties[key]);
    if (value === undefined) return undefined;
    args[key] = value;
  }
  return args;
}

function argumentsLiteral(args: Record<string, unknown>): string {
  const entries = Object.entries(args).map(
    ([key, value]) =>
      `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

interface Example {
  readonly source: string;
  readonly snippet: string;
}

/**
 * The example script of SKILL.md: a call of the first read-only tool whose required arguments
 * are simple (else of any such tool), so the example runs without side effects where possible.
 */
function example(servers: readonly RenderedServer[], serverFlags: string): Example {
  // The first read-only candidate wins; otherwise the first candidate at all.
  let chosen: { server: string; tool: RenderedTool; args: Record<string, unknown> } | undefined;
  search: for (const server of servers) {
    for (const tool of server.tools) {
      const readOnly = tool.descriptor.annotations?.readOnlyHint === true;
      if (chosen !== undefined && !readOnly) continue;
      const args = exampleArguments(tool.descriptor);
      if (args === undefined) continue;
      chosen = { server: server.manifest.server, tool, args };
      if (readOnly) break search;
    }
  }
  if (chosen === undefined) {
    return {
      source:
        "// Import a tool's function from servers/<server>/<file>.ts and `export default` what you want back.\nexport default null;",
      snippet: `mcp-cli execute ${serverFlags} -e 'return 1 + 1'`,
    };
  }
  const { names } = chosen.tool;
  const args = argumentsLiteral(chosen.args);
  return {
    source: [
      `import { ${names.functionName} } from "./servers/${chosen.server}/${names.fileStem}.ts";`,
      "",
      `export default await ${names.functionName}(${args});`,
    ].join("\n"),
    snippet: `mcp-cli execute ${serverFlags} -e 'return await callTool(${jsString(chosen.server)}, ${jsString(names.tool)}, ${args})'`,
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

function renderSkill(servers: readonly RenderedServer[], identity: SkillIdentity): string {
  const serverFlags = servers.map((server) => `--server ${server.manifest.server}`).join(" ");
  const { source, snippet } = example(servers, serverFlags);
  const namesOnly = servers.reduce((sum, server) => sum + server.tools.length, 0) > SKILL_SUMMARY_LIMIT;
  return templates().skillFile({
    frontMatter: frontMatter(identity),
    heading: heading(servers),
    serverFlags,
    skillName: identity.name,
    example: source,
    exampleSnippet: snippet,
    servers: servers.map((server) => ({
      server: server.manifest.server,
      summary: markdownInline(
        server.manifest.instructions === undefined
          ? serverSummary(server.manifest)
          : `${serverSummary(server.manifest)} (its instructions are in REFERENCE.md)`,
      ),
      namesOnly,
      names: namesOnly ? server.tools.map((tool) => tool.names.fileStem).join(", ") : "",
      tools: namesOnly
        ? []
        : server.tools.map((tool) => ({
            file: `${tool.names.fileStem}.ts`,
            functionName: tool.names.functionName,
            summary: markdownInline(tool.summary),
          })),
    })),
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
