/**
 * The test corpus: recorded and hand-written `tools/list` answers (test/fixtures/*.json) turned
 * into core `ServerManifest`s, and helpers to put a generated tree on disk.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  blake3Hex,
  canonicalJson,
  type GeneratedFile,
  type ServerManifest,
  type ToolDescriptor,
} from "@mcp-execution/core";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

interface Recording {
  readonly serverInfo: ServerManifest["serverInfo"];
  readonly protocolVersion: string;
  readonly capabilities: ServerManifest["capabilities"];
  readonly instructions?: string;
  readonly tools: readonly ToolDescriptor[];
}

/** Corpus entries: fixture file and the server name it is generated under. */
export const CORPUS = {
  everything: "server-everything.json",
  constructs: "constructs.json",
  naming: "naming.json",
  filesystem: "filesystem-style.json",
  "knowledge-graph": "knowledge-graph-pydantic.json",
  /** Hand-written and hostile on purpose: shell code, HTML, bidi controls, prototype-named tools. */
  hostile: "hostile.json",
} as const;

export type CorpusName = keyof typeof CORPUS;

/** The fingerprint the way core documents it: blake3 over canonical JSON of the sorted tools. */
export async function fingerprintOf(
  tools: readonly ToolDescriptor[],
): Promise<ServerManifest["fingerprint"]> {
  const sorted = [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Null prototype: a tool named `__proto__` must be an entry, not a prototype change.
  const perTool: Record<string, string> = Object.create(null);
  for (const tool of sorted) perTool[tool.name] = await blake3Hex(canonicalJson(tool));
  return { algorithm: "blake3", digest: await blake3Hex(canonicalJson(sorted)), tools: perTool };
}

export async function manifestFromRecording(server: string, recording: Recording): Promise<ServerManifest> {
  return {
    server,
    serverInfo: recording.serverInfo,
    protocolVersion: recording.protocolVersion,
    capabilities: recording.capabilities,
    ...(recording.instructions === undefined ? {} : { instructions: recording.instructions }),
    tools: recording.tools,
    fingerprint: await fingerprintOf(recording.tools),
  };
}

export function readRecording(file: string): Recording {
  return JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Recording;
}

export async function corpusManifest(name: CorpusName): Promise<ServerManifest> {
  return manifestFromRecording(name, readRecording(CORPUS[name]));
}

export async function allCorpusManifests(): Promise<ServerManifest[]> {
  return Promise.all((Object.keys(CORPUS) as CorpusName[]).map(corpusManifest));
}

/** Writes generated files under `root`, refusing any path that is not a plain relative POSIX path. */
export function writeTree(root: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    if (
      file.path.startsWith("/") ||
      file.path.split("/").some((part) => part === ".." || part === "." || part === "")
    ) {
      throw new Error(`generated path is not a plain relative path: ${file.path}`);
    }
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
}

/** The contents of one generated file; throws when the tree has no such file. */
export function fileOf(files: readonly GeneratedFile[], path: string): string {
  const found = files.find((file) => file.path === path);
  if (found === undefined) throw new Error(`no ${path}`);
  return found.contents;
}
