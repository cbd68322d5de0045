/** A pre-started sandbox worker (prestart.ts) that nobody adopts does not keep its process alive. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("a pre-started sandbox worker nobody adopts", () => {
  it("lets a process that never used it exit by itself", () => {
    const prestart = new URL("../../dist/prestart.js", import.meta.url);
    const script = `import { prestartSandboxWorker } from ${JSON.stringify(prestart.href)};
prestartSandboxWorker();
process.stdout.write("started");`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
      cwd: fileURLToPath(new URL(".", import.meta.url)),
    });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout).toBe("started");
  });
});
