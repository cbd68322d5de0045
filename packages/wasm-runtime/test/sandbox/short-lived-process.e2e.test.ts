/**
 * The one-shot path: a process that runs one execution exits on its own without close(), because
 * idle sandbox workers do not hold it open. It takes a process of its own (the built package).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("a short-lived process", () => {
  it("runs one execution and exits on its own without close() (idle workers do not hold it)", () => {
    const entry = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
    const core = fileURLToPath(new URL("../../../core/dist/index.js", import.meta.url));
    const script = [
      `const { QuickJsExecutor } = await import(${JSON.stringify(entry)});`,
      `const { resolveLimits } = await import(${JSON.stringify(core)});`,
      "const executor = new QuickJsExecutor();",
      "const outcome = await executor.execute({ mode: 'snippet', source: 'const n: number = 20; return n + 1', limits: resolveLimits('strict') });",
      "process.stdout.write(JSON.stringify(outcome.result));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout).toBe("21");
  });
});
