/**
 * Tool fingerprints: a blake3 digest of a server's tool surface, so a skill or generated tree can
 * tell that the server changed its tools since it was generated (ADR-002).
 */
import { blake3Hex, canonicalJson, type ToolDescriptor, type ToolFingerprint } from "@mcp-execution/core";

/** The parts of a tool that matter to generated code and to callers; nothing else is hashed. */
function fingerprintedView(tool: ToolDescriptor): ToolDescriptor {
  return {
    name: tool.name,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
    ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
  };
}

/**
 * Fingerprints a tool list. `digest` is blake3 (hex) of the canonical JSON of the tools sorted by
 * name; `tools[name]` is blake3 of one tool's canonical JSON. The order the server lists tools in
 * and key order inside schemas do not change the result; any change to a name, title,
 * description, schema or annotation does. Use `diffFingerprints` (core) to compare two.
 */
export async function computeFingerprint(tools: readonly ToolDescriptor[]): Promise<ToolFingerprint> {
  const sorted = tools
    .map(fingerprintedView)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Tool names are data: a tool named `__proto__` must be an own key like any other.
  const perTool: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const tool of sorted) perTool[tool.name] = await blake3Hex(canonicalJson(tool));
  return { algorithm: "blake3", digest: await blake3Hex(canonicalJson(sorted)), tools: perTool };
}
