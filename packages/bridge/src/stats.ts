/**
 * Counters for `stats` output: calls, cache hits and misses, errors by code, and latency
 * percentiles over the most recent calls that reached a server.
 */
import type { ErrorCode } from "@mcp-execution/core";

/** How many recent latencies the percentiles are computed over. */
export const LATENCY_WINDOW = 1024;

export interface LatencySummary {
  /** Calls that reached the server, in total (the percentiles cover the last {@link LATENCY_WINDOW}). */
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export interface CallStats {
  /** Every callTool, whatever its outcome (cache hits and rejected calls included). */
  readonly calls: number;
  /** Calls of cacheable tools answered from the cache. */
  readonly cacheHits: number;
  /** Calls of cacheable tools that went to the server. */
  readonly cacheMisses: number;
  /** Calls that rejected, for any reason. */
  readonly errors: number;
  readonly errorsByCode: Readonly<Partial<Record<ErrorCode, number>>>;
  /** Milliseconds per call that reached the server (successful or not). */
  readonly latencyMs: LatencySummary;
}

export interface ServerStats extends CallStats {
  /** Connections opened (the first plus every reconnect). */
  readonly connects: number;
  readonly connected: boolean;
}

export interface BridgeStats extends CallStats {
  readonly servers: Readonly<Record<string, ServerStats>>;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Math.round((sorted[index] as number) * 1000) / 1000;
}

/** Mutable counters behind {@link CallStats}. */
export class CallCounters {
  calls = 0;
  cacheHits = 0;
  cacheMisses = 0;
  errors = 0;
  readonly #errorsByCode = new Map<ErrorCode, number>();
  readonly #latencies = new Float64Array(LATENCY_WINDOW);
  #latencyCount = 0;

  error(code: ErrorCode): void {
    this.errors += 1;
    this.#errorsByCode.set(code, (this.#errorsByCode.get(code) ?? 0) + 1);
  }

  latency(ms: number): void {
    this.#latencies[this.#latencyCount % LATENCY_WINDOW] = ms;
    this.#latencyCount += 1;
  }

  snapshot(): CallStats {
    const kept = Math.min(this.#latencyCount, LATENCY_WINDOW);
    const sorted = Array.from(this.#latencies.subarray(0, kept)).sort((a, b) => a - b);
    return {
      calls: this.calls,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      errors: this.errors,
      errorsByCode: Object.fromEntries(this.#errorsByCode),
      latencyMs: {
        count: this.#latencyCount,
        p50: percentile(sorted, 0.5),
        p90: percentile(sorted, 0.9),
        p99: percentile(sorted, 0.99),
      },
    };
  }
}
