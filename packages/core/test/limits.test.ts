import { describe, expect, it } from "vitest";
import { LIMIT_PROFILES, McpCliError, resolveLimits, type SandboxLimits } from "../src/index.js";

const MIB = 1024 * 1024;

describe("limit profiles", () => {
  it("match docs/conventions.md section 3", () => {
    expect(LIMIT_PROFILES.strict).toMatchObject({
      memoryBytes: 64 * MIB,
      timeoutMs: 5_000,
      maxToolCalls: 100,
      maxOutputBytes: 256 * 1024,
    });
    expect(LIMIT_PROFILES.moderate).toMatchObject({
      memoryBytes: 128 * MIB,
      timeoutMs: 30_000,
      maxToolCalls: 1_000,
      maxOutputBytes: MIB,
    });
    expect(LIMIT_PROFILES.permissive).toMatchObject({
      memoryBytes: 512 * MIB,
      timeoutMs: 120_000,
      maxToolCalls: 5_000,
      maxOutputBytes: 8 * MIB,
    });
  });

  it("defaults to moderate and applies overrides", () => {
    expect(resolveLimits()).toEqual(LIMIT_PROFILES.moderate);
    // A JavaScript caller may pass undefined for a limit it leaves alone; it is ignored.
    const overrides = { timeoutMs: 100, memoryBytes: undefined } as unknown as Partial<SandboxLimits>;
    expect(resolveLimits("strict", overrides)).toEqual({
      ...LIMIT_PROFILES.strict,
      timeoutMs: 100,
    });
  });

  it("rejects unknown profiles and invalid values with USAGE", () => {
    const usage = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof McpCliError ? `${error.code}: ${error.message}` : "uncoded";
      }
      return "no error";
    };
    expect(usage(() => resolveLimits("lenient"))).toMatch(
      /^USAGE: unknown limit profile "lenient"; valid profiles: strict/,
    );
    expect(usage(() => resolveLimits("strict", { timeoutMs: 0 }))).toMatch(/^USAGE: sandbox limit timeoutMs/);
    expect(usage(() => resolveLimits("strict", { timeoutMs: 1.5 }))).toMatch(/^USAGE/);
    expect(usage(() => resolveLimits("strict", { memoryBytes: Number.NaN }))).toMatch(/^USAGE/);
    expect(usage(() => resolveLimits("strict", { bogus: 1 } as never))).toMatch(
      /^USAGE: unknown sandbox limit "bogus"/,
    );
  });
});
