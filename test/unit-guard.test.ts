/**
 * The `unit` project's guard (test/setup/no-child-processes.ts) refuses every way of starting a
 * process, including through a library that catches the failure and reports its own error.
 * That the run then fails even though the throw was swallowed is tested in unit-guard.e2e.test.ts.
 */
import { exec, execFile, execFileSync, execSync, fork, spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { connectServer } from "../packages/mcp-client/src/index.js";
import { stdioConfig } from "../packages/mcp-client/test/configs.js";
import { spawnAttempts } from "./setup/no-child-processes.js";

const REFUSAL =
  /^unit tests start no child processes \(child_process\.\w+\(".*"\)\): name this test file \*\.e2e\.test\.ts/;

/** The attempts this test made, taken so that the guard's own afterEach does not fail it. */
function takeAttempts(): string[] {
  return spawnAttempts.splice(0);
}

afterEach(() => {
  expect(spawnAttempts).toEqual([]);
});

describe("unit tests start no child processes", () => {
  it("refuses every process starter of node:child_process, named import or namespace", () => {
    expect(() => spawn(process.execPath, ["--version"])).toThrow(REFUSAL);
    expect(() => execFile(process.execPath, ["--version"])).toThrow(REFUSAL);
    for (const start of [spawnSync, exec, execSync, execFileSync, fork] as ((command: string) => unknown)[]) {
      expect(() => start("true")).toThrow(REFUSAL);
    }
    expect(takeAttempts()).toHaveLength(7);
  });

  it("refuses it through require(), as CommonJS dependencies call it", () => {
    const required = createRequire(import.meta.url)("node:child_process") as { spawn: typeof spawn };
    expect(() => required.spawn("git", ["--version"])).toThrow(/child_process\.spawn\("git"\)/);
    expect(takeAttempts()).toHaveLength(1);
  });

  it("records an attempt a library swallowed: mcp-client starting a stdio server reports its own error", async () => {
    await expect(
      connectServer(stdioConfig("guarded", process.execPath, ["--version"]), {}),
    ).rejects.toThrow();
    const attempts = takeAttempts();
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts[0]).toMatch(REFUSAL);
  });
});
