/**
 * Token buckets for per-server and per-tool rate limits (ADR-003).
 *
 * A bucket holds up to `burst` tokens and refills at `ratePerSecond`. A call reserves a token; when
 * none is left it waits for the refill, in arrival order, as long as the wait is at most
 * `maxWaitMs`. A call that would have to wait longer fails at once with `LIMIT_RATE` instead of
 * waiting and failing later. Waiting is cancellable.
 */
import { McpCliError } from "@mcp-execution/core";

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(
    ratePerSecond: number,
    burst = Math.max(1, Math.floor(ratePerSecond)),
    now = performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new McpCliError("CONFIG_INVALID", `a rate limit must be a positive number of calls per second`, {
        details: { rateLimit: ratePerSecond },
      });
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    this.#updatedAt = now;
  }

  /**
   * Takes a token and returns how many milliseconds the caller must wait before using it (0 when
   * one was available). Tokens may go negative: that is the queue of callers already waiting.
   */
  reserve(now = performance.now()): number {
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.ratePerSecond;
  }

  /** Returns a reserved token that was not used (the caller gave up or failed elsewhere). */
  release(now = performance.now()): void {
    this.#refill(now);
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }
}

export interface LimitedBucket {
  readonly bucket: TokenBucket;
  /** What the limit is called in messages, e.g. `server "github"` or `tool github/search`. */
  readonly label: string;
}

/**
 * Reserves a token in every bucket and waits for the longest wait. Rejects with `LIMIT_RATE`
 * (nothing reserved) when a wait would exceed `maxWaitMs`, or `CANCELLED` when `signal` aborts
 * while waiting (tokens given back).
 */
export async function acquireTokens(
  buckets: readonly LimitedBucket[],
  maxWaitMs: number,
  signal: AbortSignal | undefined,
  details: Readonly<Record<string, unknown>>,
): Promise<number> {
  if (buckets.length === 0) return 0;
  const now = performance.now();
  let wait = 0;
  const reserved: TokenBucket[] = [];
  for (const { bucket, label } of buckets) {
    const needed = bucket.reserve(now);
    reserved.push(bucket);
    if (needed > maxWaitMs) {
      for (const taken of reserved) taken.release(now);
      throw new McpCliError(
        "LIMIT_RATE",
        `rate limit of ${label} (${bucket.ratePerSecond} calls/s) exceeded: the call would wait ` +
          `${Math.ceil(needed)} ms, more than the ${maxWaitMs} ms allowed`,
        {
          details: { ...details, ratePerSecond: bucket.ratePerSecond, waitMs: Math.ceil(needed), maxWaitMs },
        },
      );
    }
    wait = Math.max(wait, needed);
  }
  if (wait === 0) return 0;
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      for (const taken of reserved) taken.release();
      reject(
        new McpCliError("CANCELLED", "the call was cancelled while waiting for the rate limit", {
          cause: signal?.reason,
          details,
        }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, wait);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  return wait;
}
