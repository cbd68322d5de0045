/**
 * The searchable index of every tool `serve` offers through the generated API: for each tool its
 * server, wrapper file, one-line signature and summary. `search_tools` answers from it so a model
 * reads a few lines per hit instead of whole schemas.
 *
 * Ranking is lexical and deterministic: query words (and their prefixes) are matched against the
 * tool name, title, server, argument names and description, weighted in that order; ties break on
 * server and tool name. Everything indexed comes from servers and is untrusted: it is truncated
 * here, and escaped where it is printed.
 */
import { planToolNames } from "@mcp-execution/codegen";
import type { JsonSchema, ServerManifest, ToolDescriptor } from "@mcp-execution/core";

/** One line of `search_tools` output. */
export interface CatalogHit {
  readonly server: string;
  readonly tool: string;
  /** The generated wrapper, relative to the tree root: `servers/<server>/<stem>.ts`. */
  readonly path: string;
  /** `functionName(args: { a: string; b?: number })`, arguments in schema order. */
  readonly signature: string;
  /** The first sentence or line of the description, at most {@link SUMMARY_LIMIT} characters. */
  readonly summary: string;
  readonly readOnly: boolean;
  readonly score: number;
}

const SUMMARY_LIMIT = 160;
const SIGNATURE_ARGUMENTS_LIMIT = 12;
const INDEXED_TEXT_LIMIT = 4_000;

interface Entry {
  readonly hit: Omit<CatalogHit, "score">;
  readonly name: string;
  readonly title: string;
  readonly server: string;
  readonly argumentNames: readonly string[];
  readonly description: string;
}

function words(text: string): string[] {
  // Split camelCase and snake/kebab case so `getSum` and `get_sum` both match "sum".
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

function firstLine(description: string | undefined): string {
  if (description === undefined) return "";
  const line = description.trim().split(/\n\s*\n|\n/)[0] ?? "";
  const sentence = /^(.+?[.!?])(\s|$)/.exec(line)?.[1] ?? line;
  return sentence.length > SUMMARY_LIMIT ? `${sentence.slice(0, SUMMARY_LIMIT - 1)}…` : sentence;
}

function typeOf(schema: JsonSchema | undefined): string {
  if (schema === undefined || typeof schema !== "object" || schema === null) return "unknown";
  const record = schema as Record<string, unknown>;
  if (Array.isArray(record.enum) && record.enum.length > 0 && record.enum.length <= 4) {
    return record.enum.map((value) => JSON.stringify(value)).join(" | ");
  }
  const type = record.type;
  if (Array.isArray(type))
    return type.map((item) => (item === "integer" ? "number" : String(item))).join(" | ");
  if (type === "integer") return "number";
  if (type === "array") return `${typeOf(record.items as JsonSchema | undefined)}[]`;
  if (type === "object") return "object";
  return typeof type === "string" ? type : "unknown";
}

function signatureOf(
  functionName: string,
  tool: ToolDescriptor,
): { signature: string; argumentNames: string[] } {
  const schema = tool.inputSchema as Record<string, unknown>;
  const properties =
    typeof schema.properties === "object" && schema.properties !== null
      ? (schema.properties as Record<string, JsonSchema>)
      : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const argumentNames = Object.keys(properties);
  if (argumentNames.length === 0) return { signature: `${functionName}()`, argumentNames };
  const shown = argumentNames
    .slice(0, SIGNATURE_ARGUMENTS_LIMIT)
    .map(
      (name) =>
        `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}${required.has(name) ? "" : "?"}: ${typeOf(properties[name])}`,
    );
  if (argumentNames.length > SIGNATURE_ARGUMENTS_LIMIT)
    shown.push(`… ${argumentNames.length - SIGNATURE_ARGUMENTS_LIMIT} more`);
  return { signature: `${functionName}(args: { ${shown.join("; ")} })`, argumentNames };
}

export class ToolCatalog {
  readonly #entries: readonly Entry[];

  constructor(manifests: readonly ServerManifest[]) {
    const entries: Entry[] = [];
    for (const manifest of manifests) {
      const names = planToolNames(
        manifest.server,
        manifest.tools.map((tool) => tool.name),
      );
      for (const tool of manifest.tools) {
        const planned = names.get(tool.name);
        if (planned === undefined) continue;
        const { signature, argumentNames } = signatureOf(planned.functionName, tool);
        entries.push({
          hit: {
            server: manifest.server,
            tool: tool.name,
            path: `servers/${manifest.server}/${planned.fileStem}.ts`,
            signature,
            summary: firstLine(tool.description),
            readOnly: tool.annotations?.readOnlyHint === true,
          },
          name: tool.name,
          title: tool.title ?? "",
          server: manifest.server,
          argumentNames,
          description: (tool.description ?? "").slice(0, INDEXED_TEXT_LIMIT),
        });
      }
    }
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  /**
   * Tools ranked for `query`, best first. An empty query lists tools in server and name order.
   * `server` restricts the search to one server.
   */
  search(query: string, options: { readonly server?: string; readonly limit?: number } = {}): CatalogHit[] {
    const limit = Math.max(1, Math.min(options.limit ?? 10, 100));
    const queryWords = [...new Set(words(query.slice(0, 500)))].slice(0, 20);
    const candidates = this.#entries.filter(
      (entry) => options.server === undefined || entry.server === options.server,
    );
    const scored = candidates.map((entry) => ({
      entry,
      score: queryWords.length === 0 ? 1 : scoreOf(entry, queryWords),
    }));
    return scored
      .filter(({ score }) => score > 0)
      .sort(
        (a, b) =>
          b.score - a.score ||
          a.entry.server.localeCompare(b.entry.server) ||
          a.entry.name.localeCompare(b.entry.name),
      )
      .slice(0, limit)
      .map(({ entry, score }) => ({ ...entry.hit, score: Math.round(score * 100) / 100 }));
  }
}

function fieldScore(fieldWords: readonly string[], queryWord: string): number {
  let best = 0;
  for (const word of fieldWords) {
    if (word === queryWord) return 1;
    if (word.startsWith(queryWord) || queryWord.startsWith(word))
      best = Math.max(best, word.length >= 3 ? 0.6 : 0);
    else if (queryWord.length >= 4 && word.includes(queryWord)) best = Math.max(best, 0.4);
  }
  return best;
}

function scoreOf(entry: Entry, queryWords: readonly string[]): number {
  const fields: ReadonlyArray<readonly [readonly string[], number]> = [
    [words(entry.name), 5],
    [words(entry.title), 3],
    [words(entry.server), 2],
    [entry.argumentNames.flatMap(words), 2],
    [words(entry.description), 1],
  ];
  let total = 0;
  let matched = 0;
  for (const queryWord of queryWords) {
    let best = 0;
    for (const [fieldWords, weight] of fields)
      best = Math.max(best, fieldScore(fieldWords, queryWord) * weight);
    if (best > 0) matched++;
    total += best;
  }
  // Tools matching more of the query words rank above tools matching one word many ways.
  return matched === 0 ? 0 : total * (matched / queryWords.length);
}
