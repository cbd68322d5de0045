/** Reports one step of a run as `started`, then `done` or `failed`, to the caller's listener. */
import type { ProgressEvent } from "./request.js";

export type ProgressListener = ((event: ProgressEvent) => void) | undefined;

/** Numbers steps per run, so concurrent runs never share a counter. */
export class StepReporter {
  #next = 1;

  constructor(private readonly listener: ProgressListener) {}

  /** Runs `work` as one step labelled `label`. */
  async step<T>(label: string, work: () => Promise<T>): Promise<T> {
    const id = this.#next++;
    this.listener?.({ id, label, state: "started" });
    try {
      const value = await work();
      this.listener?.({ id, label, state: "done" });
      return value;
    } catch (error) {
      this.listener?.({ id, label, state: "failed" });
      throw error;
    }
  }
}
