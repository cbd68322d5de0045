/**
 * docs/cli.md's exit-code table lists every stable error code of core under the exit status the
 * code really maps to, so the reference cannot drift from packages/core/src/errors.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers.js";

const text = readFileSync(join(REPO_ROOT, "docs", "cli.md"), "utf8");

function documentedCodes(): Map<string, number> {
  const section = text.slice(text.indexOf("## Exit codes and error codes"));
  const codes = new Map<string, number>();
  for (const line of section.split("\n")) {
    const row = /^\| (\d+) \|[^|]*\|(.*)\|$/.exec(line);
    if (row === null) continue;
    for (const match of (row[2] ?? "").matchAll(/`([A-Z_]+)`/g))
      codes.set(match[1] as string, Number(row[1]));
    if (Number(row[1]) === 130) break;
  }
  return codes;
}

describe("docs/cli.md exit codes", () => {
  it("lists every error code under its exit status", () => {
    const documented = documentedCodes();
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(documented.get(code), `${code} in docs/cli.md`).toBe(info.exit);
    }
    for (const code of documented.keys())
      expect(Object.hasOwn(ERROR_CODES, code), `${code} exists in core`).toBe(true);
    expect(documented.size).toBe(Object.keys(ERROR_CODES).length as number);
  });

  it("documents every command of the program", () => {
    for (const command of [
      "introspect",
      "generate",
      "execute",
      "call",
      "skill",
      "server",
      "serve",
      "daemon",
      "completions",
    ]) {
      expect(text).toContain(`## ${command}`);
    }
  });
});
