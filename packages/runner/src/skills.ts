/**
 * Saved skills in a run: loading them (checksums verified by the store) and the fingerprint
 * policy, which refuses a skill whose server's tools changed since it was saved unless the
 * caller accepts the change.
 */
import type { Bridge } from "@mcp-execution/bridge";
import type { DiagnosticListener, ResourceScope } from "@mcp-execution/core";
import type { LoadedSkillWithVfs } from "@mcp-execution/skill-store";
import type { StepReporter } from "./progress.js";
import type { SkillRequest } from "./request.js";

/** Loads each named skill; the caller's `resources` disposes their volumes. */
export async function loadSkills(
  request: SkillRequest,
  resources: ResourceScope,
  onDiagnostic: DiagnosticListener | undefined,
): Promise<LoadedSkillWithVfs[]> {
  if (request.names.length === 0) return [];
  const { FileSkillStore } = await import("@mcp-execution/skill-store");
  const store = new FileSkillStore(request.directory, {
    ...(onDiagnostic === undefined ? {} : { onDiagnostic }),
  });
  const skills: LoadedSkillWithVfs[] = [];
  for (const name of request.names) {
    const loaded = await store.load(name);
    resources.defer(() => loaded.vfs.dispose());
    skills.push(loaded);
  }
  return skills;
}

/** Every server a skill calls: a combined skill (`generate a b --save-skill`) names several. */
export function serversOfSkill(skill: LoadedSkillWithVfs): readonly string[] {
  return skill.metadata.servers?.map((record) => record.server) ?? [skill.metadata.server];
}

/**
 * Compares each skill's saved tool fingerprint with its server's tools now, over the run's bridge.
 * A mismatch is `FINGERPRINT_MISMATCH` (exit 6), or a warning with `acceptToolChanges`.
 */
export async function checkSkillFingerprints(
  request: SkillRequest,
  skills: readonly LoadedSkillWithVfs[],
  bridge: Bridge,
  steps: StepReporter,
  onDiagnostic: DiagnosticListener | undefined,
): Promise<void> {
  if (skills.length === 0) return;
  const [{ FileSkillStore }, { computeFingerprint }] = await Promise.all([
    import("@mcp-execution/skill-store"),
    import("@mcp-execution/mcp-client"),
  ]);
  const store = new FileSkillStore(request.directory);
  for (const skill of skills) {
    for (const server of serversOfSkill(skill)) {
      await steps.step(`checking the tools of ${server} for skill ${skill.metadata.name}`, async () => {
        const current = await computeFingerprint(await bridge.tools(server));
        const check = await store.checkFingerprint(skill.metadata.name, current, {
          accept: request.acceptToolChanges === true,
          server,
        });
        if (!check.matches) {
          const list = (names: readonly string[]): string => names.join(", ") || "none";
          onDiagnostic?.({
            level: "warn",
            message: `the tools of ${check.server} changed since skill ${check.name} was saved (added: ${list(check.diff.added)}; removed: ${list(check.diff.removed)}; changed: ${list(check.diff.changed)}); running anyway because the change was accepted`,
          });
        }
      });
    }
  }
}
