/**
 * A concurrency limit with a bounded queue. `serve` admits at most `maxConcurrent` executions at
 * once; up to `maxQueued` more wait in arrival order; beyond that a request is refused at once
 * (the caller answers it with a clear "busy" error) instead of piling up memory or crashing.
 */
export interface AdmissionOptions {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
}

/** Released exactly once, when the admitted work is done (also on failure). */
export type Release = () => void;

export class AdmissionControl {
  readonly #options: AdmissionOptions;
  #running = 0;
  readonly #waiting: Array<{ grant: (release: Release) => void; reject: (error: Error) => void }> = [];

  constructor(options: AdmissionOptions) {
    if (!(options.maxConcurrent >= 1) || !(options.maxQueued >= 0)) {
      throw new RangeError("maxConcurrent must be at least 1 and maxQueued at least 0");
    }
    this.#options = options;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with a release function once the work may start; `undefined` when both the slots and
   * the queue are full. Aborting `signal` while queued rejects with its reason and frees the place.
   */
  admit(signal?: AbortSignal): Promise<Release> | undefined {
    if (this.#running < this.#options.maxConcurrent) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= this.#options.maxQueued) return undefined;
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        grant: (release: Release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        reject,
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted while queued"));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so `running` never drops below the limit
      // while work is queued.
      if (next !== undefined) next.grant(this.#releaser());
      else this.#running--;
    };
  }
}
