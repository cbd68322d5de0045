/** Shared pieces of the QuickJS sandbox tests: small limits, one-line runs, outcome checks. */
import {
  type ErrorCode,
  type ExecutionOutcome,
  type ExecutionRequest,
  resolveLimits,
  type SandboxLimits,
} from "@mcp-execution/core";
import { expect } from "vitest";
import type { QuickJsExecutor } from "../../src/executor.js";

export const MIB = 1024 * 1024;

/** Strict limits, made smaller still so that tests hit them quickly on a 2-core machine. */
export function testLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  return resolveLimits("strict", {
    // Generous for a loaded 2-core CI machine; tests that want the deadline set a short one.
    timeoutMs: 5_000,
    memoryBytes: 32 * MIB,
    maxOutputBytes: 64 * 1024,
    maxToolCalls: 20,
    workspaceBytes: 1 * MIB,
    ...overrides,
  });
}

export type RunOptions = Partial<Omit<ExecutionRequest, "source" | "limits">> & {
  readonly limits?: Partial<SandboxLimits>;
};

export function run(
  executor: QuickJsExecutor,
  source: string,
  options: RunOptions = {},
): Promise<ExecutionOutcome> {
  const { limits, ...rest } = options;
  return executor.execute({ mode: "snippet", ...rest, source, limits: testLimits(limits) });
}

/** The result of a successful outcome (fails the test with the error otherwise). */
export function resultOf(outcome: ExecutionOutcome): unknown {
  if (!outcome.ok) expect.fail(`expected success, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result;
}

/** The error of a failed outcome, checked to carry `code`. */
export function errorOf(outcome: ExecutionOutcome, code: ErrorCode) {
  if (outcome.ok) expect.fail(`expected ${code}, got a result: ${JSON.stringify(outcome.result)}`);
  expect(outcome.error.code, outcome.error.message).toBe(code);
  return outcome.error;
}

/** Runs `action` and returns its value with the wall-clock milliseconds it took. */
export async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await action();
  return { value, ms: performance.now() - start };
}
