/**
 * The error document of each limit the host enforces: one shape of `details` per code, whichever
 * runtime (QuickJS sandbox or component) and whichever side (the guest's thread or the watchdog)
 * raised it. `details.limit` names the limit and the limit's own name carries its value.
 */
import type { ErrorDocument } from "@mcp-execution/core";

/** Why a run was stopped by the host; each maps to one error code. */
export type TripReason = "time" | "fuel" | "memory" | "output" | "calls" | "cancelled";

const TRIP_ERRORS: Readonly<Record<TripReason, (limits: TripLimits) => ErrorDocument>> = {
  time: (limits) => ({
    code: "LIMIT_TIME",
    message: `the execution ran longer than its time limit of ${limits.timeoutMs} ms`,
    details: { limit: "timeoutMs", timeoutMs: limits.timeoutMs },
  }),
  fuel: (limits) => ({
    code: "LIMIT_FUEL",
    message: `the execution used up its CPU fuel of ${limits.fuel} (interpreter interrupt polls)`,
    details: { limit: "fuel", fuel: limits.fuel },
  }),
  memory: (limits) => ({
    code: "LIMIT_MEMORY",
    message: `the execution ran out of memory (limit ${limits.memoryBytes} bytes)`,
    details: { limit: "memoryBytes", memoryBytes: limits.memoryBytes },
  }),
  output: (limits) => ({
    code: "LIMIT_OUTPUT",
    message: `the execution produced more output (logs plus result) than its limit of ${limits.maxOutputBytes} bytes`,
    details: { limit: "maxOutputBytes", maxOutputBytes: limits.maxOutputBytes },
  }),
  calls: (limits) => ({
    code: "LIMIT_CALLS",
    message: `the execution made more tool calls than its limit of ${limits.maxToolCalls}`,
    details: { limit: "maxToolCalls", maxToolCalls: limits.maxToolCalls },
  }),
  cancelled: () => ({ code: "CANCELLED", message: "the execution was cancelled" }),
};

export interface TripLimits {
  readonly timeoutMs: number;
  readonly fuel: number;
  readonly memoryBytes: number;
  readonly maxOutputBytes: number;
  readonly maxToolCalls: number;
}

/** The outcome for a run the host stopped. */
export function tripError(reason: TripReason, limits: TripLimits): ErrorDocument {
  return TRIP_ERRORS[reason](limits);
}
