/**
 * `skill list | info <name> | load <name> | remove <name> | verify <name>` over the skills
 * directory (see locations.ts). None of them starts a server.
 */
import { isAbsolute, relative } from "node:path";
import { McpCliError, type SkillMetadata } from "@mcp-execution/core";
import type { FileSkillStore } from "@mcp-execution/skill-store";
import { diagnosticsFor } from "../connect.js";
import type { CommandContext } from "../context.js";
import { type SkillScope, skillsDirectory } from "../locations.js";
import { formatFields, formatTable, oneLine } from "../table.js";

export interface SkillOptions {
  readonly scope?: SkillScope;
}

/**
 * The folder a skills directory was resolved from, when it lies below the project folder or the
 * home folder: the store checks the folders between them with lstat too (a cloned repository can
 * ship `.claude -> ~/elsewhere`).
 */
export function skillsBase(context: CommandContext, directory: string): string | undefined {
  for (const candidate of [context.cwd, context.environment.home]) {
    const rel = relative(candidate, directory);
    if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) return candidate;
  }
  return undefined;
}

async function openStore(context: CommandContext, scope: SkillScope | undefined): Promise<FileSkillStore> {
  const { FileSkillStore } = await import("@mcp-execution/skill-store");
  const directory = skillsDirectory(context, scope);
  const base = skillsBase(context, directory);
  return new FileSkillStore(directory, {
    onDiagnostic: diagnosticsFor(context),
    ...(base === undefined ? {} : { base }),
  });
}

export async function skillListCommand(context: CommandContext, options: SkillOptions): Promise<number> {
  const { output } = context;
  const store = await openStore(context, options.scope);
  const skills = await store.list();
  if (output.json) {
    output.document({ ok: true, directory: store.directory, skills });
    return 0;
  }
  if (skills.length === 0) {
    output.info(`no skills saved in ${store.directory}`);
    return 0;
  }
  const { style } = output;
  output.data(
    formatTable([
      [
        style.dim("NAME"),
        style.dim("SERVER"),
        style.dim("TOOLS"),
        style.dim("UPDATED"),
        style.dim("DESCRIPTION"),
      ],
      ...skills.map((skill) => [
        style.bold(skill.name),
        skill.server,
        String(skill.toolCount),
        skill.updatedAt.slice(0, 10),
        oneLine(skill.description, 70),
      ]),
    ]),
  );
  return 0;
}

function formatMetadata(metadata: SkillMetadata, directory: string): string {
  return formatFields([
    ["name", metadata.name],
    ["description", metadata.description],
    ["directory", directory],
    ["server", metadata.server],
    ["server info", `${metadata.serverName} ${metadata.serverVersion}`],
    ["protocol", metadata.protocolVersion],
    ["tools", String(metadata.toolCount)],
    ["fingerprint", `${metadata.fingerprint.algorithm}:${metadata.fingerprint.digest}`],
    ["generator", metadata.generatorVersion],
    ["created", metadata.createdAt],
    ["updated", metadata.updatedAt],
  ]);
}

export async function skillCommand(
  context: CommandContext,
  action: "info" | "load" | "remove" | "verify",
  name: string,
  options: SkillOptions,
): Promise<number> {
  const { output } = context;
  const store = await openStore(context, options.scope);
  switch (action) {
    case "info": {
      const metadata = await store.info(name);
      if (output.json) output.document({ ok: true, skill: metadata });
      else output.data(formatMetadata(metadata, `${store.directory}/${metadata.name}`));
      return 0;
    }
    case "load": {
      const loaded = await store.load(name);
      loaded.vfs.dispose();
      if (output.json) {
        output.document({
          ok: true,
          skill: loaded.metadata,
          directory: loaded.directory,
          files: loaded.files,
        });
        return 0;
      }
      const skillMd = loaded.files.find((file) => file.path === "SKILL.md");
      output.data(skillMd?.contents ?? "");
      output.info(
        `skill ${loaded.metadata.name} verified: ${loaded.files.length} files in ${loaded.directory}; run it with mcp-cli execute --skill ${loaded.metadata.name}`,
      );
      return 0;
    }
    case "remove": {
      await store.remove(name);
      if (output.json) output.document({ ok: true, removed: name, directory: store.directory });
      else output.data(`removed skill ${name} from ${store.directory}`);
      return 0;
    }
    case "verify": {
      const report = await store.verify(name);
      if (report.ok) {
        if (output.json) output.document({ ok: true, verification: report });
        else
          output.data(
            `skill ${report.name}: ${output.style.green("ok")}, every file matches checksum.blake3`,
          );
        return 0;
      }
      const lines = [
        ...report.changed.map((path) => `  changed  ${path}`),
        ...report.missing.map((path) => `  missing  ${path}`),
        ...report.extra.map((path) => `  extra    ${path}`),
        ...report.problems.map((problem) => `  problem  ${problem}`),
      ];
      if (!output.json)
        output.data(`skill ${report.name}: ${output.style.red("FAILED")}\n${lines.join("\n")}`);
      throw new McpCliError(
        "INTEGRITY",
        `skill ${report.name} does not match its checksums (${report.changed.length} changed, ${report.missing.length} missing, ${report.extra.length} extra, ${report.problems.length} other problems); save it again from its server or remove it`,
        {
          details: {
            name: report.name,
            directory: `${store.directory}/${report.name}`,
            changed: report.changed,
            missing: report.missing,
            extra: report.extra,
            problems: report.problems,
          },
        },
      );
    }
  }
}
