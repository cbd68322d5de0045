/**
 * `generate <server>... | --all`: introspects the servers, writes one typed API tree
 * (docs/conventions.md section 4) covering them to `-o` (default `./mcp-tools`), prints what it wrote
 * and the token report, and with `--save-skill [name]` also saves the tree as one skill. A tree
 * already at `-o` keeps its other servers: SKILL.md and REFERENCE.md are regenerated for all.
 */
import { lstat } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { TokenReport } from "@mcp-execution/codegen";
import {
  applyToolPolicy,
  type GeneratedFile,
  McpCliError,
  type ServerManifest,
  type SkillSummary,
  skillId,
} from "@mcp-execution/core";
import { diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type SkillScope, skillsDirectory } from "../locations.js";
import type { AdHocOptions } from "../server-target.js";
import { formatTable } from "../table.js";
import { introspectServer } from "./introspect.js";
import { skillsBase } from "./skill.js";

export interface GenerateOptions extends AdHocOptions {
  readonly output: string;
  /** Every enabled server of the configuration. */
  readonly all?: boolean;
  /** `true` for a bare `--save-skill`, the name otherwise. */
  readonly saveSkill?: string | boolean;
  readonly description?: string;
  readonly scope?: SkillScope;
}

/** The tree for one manifest, with the skill identity the user asked for. */
export async function generateFiles(
  manifest: ServerManifest,
  skill: { readonly name?: string; readonly description?: string } = {},
): Promise<GeneratedFile[]> {
  const { generateTree } = await import("@mcp-execution/codegen");
  return generateTree(manifest, {
    skill: {
      ...(skill.name === undefined ? {} : { name: skill.name }),
      ...(skill.description === undefined ? {} : { description: skill.description }),
    },
  });
}

/** `PATH_INVALID` when `outDir` exists and is not a directory (a file, or a link even to a directory). */
async function checkOutputDirectory(outDir: string): Promise<void> {
  const existing = await lstat(outDir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new McpCliError(
      "PATH_INVALID",
      `output ${outDir} exists and is ${existing.isSymbolicLink() ? "a symbolic link" : "not a directory"}; mcp-cli never writes through links`,
      { details: { path: outDir } },
    );
  }
}

function formatNumber(value: number): string {
  return value.toLocaleString("en-US");
}

function ratio(value: number): string {
  return `${(value * 100).toFixed(1)}% of the listing`;
}

export function formatTokenReport(report: TokenReport): string {
  const rows: string[][] = [
    [
      "full tools/list listing",
      formatNumber(report.fullListing),
      `${report.toolCount} tools, what a client shows a model`,
    ],
    ["SKILL.md", formatNumber(report.skill), ""],
    [
      "SKILL.md + one tool file (average)",
      formatNumber(Math.round(report.oneTool.average)),
      ratio(report.oneTool.averageRatio),
    ],
    [
      "SKILL.md + one tool file (largest)",
      formatNumber(report.oneTool.largest),
      ratio(report.oneTool.largestRatio),
    ],
    [
      "SKILL.md + index.ts + one tool (average)",
      formatNumber(Math.round(report.oneToolWithIndex.average)),
      ratio(report.oneToolWithIndex.averageRatio),
    ],
    ["index.ts", formatNumber(report.index), ""],
    ["REFERENCE.md", formatNumber(report.reference), "read only when needed"],
    [
      "tool file (average / largest)",
      `${formatNumber(Math.round(report.toolFile.average))} / ${formatNumber(report.toolFile.largest)}`,
      report.toolFile.largestPath,
    ],
  ];
  return `Tokens (${report.encoding}):\n${formatTable(rows, "  ")}`;
}

/** The `<server>` operands to introspect: as given, every enabled configured server, or the one after `--`. */
async function generateTargets(
  context: CommandContext,
  servers: readonly string[],
  options: GenerateOptions,
): Promise<(string | undefined)[]> {
  if (options.all === true) {
    if (servers.length > 0 || context.adHoc !== undefined) {
      throw new McpCliError("USAGE", "give server names or --all, not both", {
        details: { option: "--all", servers: [...servers] },
      });
    }
    const { loadConfiguration } = await import("../config-source.js");
    const enabled = (await loadConfiguration(context)).servers.filter((server) => !server.disabled);
    if (enabled.length === 0) {
      throw new McpCliError("SERVER_UNKNOWN", "--all found no enabled server in the configuration", {
        details: { option: "--all" },
      });
    }
    return enabled.map((server) => server.name);
  }
  if (servers.length > 1 && context.adHoc !== undefined) {
    throw new McpCliError("USAGE", "a command after -- is one server; give it alone, without server names", {
      details: { servers: [...servers] },
    });
  }
  return servers.length === 0 ? [undefined] : [...servers];
}

