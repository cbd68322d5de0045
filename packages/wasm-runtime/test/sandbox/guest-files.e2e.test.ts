/**
 * The guest half of the API lives in guest/*.js, checked with tsc against guest/host-api.d.ts,
 * and is embedded into src/guest-prelude.generated.ts at build time. These tests fail when the
 * embedded copy is older than the files, or when the files no longer type-check.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("../../", import.meta.url));

describe("guest/*.js", () => {
  it("is what src/guest-prelude.generated.ts embeds", () => {
    const check = spawnSync(process.execPath, ["scripts/embed-guest.mjs", "--check"], {
      cwd: PACKAGE,
      encoding: "utf8",
    });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("type-checks against the typed host API", () => {
    const tsc = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.resolve("typescript/bin/tsc")), "-p", "guest"],
      {
        cwd: PACKAGE,
        encoding: "utf8",
      },
    );
    expect(tsc.stdout).toBe("");
    expect(tsc.status).toBe(0);
  }, 60_000);
});
