/**
 * Rug-pull detection: a saved skill's tool fingerprints against a server's current ones.
 */
import {
  diffFingerprints,
  digestsEqual,
  type FingerprintDiff,
  McpCliError,
  type SkillId,
  type SkillMetadata,
  type SkillServerRecord,
  type ToolFingerprint,
} from "@mcp-execution/core";

export interface FingerprintCheck {
  readonly name: SkillId;
  readonly server: string;
  /** False when the server's tools differ from the saved ones. */
  readonly matches: boolean;
  readonly diff: FingerprintDiff;
}

/** The servers a skill calls, with the fingerprint each was saved with (one for a one-server skill). */
export function skillServers(metadata: SkillMetadata): readonly SkillServerRecord[] {
  return (
    metadata.servers ?? [
      {
        server: metadata.server,
        serverName: metadata.serverName,
        serverVersion: metadata.serverVersion,
        protocolVersion: metadata.protocolVersion,
        toolCount: metadata.toolCount,
        fingerprint: metadata.fingerprint,
      },
    ]
  );
}

/** Compares a saved skill's fingerprint with a server's current one (see `diffFingerprints`). */
/**
 * Compares a saved skill's fingerprint of `server` (default: its first server) with that
 * server's current one (see `diffFingerprints`). A server the skill does not have is
 * `SERVER_UNKNOWN`.
 */
export function compareFingerprints(
  metadata: SkillMetadata,
  current: ToolFingerprint,
  server: string = metadata.server,
): FingerprintCheck {
  const record = skillServers(metadata).find((candidate) => candidate.server === server);
  if (record === undefined) {
    throw new McpCliError(
      "SERVER_UNKNOWN",
      `skill ${metadata.name} was not generated from server ${JSON.stringify(server)}`,
      {
        details: {
          name: metadata.name,
          server,
          servers: skillServers(metadata).map((entry) => entry.server),
        },
      },
    );
  }
  const diff = diffFingerprints(record.fingerprint, current);
  const sameDigest = digestsEqual(record.fingerprint.digest, current.digest);
  const emptyDiff = diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
  return { name: metadata.name, server, matches: sameDigest && emptyDiff, diff };
}
