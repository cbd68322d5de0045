/**
 * Inline fixture skills: a small generated tree and manifest whose every file carries a version
 * marker, so a test can tell which save a skill on disk came from.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  blake3Hex,
  canonicalJson,
  type GeneratedFile,
  type SaveSkillInput,
  type ServerManifest,
  type SkillId,
  skillId,
  type ToolDescriptor,
} from "@mcp-execution/core";
import { afterEach, beforeEach } from "vitest";

export interface FixtureOptions {
  readonly name?: string;
  readonly version?: string;
  readonly toolCount?: number;
  readonly server?: string;
  readonly description?: string;
  /** Tool names to use instead of tool_0..tool_n. */
  readonly tools?: readonly string[];
}

export function fixtureTools(version: string, names: readonly string[]): ToolDescriptor[] {
  return names.map((name) => ({
    name,
    description: `Does ${name} (${version}).`,
    inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    annotations: { readOnlyHint: true },
  }));
}

export async function fingerprintOf(
  tools: readonly ToolDescriptor[],
): Promise<ServerManifest["fingerprint"]> {
  const sorted = [...tools].sort((a, b) => (a.name < b.name ? -1 : 1));
  const perTool: Record<string, string> = {};
  for (const tool of sorted) perTool[tool.name] = await blake3Hex(canonicalJson(tool));
  return { algorithm: "blake3", digest: await blake3Hex(canonicalJson(sorted)), tools: perTool };
}

export async function fixtureInput(options: FixtureOptions = {}): Promise<SaveSkillInput> {
  const version = options.version ?? "v1";
  const server = options.server ?? "demo";
  const names = options.tools ?? Array.from({ length: options.toolCount ?? 3 }, (_, i) => `tool_${i}`);
  const tools = fixtureTools(version, names);
  const manifest: ServerManifest = {
    server,
    serverInfo: { name: `${server}-server`, version: "1.2.3" },
    protocolVersion: "2025-06-18",
    capabilities: { tools: {} },
    tools,
    fingerprint: await fingerprintOf(tools),
  };
  const files: GeneratedFile[] = [
    {
      path: "SKILL.md",
      contents: `---\nname: ${server}\ndescription: generated placeholder\nlicense: MIT\n---\n\n# ${server} (${version})\n\nImport from ./servers/${server}/index.ts.\n`,
    },
    { path: "REFERENCE.md", contents: `# ${server} reference (${version})\n` },
    {
      path: `servers/${server}/index.ts`,
      contents: names.map((name) => `export { ${name} } from "./${name}.ts";\n`).join(""),
    },
    { path: `servers/${server}/manifest.json`, contents: `${JSON.stringify(manifest, null, 2)}\n` },
    ...names.map((name) => ({
      path: `servers/${server}/${name}.ts`,
      contents: `/** ${name} (${version}) */\nexport async function ${name}(args: { text: string }): Promise<unknown> {\n  return callTool(${JSON.stringify(server)}, ${JSON.stringify(name)}, args);\n}\n`,
    })),
  ];
  return {
    name: skillId(options.name ?? "demo-skill") as SkillId,
    description:
      options.description ??
      `Typed API for the ${server} server (${version}). Use when calling ${server} tools.`,
    manifest,
    files,
    generatorVersion: `0.1.0-${version}`,
  };
}

/** A fresh directory under the OS temp dir for each test, removed afterwards. */
export function useTempDirectory(): { readonly path: string } {
  const holder = { path: "" };
  beforeEach(() => {
    holder.path = mkdtempSync(join(tmpdir(), "skill-store-test-"));
  });
  afterEach(() => {
    rmSync(holder.path, { recursive: true, force: true });
  });
  return holder;
}
