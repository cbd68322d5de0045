/**
 * `generate <server>`: introspects the server, writes the typed API tree (docs/conventions.md section
 * 4) to `-o` (default `./mcp-tools`), prints what it wrote and the token report, and with
 * `--save-skill [name]` also saves the tree as a skill.
 */
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
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

export interface GenerateOptions extends AdHocOptions {
  readonly output: string;
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

/** `path` inside `root`, or `PATH_INVALID`. Generated paths are relative already; this is the belt to those braces. */
function inside(root: string, path: string): string {
  const target = resolve(root, path);
  const rel = relative(root, target);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
    throw new McpCliError("PATH_INVALID", `generated path ${JSON.stringify(path)} leaves ${root}`, {
      details: { path, root },
    });
  }
  return target;
}

/**
 * Writes the tree under `outDir`. The server's own `servers/<server>/` directory is replaced as a
 * whole, so tools that disappeared from the server do not linger; other servers' directories in
 * the same output are left alone.
 */
export async function writeTree(
  outDir: string,
  server: string,
  files: readonly GeneratedFile[],
): Promise<void> {
  await checkOutputDirectory(outDir);
  await rm(inside(outDir, join("servers", server)), { recursive: true, force: true });
  for (const file of files) {
    const target = inside(outDir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
}

/** `PATH_INVALID` when `outDir` exists and is not a directory. */
async function checkOutputDirectory(outDir: string): Promise<void> {
  const existing = await stat(outDir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new McpCliError("PATH_INVALID", `output ${outDir} exists and is not a directory`, {
      details: { path: outDir },
    });
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

export async function generateCommand(
  context: CommandContext,
  target: string | undefined,
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
  const outDir = resolve(context.cwd, options.output);
  await checkOutputDirectory(outDir);
  const introspected = await introspectServer(context, target, options);
  await introspected.connection.close();
  // The tree offers only the tools the configuration allows (allowedTools / disabledTools).
  const manifest = applyToolPolicy(introspected.manifest, introspected.server);

  const progress = output.progress(`generating the API of ${manifest.server}`);
  const files = await generateFiles(manifest, {
    ...(wantedName === undefined ? {} : { name: wantedName }),
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  await writeTree(outDir, manifest.server, files);
  progress.update("counting tokens");
  const { measureTokens, skillIdentity, GENERATOR_VERSION } = await import("@mcp-execution/codegen");
  const tokens = await measureTokens([manifest], files);
  progress.done();

  let skill: SkillSummary | undefined;
  if (options.saveSkill !== undefined) {
    const identity = skillIdentity([manifest], {
      ...(wantedName === undefined ? {} : { name: wantedName }),
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    const saving = output.progress(`saving skill ${identity.name}`);
    const { FileSkillStore } = await import("@mcp-execution/skill-store");
    const store = new FileSkillStore(skillsDirectory(context, options.scope, "write"), {
      onDiagnostic: diagnosticsFor(context),
    });
    skill = await store.save({
      name: identity.name,
      description: identity.description,
      manifest,
      files,
      generatorVersion: GENERATOR_VERSION,
    });
    saving.done();
  }

  if (output.json) {
    output.document({
      ok: true,
      server: manifest.server,
      output: outDir,
      files: files.map((file) => file.path),
      fingerprint: manifest.fingerprint.digest,
      tokens,
      ...(skill === undefined ? {} : { skill }),
    });
    return 0;
  }
  const { style } = output;
  const shown = relative(context.cwd, outDir) || ".";
  const lines = [
    `Wrote ${files.length} files for ${style.bold(manifest.server)} (${manifest.tools.length} tools) to ${shown}${shown.endsWith("/") ? "" : "/"}`,
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
