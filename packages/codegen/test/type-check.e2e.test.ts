/**
 * `checkGuestTypes` (execute --check): the real TypeScript compiler in its worker, over trees
 * generated from the recorded server-everything listing. Errors carry the script's own line and
 * column (snippets included), and every limit of the check has a test that hits it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "@mcp-execution/core";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import {
  checkGuestTypes,
  guestTypeError,
  MAX_CHECKED_SOURCE_BYTES,
  startGuestTypeChecker,
} from "../src/type-check.js";
import { corpusManifest } from "./corpus.js";

const DEMO = join(import.meta.dirname, "../../../examples/workflow/agent-report.ts");
let tree: GeneratedFile[];

beforeAll(async () => {
  tree = generateTree(await corpusManifest("everything"));
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

// A check loads the compiler in a fresh worker: seconds on a loaded 2-core machine, so these tests
// get room beyond the default timeout (nothing here measures time).
const CHECK_TIMEOUT_MS = 180_000;

describe("checkGuestTypes", { timeout: CHECK_TIMEOUT_MS }, () => {
  it("the demo script (examples/workflow) type-checks against its tree", async () => {
    const report = await checkGuestTypes({
      source: readFileSync(DEMO, "utf8"),
      files: tree,
      filename: "agent-report.ts",
    });
    expect(report).toEqual({ diagnostics: [], total: 0 });
  });

  it("a wrong argument type and a misspelled argument are reported at the script's line and column", async () => {
    const source = [
      'import { getSum } from "./servers/everything/get-sum.ts";',
      'import { echo } from "./servers/everything/echo.ts";',
      "",
      'const sum = await getSum({ a: 1, b: "2" });',
      'await echo({ mesage: "hi" });',
      "export default sum;",
    ].join("\n");
    const report = await checkGuestTypes({ source, files: tree, filename: "agent.ts" });
    expect(report.total).toBe(2);
    expect(report.diagnostics[0]).toEqual({
      file: "agent.ts",
      line: 4,
      column: 34,
      code: 2322,
      message: "Type 'string' is not assignable to type 'number'.",
    });
    expect(report.diagnostics[1]).toMatchObject({ file: "agent.ts", line: 5, column: 14 });
    expect(report.diagnostics[1]?.message).toContain("'mesage' does not exist");
    expect(report.diagnostics[1]?.message).toContain("Did you mean to write 'message'?");

    const error = guestTypeError(report);
    expect(error.code).toBe("GUEST_TYPE");
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        "the code does not type-check (2 errors):",
        "agent.ts:4:34 - TS2322: Type 'string' is not assignable to type 'number'.",
        `agent.ts:5:14 - TS${report.diagnostics[1]?.code}: ${report.diagnostics[1]?.message}`,
      ].join("\n"),
    );
    expect(error.details).toMatchObject({ total: 2, file: "agent.ts", line: 4, column: 34 });
  });

  it("a snippet (execute -e) is checked as an async function body; line 1 columns are the user's", async () => {
    const report = await checkGuestTypes({
      source: 'const n: number = "one";\nconsole.log(readFile("/workspace/x"));\nreturn n;',
      files: [],
      filename: "eval.ts",
      mode: "snippet",
    });
    expect(report.diagnostics).toEqual([
      {
        file: "eval.ts",
        line: 1,
        column: 7,
        code: 2322,
        message: "Type 'string' is not assignable to type 'number'.",
      },
    ]);
  });

  it("the sandbox's globals are declared without a tree; host globals are not", async () => {
    const report = await checkGuestTypes({
      source: [
        'const value = await callTool("s", "t", { a: 1 });',
        'writeFile("/workspace/a", String(value));',
        "setState('k', listFiles());",
        "console.log(getState('k'));",
        "setTimeout(() => {}, 1);",
        "process.exit(1);",
        "export default value;",
      ].join("\n"),
      files: [],
      filename: "globals.ts",
    });
    expect(report.diagnostics).toEqual([
      expect.objectContaining({
        line: 6,
        column: 1,
        message: expect.stringContaining("Cannot find name 'process'"),
      }),
    ]);
  });

  it("syntax errors and JavaScript files (checked as JS) are reported too", async () => {
    const syntax = await checkGuestTypes({ source: "const x = {;", files: [], filename: "s.ts" });
    expect(syntax.diagnostics[0]).toMatchObject({ file: "s.ts", line: 1, column: 12, code: 1136 });
    const js = await checkGuestTypes({
      source:
        'import { getSum } from "./servers/everything/get-sum.ts";\nexport default await getSum({ a: 1 });',
      files: tree,
      filename: "script.mjs",
    });
    expect(js.diagnostics[0]).toMatchObject({ file: "script.mjs", line: 2, code: 2345 });
  });

  it("an import of a tool that the tree does not have is an error in the script", async () => {
    const report = await checkGuestTypes({
      source: 'import { nope } from "./servers/everything/nope.ts";\nexport default nope;',
      files: tree,
      filename: "missing.ts",
    });
    expect(report.diagnostics[0]).toMatchObject({ file: "missing.ts", line: 1, code: 2307 });
  });

  it("limits: a source over the size cap, a check over its time limit, a cancelled check", async () => {
    expect(
      await codeOf(
        checkGuestTypes({ source: "x".repeat(MAX_CHECKED_SOURCE_BYTES + 1), files: [], filename: "big.ts" }),
      ),
    ).toBe("LIMIT_SIZE");
    // Loading the compiler alone takes far longer than 1 ms: the limit trips every time.
    expect(
      await codeOf(checkGuestTypes({ source: "export {};", files: [], filename: "a.ts", timeoutMs: 1 })),
    ).toBe("LIMIT_TIME");
    const controller = new AbortController();
    const pending = checkGuestTypes({
      source: "export {};",
      files: [],
      filename: "a.ts",
      signal: controller.signal,
    });
    controller.abort();
    expect(await codeOf(pending)).toBe("CANCELLED");
  });

  it("a checker started ahead of time checks once; a second check or one after close is DISPOSED", async () => {
    const checker = startGuestTypeChecker();
    // Other work happens here in the CLI (connecting to servers) while the compiler loads.
    const manifest = await corpusManifest("everything");
    const report = await checker.check({
      source:
        'import { echo } from "./servers/everything/echo.ts";\nexport default await echo({ message: 1 });',
      files: generateTree(manifest),
      filename: "early.ts",
    });
    expect(report.diagnostics[0]).toMatchObject({ file: "early.ts", line: 2, code: 2322 });
    expect(await codeOf(checker.check({ source: "export {};", files: [], filename: "again.ts" }))).toBe(
      "DISPOSED",
    );
    await checker.close();
    await checker.close();
    const closed = startGuestTypeChecker();
    await closed.close();
    expect(await codeOf(closed.check({ source: "export {};", files: [], filename: "late.ts" }))).toBe(
      "DISPOSED",
    );
  });
});
