import { describe, expect, it } from "vitest";
import { AdmissionControl } from "../src/admission.js";

describe("AdmissionControl", () => {
  it("admits up to the limit, queues up to the queue bound, and refuses beyond it", async () => {
    const admission = new AdmissionControl({ maxConcurrent: 1, maxQueued: 1 });
    const first = await admission.admit();
    expect(first).toBeTypeOf("function");
    const second = admission.admit();
    expect(second).toBeInstanceOf(Promise);
    expect(admission.admit()).toBeUndefined();
    expect([admission.running, admission.queued]).toEqual([1, 1]);
    first?.();
    const release = await second;
    expect([admission.running, admission.queued]).toEqual([1, 0]);
    release?.();
    release?.(); // a second release is a no-op
    expect(admission.running).toBe(0);
  });

  it("frees a queued place when the waiter's signal aborts", async () => {
    const admission = new AdmissionControl({ maxConcurrent: 1, maxQueued: 1 });
    const held = await admission.admit();
    const controller = new AbortController();
    const waiting = admission.admit(controller.signal);
    controller.abort(new Error("client went away"));
    await expect(waiting).rejects.toThrow("client went away");
    expect(admission.queued).toBe(0);
    held?.();
    expect(admission.running).toBe(0);
  });
});
