/**
 * Sandbox limit profiles (docs/conventions.md section 3). Every value can be overridden by a flag or the
 * configuration; {@link resolveLimits} merges and validates.
 */
import { McpCliError } from "./errors.js";

export interface SandboxLimits {
  /** Hard cap on the interpreter's memory, in bytes. */
  readonly memoryBytes: number;
  /** Wall-clock deadline for the whole execution, tool calls included, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * CPU fuel: how many times the interpreter's interrupt handler may be polled (QuickJS polls it
   * about every 10,000 bytecode ticks). Time spent waiting on tool calls costs no fuel.
   */
  readonly fuel: number;
  /** Maximum interpreter stack, in bytes. */
  readonly stackBytes: number;
  /** Maximum tool calls in one execution. */
  readonly maxToolCalls: number;
  /** Maximum size of captured logs plus the serialized result, in bytes. */
  readonly maxOutputBytes: number;
  /** Maximum total size of files in `/workspace`, in bytes. */
  readonly workspaceBytes: number;
}

export type LimitProfileName = "strict" | "moderate" | "permissive";

const MIB = 1024 * 1024;
const KIB = 1024;

export const LIMIT_PROFILES: Readonly<Record<LimitProfileName, SandboxLimits>> = {
  strict: {
    memoryBytes: 64 * MIB,
    timeoutMs: 5_000,
    fuel: 50_000,
    stackBytes: 512 * KIB,
    maxToolCalls: 100,
    maxOutputBytes: 256 * KIB,
    workspaceBytes: 16 * MIB,
  },
  moderate: {
    memoryBytes: 128 * MIB,
    timeoutMs: 30_000,
    fuel: 300_000,
    stackBytes: 1 * MIB,
    maxToolCalls: 1_000,
    maxOutputBytes: 1 * MIB,
    workspaceBytes: 64 * MIB,
  },
  permissive: {
    memoryBytes: 512 * MIB,
    timeoutMs: 120_000,
    fuel: 1_200_000,
    stackBytes: 4 * MIB,
    maxToolCalls: 5_000,
    maxOutputBytes: 8 * MIB,
    workspaceBytes: 256 * MIB,
  },
};

export const DEFAULT_LIMIT_PROFILE: LimitProfileName = "moderate";

export function isLimitProfileName(value: string): value is LimitProfileName {
  return Object.hasOwn(LIMIT_PROFILES, value);
}

/**
 * The limits of `profile` with `overrides` applied. Each override must be a positive safe integer;
 * anything else is a `USAGE` error naming the limit.
 */
export function resolveLimits(
  profile: LimitProfileName | string = DEFAULT_LIMIT_PROFILE,
  overrides: Partial<SandboxLimits> = {},
): SandboxLimits {
  if (!isLimitProfileName(profile)) {
    throw new McpCliError(
      "USAGE",
      `unknown limit profile ${JSON.stringify(profile)}; valid profiles: ${Object.keys(LIMIT_PROFILES).join(", ")}`,
      { details: { profile, valid: Object.keys(LIMIT_PROFILES) } },
    );
  }
  const limits: Record<string, number> = { ...LIMIT_PROFILES[profile] };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(limits, key)) {
      throw new McpCliError("USAGE", `unknown sandbox limit ${JSON.stringify(key)}`, {
        details: { limit: key },
      });
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new McpCliError(
        "USAGE",
        `sandbox limit ${key} must be a positive integer, got ${String(value)}`,
        {
          details: { limit: key, value },
        },
      );
    }
    limits[key] = value;
  }
  return limits as unknown as SandboxLimits;
}
