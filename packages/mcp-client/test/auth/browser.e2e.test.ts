/**
 * The BROWSER convention starts a real program: the first entry that exists, without a shell.
 * How entries are parsed and the platform fallbacks are in units.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../../../../test/fixtures/servers/harness.mjs";
import { openInBrowser } from "../../src/auth/browser.js";

const directory = mkdtempSync(join(tmpdir(), "mcp-cli-auth-browser-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("BROWSER convention", () => {
  const url = "https://as.example/authorize?a=1&b=2";
  it("starts the first entry that exists, without a shell", async () => {
    const record = join(directory, "opened.txt");
    const script = join(directory, "browser.cjs");
    writeFileSync(script, "require('node:fs').writeFileSync(process.argv[2], process.argv[3]);\n");
    const opened = await openInBrowser(url, {
      PATH: process.env.PATH,
      BROWSER: `/nonexistent/browser:${process.execPath} ${script} ${record}`,
    });
    expect(opened).toBe(true);
    expect(await eventually(() => existsSync(record) && readFileSync(record, "utf8") === url)).toBe(true);
    expect(await openInBrowser(url, { BROWSER: "/nonexistent/one:/nonexistent/two" })).toBe(false);
  });
});
