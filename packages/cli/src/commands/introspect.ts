/**
 * `introspect <server>`: a readable summary of what a server offers; `--json` prints the full
 * manifest.
 */
import type { ServerConfig, ServerManifest, ToolAnnotations } from "@mcp-execution/core";
import type { ServerConnection } from "@mcp-execution/mcp-client";
import { diagnosticsFor, openConnection } from "../connect.js";
import type { CommandContext } from "../context.js";
import type { Styles } from "../output.js";
import { type AdHocOptions, resolveServerTarget } from "../server-target.js";
import { formatFields, formatTable, oneLine } from "../table.js";

/** Connects and describes the server; the connection stays open in the command's scope. */
export async function introspectServer(
  context: CommandContext,
  target: string | undefined,
  options: AdHocOptions,
): Promise<{ manifest: ServerManifest; connection: ServerConnection; server: ServerConfig }> {
  const server = await resolveServerTarget(context, target, options);
  const connection = await openConnection(context, server);
  const progress = context.output.progress(`listing tools of ${server.name}`);
  try {
    const { introspect } = await import("@mcp-execution/mcp-client");
    const manifest = await introspect(connection, {
      signal: context.signal,
      diagnostics: diagnosticsFor(context),
    });
    progress.done();
    return { manifest, connection, server };
  } catch (error) {
    progress.fail();
    throw error;
  }
}

export function annotationLabels(annotations: ToolAnnotations | undefined): string[] {
  if (annotations === undefined) return [];
  const labels: string[] = [];
  if (annotations.readOnlyHint === true) labels.push("read-only");
  if (annotations.destructiveHint === true) labels.push("destructive");
  if (annotations.idempotentHint === true) labels.push("idempotent");
  if (annotations.openWorldHint === true) labels.push("open-world");
  return labels;
}

function capabilityList(manifest: ServerManifest): string {
  const names = Object.keys(manifest.capabilities).sort();
  return names.length === 0 ? "(none)" : names.join(", ");
}

/** The human summary of a manifest. */
export function formatManifest(manifest: ServerManifest, style: Styles, transport?: string): string {
  const info = manifest.serverInfo;
  const sections: string[] = [];
  sections.push(
    formatFields([
      ["server", `${style.bold(manifest.server)} (${info.title ?? info.name} ${info.version})`],
      [
        "protocol",
        `${manifest.protocolVersion}${manifest.protocolEra === undefined ? "" : ` (${manifest.protocolEra} era)`}` +
          (transport === undefined ? "" : ` over ${transport}`),
      ],
      ["capabilities", capabilityList(manifest)],
      ["fingerprint", `${manifest.fingerprint.algorithm}:${manifest.fingerprint.digest}`],
      [
        "instructions",
        manifest.instructions === undefined
          ? undefined
          : oneLine(manifest.instructions.replace(/^\s*#+\s*/, "")),
      ],
    ]),
  );
  const tools = [...manifest.tools].sort((a, b) => a.name.localeCompare(b.name));
  sections.push(
    `${style.bold(`Tools (${tools.length})`)}\n${
      tools.length === 0
        ? "  (none)"
        : formatTable(
            tools.map((tool) => {
              const labels = annotationLabels(tool.annotations);
              return [
                style.cyan(tool.name),
                oneLine(tool.description ?? tool.title, 80),
                labels.length === 0 ? "" : style.dim(`[${labels.join(", ")}]`),
              ];
            }),
            "  ",
          )
    }`,
  );
  if (manifest.resources !== undefined) {
    sections.push(
      `${style.bold(`Resources (${manifest.resources.length})`)}\n${
        manifest.resources.length === 0
          ? "  (none)"
          : formatTable(
              manifest.resources.map((resource) => [resource.uri, resource.name, resource.mimeType ?? ""]),
              "  ",
            )
      }`,
    );
  }
  if (manifest.resourceTemplates !== undefined && manifest.resourceTemplates.length > 0) {
    sections.push(
      `${style.bold(`Resource templates (${manifest.resourceTemplates.length})`)}\n${formatTable(
        manifest.resourceTemplates.map((template) => [template.uriTemplate, template.name]),
        "  ",
      )}`,
    );
  }
  if (manifest.prompts !== undefined) {
    sections.push(
      `${style.bold(`Prompts (${manifest.prompts.length})`)}\n${
        manifest.prompts.length === 0
          ? "  (none)"
          : formatTable(
              manifest.prompts.map((prompt) => [
                style.cyan(prompt.name),
                (prompt.arguments ?? [])
                  .map((argument) => (argument.required ? argument.name : `${argument.name}?`))
                  .join(", "),
                oneLine(prompt.description, 80),
              ]),
              "  ",
            )
      }`,
    );
  }
  return sections.join("\n\n");
}

export async function introspectCommand(
  context: CommandContext,
  target: string | undefined,
  options: AdHocOptions,
): Promise<number> {
  const { manifest, connection } = await introspectServer(context, target, options);
  if (context.output.json) context.output.document({ ok: true, manifest });
  else context.output.data(formatManifest(manifest, context.output.style, connection.transport));
  return 0;
}
