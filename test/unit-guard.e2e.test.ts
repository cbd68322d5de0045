/**
 * The unit project's guard fails a test that started a process even when the refusal was
 * swallowed (as a library that reports its own error does). Runs vitest itself on a fixture.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VITEST = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));

function runFixture(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [VITEST, "run", "--config", "test/fixtures/unit-guard/vitest.config.ts", "--reporter", "verbose"],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : (error.code as number), output: stdout + stderr });
      },
    );
  });
}

describe("the unit project's guard", () => {
  it("fails a test whose refused spawn was swallowed, naming the rule", async () => {
    const { code, output } = await runFixture();
    expect(output).toContain("swallows a refused spawn");
    expect(output).toContain('unit tests start no child processes (child_process.spawn("');
    expect(output).toContain("name this test file *.e2e.test.ts");
    expect(code).toBe(1);
  });
});
