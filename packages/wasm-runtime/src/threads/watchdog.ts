/**
 * The deadline watchdog on the main thread: the one timer that ends a run whatever its worker is
 * doing (a starved interrupt handler, a transpiler on hostile input, a component in a busy loop),
 * and the one place that turns an abort signal into a cancellation. Both runtimes arm it per run.
 */

export interface WatchdogOptions {
  /** When the run's own limit passes, in milliseconds from now. */
  readonly timeoutMs: number;
  /** How long after the deadline (or a cancellation) the worker may still answer by itself. */
  readonly graceMs: number;
  readonly signal?: AbortSignal | undefined;
  /** The deadline plus the grace passed: end the worker; the run's outcome is `LIMIT_TIME`. */
  readonly onDeadline: () => void;
  /** The signal aborted: ask the run to stop; it is `CANCELLED`. */
  readonly onCancel: () => void;
  /** The grace after a cancellation passed without an answer: end the worker. */
  readonly onCancelGraceOver?: () => void;
}

export interface ArmedWatchdog {
  /** Why the watchdog acted, if it did. */
  readonly fired: "deadline" | "cancelled" | undefined;
  /** Stops every timer and listener; call it when the run ended. Idempotent. */
  disarm(): void;
}

export function armWatchdog(options: WatchdogOptions): ArmedWatchdog {
  let fired: ArmedWatchdog["fired"];
  let cancelTimer: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    fired ??= "deadline";
    options.onDeadline();
  }, options.timeoutMs + options.graceMs);
  const onAbort = (): void => {
    fired ??= "cancelled";
    options.onCancel();
    const over = options.onCancelGraceOver;
    if (over !== undefined) cancelTimer = setTimeout(over, options.graceMs);
  };
  if (options.signal?.aborted === true) queueMicrotask(onAbort);
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  return {
    get fired() {
      return fired;
    },
    disarm() {
      clearTimeout(deadline);
      clearTimeout(cancelTimer);
      options.signal?.removeEventListener("abort", onAbort);
    },
  };
}
