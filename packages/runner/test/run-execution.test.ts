/**
 * `runExecution` without servers: sessions in the caller's directory, the caller's hint on
 * SERVER_UNKNOWN, a component refused a session before anything starts. With real servers (a
 * caller-owned bridge and executor shared by concurrent runs, the runner's own resources closed
 * before it returns) in run-execution.e2e.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveLimits, sessionId } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { runExecution, type ScriptSource } from "../src/index.js";

const limits = resolveLimits("moderate");

function snippet(source: string): ScriptSource {
  return { kind: "script", source, mode: "snippet", filename: "eval.ts", language: "typescript" };
}

describe("runs of its own", () => {
  it("keeps sessions in the directory it is given", async () => {
    const directory = mkdtempSync(join(tmpdir(), "runner-sessions-"));
    try {
      const bump = snippet("const n = (getState('n') ?? 0) + 1; setState('n', n); return n");
      const session = { id: sessionId("alpha"), directory };
      expect(await runExecution({ source: bump, limits, session })).toMatchObject({ result: 1 });
      expect(await runExecution({ source: bump, limits, session })).toMatchObject({ result: 2 });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("adds the caller's hint to SERVER_UNKNOWN for a server it knows but was not given", async () => {
    const outcome = await runExecution({
      source: snippet("return await callTool('memory', 'read_graph', {})"),
      limits,
      unavailableServerHint: (server) => (server === "memory" ? "pass --server memory." : undefined),
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe("SERVER_UNKNOWN");
    expect(outcome.error.message).toContain("pass --server memory.");
  });

  it("a session for a component is UNSUPPORTED, before anything starts", async () => {
    const run = runExecution({
      source: { kind: "component", bytes: new Uint8Array(), filename: "x.wasm", cacheDirectory: tmpdir() },
      limits,
      session: { id: sessionId("alpha"), directory: tmpdir() },
    });
    await expect(run).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
});
