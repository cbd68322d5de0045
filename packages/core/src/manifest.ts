/**
 * The normalized description of an MCP server, as the MCP client (mcp-client) produces it and codegen,
 * the bridge and the skill store consume it. Plain JSON: it is written to `manifest.json`.
 */

/** A JSON Schema document (draft 2020-12 or draft-07, as servers send them). */
export type JsonSchema = { readonly [key: string]: unknown } | boolean;

/** Tool behaviour hints from the MCP specification. Hints are claims by the server, not guarantees. */
export interface ToolAnnotations {
  readonly title?: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

export interface ToolDescriptor {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  /** Input schema with local `$ref`s resolved (recursive references stay as `$ref` into `$defs`). */
  readonly inputSchema: JsonSchema;
  readonly outputSchema?: JsonSchema;
  readonly annotations?: ToolAnnotations;
  /** Server-defined metadata, kept as sent (bounded) so token counts see what the server sent. */
  readonly _meta?: { readonly [key: string]: unknown };
  /** Icons as sent (bounded). */
  readonly icons?: readonly { readonly [key: string]: unknown }[];
  /** Execution hints (for example `taskSupport`), as sent. */
  readonly execution?: { readonly [key: string]: unknown };
}

export interface ResourceDescriptor {
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
}

export interface ResourceTemplateDescriptor {
  readonly uriTemplate: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
}

export interface PromptArgumentDescriptor {
  readonly name: string;
  readonly description?: string;
  readonly required?: boolean;
}

export interface PromptDescriptor {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly arguments?: readonly PromptArgumentDescriptor[];
}

export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  readonly title?: string;
}

/** Server capabilities as announced in `initialize`; kept as sent. */
export type ServerCapabilities = { readonly [capability: string]: unknown };

/** The two MCP protocol eras: `initialize` (2025 revisions) and `server/discover` (2026-07-28+). */
export type ProtocolEra = "legacy" | "modern";

export interface ServerManifest {
  /** The name the server is configured under (the `servers/<server>/` directory). */
  readonly server: string;
  readonly serverInfo: ServerInfo;
  readonly protocolVersion: string;
  /**
   * `modern` when the session was negotiated with `server/discover` (MCP 2026-07-28 and later),
   * `legacy` for the `initialize` handshake. Absent in manifests written before it was recorded.
   */
  readonly protocolEra?: ProtocolEra;
  readonly capabilities: ServerCapabilities;
  readonly instructions?: string;
  readonly tools: readonly ToolDescriptor[];
  readonly resources?: readonly ResourceDescriptor[];
  readonly resourceTemplates?: readonly ResourceTemplateDescriptor[];
  readonly prompts?: readonly PromptDescriptor[];
  /** See {@link ToolFingerprint}. */
  readonly fingerprint: ToolFingerprint;
}

/**
 * Identifies a server's tool surface. `digest` is blake3 (hex) over the canonical JSON of the
 * sorted tools; `tools` maps each tool name to the digest of that tool alone, so a change can be
 * reported as tools added, removed and changed.
 */
export interface ToolFingerprint {
  readonly algorithm: "blake3";
  readonly digest: string;
  readonly tools: { readonly [toolName: string]: string };
}

export interface FingerprintDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** Compares two fingerprints tool by tool. Equal digests give three empty lists. */
export function diffFingerprints(saved: ToolFingerprint, current: ToolFingerprint): FingerprintDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [name, digest] of Object.entries(current.tools)) {
    // hasOwn: a tool named `__proto__` or `constructor` must not find Object.prototype's members.
    const before = Object.hasOwn(saved.tools, name) ? saved.tools[name] : undefined;
    if (before === undefined) added.push(name);
    else if (before !== digest) changed.push(name);
  }
  for (const name of Object.keys(saved.tools)) {
    if (!Object.hasOwn(current.tools, name)) removed.push(name);
  }
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

export function isFingerprintDiffEmpty(diff: FingerprintDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
