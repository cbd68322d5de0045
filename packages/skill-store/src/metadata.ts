/**
 * metadata.json: what a skill was generated from, plus a format marker that tells a skill saved by
 * mcp-cli apart from a hand-written skill in the same skills directory.
 */
import {
  isSkillId,
  type SkillId,
  type SkillMetadata,
  type SkillServerRecord,
  type ToolFingerprint,
} from "@mcp-execution/core";
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
    fingerprint: formatFingerprint(metadata.fingerprint),
    generatorVersion: metadata.generatorVersion,
    createdAt: metadata.createdAt,
    updatedAt: metadata.updatedAt,
    ...(metadata.servers === undefined
      ? {}
      : {
          servers: metadata.servers.map((record) => ({
            server: record.server,
            serverName: record.serverName,
            serverVersion: record.serverVersion,
            protocolVersion: record.protocolVersion,
            toolCount: record.toolCount,
            fingerprint: formatFingerprint(record.fingerprint),
          })),
        }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The fingerprint with its tools sorted by name; fromEntries keeps `__proto__` a plain key. */
function formatFingerprint(fingerprint: ToolFingerprint): ToolFingerprint {
  return {
    algorithm: fingerprint.algorithm,
    digest: fingerprint.digest,
    tools: Object.fromEntries(
      Object.keys(fingerprint.tools)
        .sort()
        .map((tool) => [tool, fingerprint.tools[tool] as string]),
    ),
  };
}

function isFingerprint(value: unknown): value is ToolFingerprint {
  return (
    isRecord(value) &&
    value.algorithm === "blake3" &&
    typeof value.digest === "string" &&
    isRecord(value.tools) &&
    Object.values(value.tools).every((digest) => typeof digest === "string")
  );
}

/** The `servers` list of a several-server skill, or a problem sentence. */
function parseServers(value: unknown): SkillServerRecord[] | string {
  if (!Array.isArray(value) || value.length === 0) return "metadata.json servers is not a non-empty list";
  const records: SkillServerRecord[] = [];
  for (const [index, entry] of value.entries()) {
    if (
      !isRecord(entry) ||
      typeof entry.server !== "string" ||
      typeof entry.serverName !== "string" ||
      typeof entry.serverVersion !== "string" ||
      typeof entry.protocolVersion !== "string" ||
      !Number.isSafeInteger(entry.toolCount) ||
      (entry.toolCount as number) < 0 ||
      !isFingerprint(entry.fingerprint)
    ) {
      return `metadata.json servers[${index}] is not { server, serverName, serverVersion, protocolVersion, toolCount, fingerprint }`;
    }
    records.push(entry as unknown as SkillServerRecord);
  }
  return records;
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
  if (!isFingerprint(fingerprint)) {
    return "metadata.json fingerprint is not { algorithm: 'blake3', digest, tools }";
  }
  let servers: SkillServerRecord[] | undefined;
  if (value.servers !== undefined) {
    const parsed = parseServers(value.servers);
    if (typeof parsed === "string") return parsed;
    if (parsed[0]?.server !== value.server) return "metadata.json servers does not start with its server";
    servers = parsed;
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
    ...(servers === undefined ? {} : { servers }),
  } as SkillMetadata;
}
