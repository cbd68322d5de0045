/**
 * How many tokens an agent reads with the generated tree, against the full tool listing it would
 * otherwise be shown. Counted with gpt-tokenizer's o200k_base encoding, offline. The tokenizer
 * costs about 180 ms to import, so it is loaded on the first call only.
 */
import { type GeneratedFile, McpCliError, type ServerManifest } from "@mcp-execution/core";

/** Token counts of a generated tree; every number is measured, none estimated. */
export interface TokenReport {
  readonly encoding: "o200k_base";
  readonly toolCount: number;
  /**
   * The `tools/list` answers as JSON (`{"tools":[...]}`, compact, one per server, summed): what
   * a client puts in front of a model when it lists every tool.
   */
  readonly fullListing: number;
  readonly skill: number;
  /** All servers' `index.ts` files together. */
  readonly index: number;
  readonly reference: number;
  readonly toolFile: {
    readonly average: number;
    readonly largest: number;
    readonly largestPath: string;
  };
  /**
   * What an agent must read to use one tool whose name it took from SKILL.md's tool list:
   * SKILL.md plus that tool's file. `average` is over all tools, `largest` is the worst tool;
   * the ratios divide by {@link TokenReport.fullListing}.
   */
  readonly oneTool: TokenCost;
  /** The same when the agent also reads the server's `index.ts` to pick the tool. */
  readonly oneToolWithIndex: TokenCost;
}

export interface TokenCost {
  readonly average: number;
  readonly largest: number;
  readonly averageRatio: number;
  readonly largestRatio: number;
}

type CountTokens = (text: string) => number;

let tokenizer: Promise<CountTokens> | undefined;

async function loadTokenizer(): Promise<CountTokens> {
  tokenizer ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => module.countTokens);
  return tokenizer;
}

/** Tokens of `text` in o200k_base. Loads the tokenizer on first use. */
export async function countTokens(text: string): Promise<number> {
  return (await loadTokenizer())(text);
}

/**
 * Measures a tree produced by `generateTree(manifests)`. The baseline is the full listing: every
 * field of every tool (name, title, description, schemas, annotations, `_meta`, icons, execution),
 * as {@link MeasureOptions.listings} or the manifests carry them. `files` must contain SKILL.md,
 * REFERENCE.md and each server's `index.ts` (else `FILE_NOT_FOUND`); a tool file is any other
 * `servers/<server>/*.ts`.
 */
export interface MeasureOptions {
  /**
   * The `tools/list` answers as the servers sent them, one JSON text per manifest in the same
   * order (`{"tools":[...]}`). Without them the listing is rebuilt from each manifest's tools,
   * which keep every field the server sent but have local `$ref`s resolved.
   */
  readonly listings?: readonly string[];
}

export async function measureTokens(
  manifests: readonly ServerManifest[],
  files: readonly GeneratedFile[],
  options: MeasureOptions = {},
): Promise<TokenReport> {
  const count = await loadTokenizer();
  const byPath = new Map(files.map((file) => [file.path, file.contents]));
  const tokensOf = (path: string): number => {
    const contents = byPath.get(path);
    if (contents === undefined) {
      throw new McpCliError("FILE_NOT_FOUND", `the generated tree has no ${path}`, { details: { path } });
    }
    return count(contents);
  };

  if (options.listings !== undefined && options.listings.length !== manifests.length) {
    throw new McpCliError(
      "USAGE",
      `measureTokens got ${options.listings.length} listings for ${manifests.length} manifests`,
      { details: { listings: options.listings.length, manifests: manifests.length } },
    );
  }
  const fullListing = manifests.reduce(
    (sum, manifest, index) =>
      sum + count(options.listings?.[index] ?? JSON.stringify({ tools: manifest.tools })),
    0,
  );
  const skill = tokensOf("SKILL.md");
  const reference = tokensOf("REFERENCE.md");
  const indexByServer = new Map(
    manifests.map((manifest) => [manifest.server, tokensOf(`servers/${manifest.server}/index.ts`)]),
  );
  const index = [...indexByServer.values()].reduce((sum, tokens) => sum + tokens, 0);

  const toolFiles = files.filter(
    (file) => /^servers\/[^/]+\/[^/]+\.ts$/.test(file.path) && !file.path.endsWith("/index.ts"),
  );
  let largest = 0;
  let largestPath = "";
  let total = 0;
  let totalWithIndex = 0;
  let largestWithIndex = 0;
  for (const file of toolFiles) {
    const tokens = count(file.contents);
    const server = file.path.split("/")[1] ?? "";
    const withIndex = tokens + (indexByServer.get(server) ?? 0);
    total += tokens;
    totalWithIndex += withIndex;
    largestWithIndex = Math.max(largestWithIndex, withIndex);
    if (tokens > largest) {
      largest = tokens;
      largestPath = file.path;
    }
  }
  const tools = toolFiles.length;
  const average = tools === 0 ? 0 : total / tools;
  const cost = (averageTokens: number, largestTokens: number): TokenCost => ({
    average: averageTokens,
    largest: largestTokens,
    averageRatio: fullListing === 0 ? 0 : averageTokens / fullListing,
    largestRatio: fullListing === 0 ? 0 : largestTokens / fullListing,
  });
  return {
    encoding: "o200k_base",
    toolCount: tools,
    fullListing,
    skill,
    index,
    reference,
    toolFile: { average, largest, largestPath },
    oneTool: cost(skill + average, skill + largest),
    oneToolWithIndex: cost(skill + (tools === 0 ? 0 : totalWithIndex / tools), skill + largestWithIndex),
  };
}
