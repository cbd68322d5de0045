/**
 * metadata.json: what a skill was generated from, plus a format marker that tells a skill saved by
 * mcp-cli apart from a hand-written skill in the same skills directory.
 */
import { isSkillId, type SkillId, type SkillMetadata, type ToolFingerprint } from "@mcp-execution/core";
import { METADATA_FORMAT, METADATA_FORMAT_VERSION } from "./layout.js";

/** The JSON text of metadata.json (2-space indent, trailing newline, fixed key order). */
export function formatMetadata(metadata: SkillMetadata): string {
  const document = {
    format: METADATA_FORMAT,
    formatVersion: METADATA_FORMAT_VERSION,
    name: metadata.name,
    description: metadata.description,
    server: metadata.server,
    serverName: metadata.serverName,
    serverVersion: metadata.serverVersion,
    protocolVersion: metadata.protocolVersion,
    toolCount: metadata.toolCount,
    fingerprint: {
      algorithm: metadata.fingerprint.algorithm,
      digest: metadata.fingerprint.digest,
      tools: Object.fromEntries(
        Object.keys(metadata.fingerprint.tools)
          .sort()
          .map((tool) => [tool, metadata.fingerprint.tools[tool]]),
      ),
    },
    generatorVersion: metadata.generatorVersion,
    createdAt: metadata.createdAt,
    updatedAt: metadata.updatedAt,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** True when metadata.json's text carries this store's format marker (whatever else is wrong). */
export function hasMetadataMarker(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && value.format === METADATA_FORMAT;
  } catch {
    return false;
  }
}

/**
 * Reads metadata.json for the skill in folder `folder`. Returns the metadata, or a problem sentence
 * saying what is wrong (not JSON, wrong format marker or version, a field missing or of the wrong
 * type, a name that differs from the folder).
 */
export function parseMetadata(text: string, folder: SkillId): SkillMetadata | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `metadata.json is not valid JSON: ${(error as Error).message}`;
  }
  if (!isRecord(value)) return "metadata.json is not a JSON object";
  if (value.format !== METADATA_FORMAT)
    return `metadata.json format is not ${JSON.stringify(METADATA_FORMAT)}`;
  if (value.formatVersion !== METADATA_FORMAT_VERSION) {
    return `metadata.json formatVersion ${JSON.stringify(value.formatVersion)} is not supported; this version of mcp-cli reads ${METADATA_FORMAT_VERSION}`;
  }
  for (const key of [
    "name",
    "description",
    "server",
    "serverName",
    "serverVersion",
    "protocolVersion",
    "generatorVersion",
    "createdAt",
    "updatedAt",
  ]) {
    if (typeof value[key] !== "string") return `metadata.json ${key} is not a string`;
  }
  const name = value.name as string;
  if (!isSkillId(name)) return `metadata.json name ${JSON.stringify(name)} is not a valid skill name`;
  if (name !== folder)
    return `metadata.json name ${JSON.stringify(name)} differs from its folder name ${JSON.stringify(folder)}`;
  for (const key of ["createdAt", "updatedAt"]) {
    if (!ISO_TIME.test(value[key] as string)) return `metadata.json ${key} is not an ISO 8601 UTC time`;
  }
  if (!Number.isSafeInteger(value.toolCount) || (value.toolCount as number) < 0) {
    return "metadata.json toolCount is not a non-negative integer";
  }
  const fingerprint = value.fingerprint;
  if (
    !isRecord(fingerprint) ||
    fingerprint.algorithm !== "blake3" ||
    typeof fingerprint.digest !== "string" ||
    !isRecord(fingerprint.tools) ||
    !Object.values(fingerprint.tools).every((digest) => typeof digest === "string")
  ) {
    return "metadata.json fingerprint is not { algorithm: 'blake3', digest, tools }";
  }
  return {
    name,
    description: value.description as string,
    server: value.server as string,
    serverName: value.serverName as string,
    serverVersion: value.serverVersion as string,
    protocolVersion: value.protocolVersion as string,
    toolCount: value.toolCount as number,
    fingerprint: fingerprint as unknown as ToolFingerprint,
    generatorVersion: value.generatorVersion as string,
    createdAt: value.createdAt as string,
    updatedAt: value.updatedAt as string,
  } as SkillMetadata;
}