function compareServers(a: ServerManifest, b: ServerManifest): number {
  return a.server < b.server ? -1 : a.server > b.server ? 1 : 0;
}

export async function generateCommand(
  context: CommandContext,
  servers: readonly string[],
  options: GenerateOptions,
): Promise<number> {
  const { output } = context;
  // Validate the skill name before connecting: a bad name should not cost a server start.
  const wantedName = typeof options.saveSkill === "string" ? skillId(options.saveSkill) : undefined;
  if (options.saveSkill === undefined && (options.scope !== undefined || options.description !== undefined)) {
    throw new McpCliError("USAGE", "--scope and --description apply only with --save-skill", {
      details: { option: options.scope !== undefined ? "--scope" : "--description" },
    });
  }
  const targets = await generateTargets(context, servers, options);
  const outDir = resolve(context.cwd, options.output);
  await checkOutputDirectory(outDir);
  const introspected: ServerManifest[] = [];
  for (const target of targets) {
    const { manifest, connection, server } = await introspectServer(context, target, options);
    await connection.close();
    // The tree offers only the tools the configuration allows (allowedTools / disabledTools).
    introspected.push(applyToolPolicy(manifest, server));
  }
  const generatedNames = new Set(introspected.map((manifest) => manifest.server));

  // The servers already in the tree stay in it, so a second `generate` adds instead of replacing.
  const { readTreeManifests, writeGeneratedTree } = await import("@mcp-execution/skill-store");
  const existing = await readTreeManifests(outDir);
  for (const skipped of existing.skipped) output.warn(`${skipped}; it is left out of SKILL.md`);
  const manifests = [
    ...existing.manifests.filter((manifest) => !generatedNames.has(manifest.server)),
    ...introspected,
  ].sort(compareServers);

  const names = introspected.map((manifest) => manifest.server).join(", ");
  const progress = output.progress(`generating the API of ${names}`);
  const { generateTree, measureTokens, skillIdentity, GENERATOR_VERSION } = await import(
    "@mcp-execution/codegen"
  );
  const identity = {
    ...(wantedName === undefined ? {} : { name: wantedName }),
    ...(options.description === undefined ? {} : { description: options.description }),
  };
  const files = generateTree(manifests, { skill: identity });
  await writeGeneratedTree(outDir, files, { replaceServers: [...generatedNames] });
  progress.update("counting tokens");
  const tokens = await measureTokens(manifests, files);
  progress.done();

  let skill: SkillSummary | undefined;
  if (options.saveSkill !== undefined) {
    const { name, description } = skillIdentity(manifests, identity);
    const saving = output.progress(`saving skill ${name}`);
    const { FileSkillStore } = await import("@mcp-execution/skill-store");
    const directory = skillsDirectory(context, options.scope, "write");
    const base = skillsBase(context, directory);
    const store = new FileSkillStore(directory, {
      onDiagnostic: diagnosticsFor(context),
      ...(base === undefined ? {} : { base }),
    });
    skill = await store.save({
      name,
      description,
      manifest: manifests[0] as ServerManifest,
      manifests,
      files,
      generatorVersion: GENERATOR_VERSION,
    });
    saving.done();
  }

  if (output.json) {
    output.document({
      ok: true,
      ...(manifests.length === 1 ? { server: manifests[0]?.server } : {}),
      servers: manifests.map((manifest) => manifest.server),
      generated: introspected.map((manifest) => manifest.server),
      output: outDir,
      files: files.map((file) => file.path),
      ...(manifests.length === 1 ? { fingerprint: manifests[0]?.fingerprint.digest } : {}),
      fingerprints: Object.fromEntries(
        manifests.map((manifest) => [manifest.server, manifest.fingerprint.digest]),
      ),
      tokens,
      ...(skill === undefined ? {} : { skill }),
    });
    return 0;
  }
  const { style } = output;
  const shown = relative(context.cwd, outDir) || ".";
  const toolCount = introspected.reduce((sum, manifest) => sum + manifest.tools.length, 0);
  const kept = manifests.filter((manifest) => !generatedNames.has(manifest.server));
  const lines = [
    `Wrote ${files.length} files for ${introspected.map((manifest) => style.bold(manifest.server)).join(", ")} (${toolCount} tools) to ${shown}${shown.endsWith("/") ? "" : "/"}`,
    ...(kept.length === 0
      ? []
      : [
          `  kept ${kept.map((manifest) => manifest.server).join(", ")}, already in the tree; SKILL.md covers all`,
        ]),
    ...files.map((file) => `  ${file.path}`),
    "",
    formatTokenReport(tokens),
  ];
  if (skill !== undefined) {
    lines.push("", `Saved skill ${style.bold(skill.name)} to ${skill.directory}`);
  }
  output.data(lines.join("\n"));
  return 0;
}
