/**
 * A sandbox worker started before its executor (prestart.ts): the next executor adopts it, limits
 * and all; one nobody adopts is terminated on request
 * (prestart.e2e.test.ts: it never keeps a process alive).
 */
import { describe, expect, it } from "vitest";
import { QuickJsExecutor } from "../../src/executor.js";
import {
  adoptPrestartedWorker,
  cancelPrestartedSandboxWorker,
  prestartSandboxWorker,
} from "../../src/prestart.js";
import { errorOf, MIB, resultOf, run } from "./helpers.js";

describe("a pre-started sandbox worker", () => {
  it("is adopted by the next executor, which runs on it under the run's own limits", async () => {
    prestartSandboxWorker();
    const executor = new QuickJsExecutor({ maxWorkers: 1, watchdogGraceMs: 100 });
    try {
      expect(resultOf(await run(executor, "const n: number = 20; return n + 1"))).toBe(21);
      expect(executor.workerCount).toBe(1);
      // Adopted: there is nothing left to adopt or to cancel.
      expect(adoptPrestartedWorker(() => {})).toBeUndefined();
      // The worker was prepared for the default memory; a run with a smaller cap is held to it.
      errorOf(
        await run(executor, "const a = []; for (;;) a.push(new Uint8Array(1 << 20));", {
          limits: { memoryBytes: 32 * MIB },
        }),
        "LIMIT_MEMORY",
      );
      errorOf(await run(executor, "for (;;) {}", { limits: { timeoutMs: 200, fuel: 1e9 } }), "LIMIT_TIME");
    } finally {
      await executor.close();
    }
  });

  it("is found by another copy of the prestart module (the installed CLI starts it from bin.cjs's copy)", async () => {
    prestartSandboxWorker();
    // A second instance of the module, as bin.cjs's bundled copy is (the query makes it another module).
    const anotherCopy = "../../src/prestart.js?another-copy";
    const other = (await import(/* @vite-ignore */ anotherCopy)) as typeof import("../../src/prestart.js");
    expect(other.adoptPrestartedWorker).not.toBe(adoptPrestartedWorker);
    const handle = other.adoptPrestartedWorker(() => {});
    try {
      expect(handle).toBeDefined();
      await handle?.ready();
      expect(handle?.alive).toBe(true);
      // Taken once, by whichever copy asks first.
      expect(adoptPrestartedWorker(() => {})).toBeUndefined();
    } finally {
      await handle?.terminate();
    }
    // A copy that starts a worker sees the one another copy started and starts none.
    prestartSandboxWorker();
    other.prestartSandboxWorker();
    await other.cancelPrestartedSandboxWorker();
    expect(adoptPrestartedWorker(() => {})).toBeUndefined();
  });

  it("is terminated by cancel when no executor took it, and the next executor starts its own", async () => {
    prestartSandboxWorker();
    await cancelPrestartedSandboxWorker();
    expect(adoptPrestartedWorker(() => {})).toBeUndefined();
    const executor = new QuickJsExecutor({ maxWorkers: 1 });
    try {
      expect(resultOf(await run(executor, "return 2"))).toBe(2);
    } finally {
      await executor.close();
    }
  });
});
