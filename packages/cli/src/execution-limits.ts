/**
 * The sandbox limits of a run from the command line: flags override the configuration's `sandbox`
 * settings, which override the limit profile (docs/conventions.md section 1). Shared by `execute`,
 * `serve` and the daemon.
 */
import {
  DEFAULT_LIMIT_PROFILE,
  resolveLimits,
  type SandboxLimits,
  type SandboxSettings,
} from "@mcp-execution/core";

export interface LimitFlags {
  /** Absent: the configuration's `sandbox.profile`, else moderate. */
  readonly profile?: string;
  readonly timeout?: number;
  readonly memory?: number;
  readonly maxOutput?: number;
  readonly maxCalls?: number;
}

const MIB = 1024 * 1024;
const KIB = 1024;

export function limitsFrom(flags: LimitFlags, settings: SandboxSettings | undefined): SandboxLimits {
  return resolveLimits(flags.profile ?? settings?.profile ?? DEFAULT_LIMIT_PROFILE, {
    ...settings?.overrides,
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
    ...(flags.memory === undefined ? {} : { memoryBytes: flags.memory * MIB }),
    ...(flags.maxOutput === undefined ? {} : { maxOutputBytes: flags.maxOutput * KIB }),
    ...(flags.maxCalls === undefined ? {} : { maxToolCalls: flags.maxCalls }),
  });
}
