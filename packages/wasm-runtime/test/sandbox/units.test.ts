/** The sandbox's pure parts: snippet wrapping, error mapping, JSON depth, session state. */
import { McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { classifyThrown, firstLocation, mapStack } from "../../src/guest-errors.js";
import { capBytes, jsonDepth } from "../../src/sandbox-constants.js";
import { SessionState } from "../../src/session-state.js";
import { mainModuleName, SNIPPET_PREFIX, splitLeadingImports, wrapMain } from "../../src/transpile.js";

describe("snippet wrapping", () => {
  it("hoists only the leading import declarations, keeping every line where it was", () => {
    const source = [
      "// leading comment",
      'import { a } from "./a.ts";',
      "import type { T } from './t';",
      "import * as ns from './ns.js';",
      "import def, { b as c } from './d';",
      "import {",
      "  multi,",
      "} from './m';",
      'import "./side-effect";',
      "const x = 1;",
      "import('./dynamic');",
    ].join("\n");
    const { imports, body } = splitLeadingImports(source);
    expect(imports.split("\n")).toHaveLength(9);
    expect(body.startsWith("\nconst x = 1;")).toBe(true);
    expect(`${imports}${body}`).toBe(source);
  });

  it("does not mistake dynamic import() or import.meta for declarations", () => {
    expect(splitLeadingImports("import('./x.ts'); return 1;").imports).toBe("");
    expect(splitLeadingImports("import.meta; return 1;").imports).toBe("");
    expect(splitLeadingImports("return 1;").imports).toBe("");
  });

  it("wraps the body on the line where it starts and remembers the shift", () => {
    const prepared = wrapMain({
      source: 'import x from "./x.js";\nreturn x;',
      mode: "snippet",
      language: "javascript",
    });
    expect(prepared.source).toBe(`import x from "./x.js";${SNIPPET_PREFIX}\nreturn x;\n})();`);
    expect(prepared.wrapperShift).toEqual({ line: 1, columns: SNIPPET_PREFIX.length, lastLine: 2 });
    expect(prepared.moduleName).toBe("/mcp-tools/snippet.js");
    expect(prepared.displayName).toBe("snippet.js");
  });

  it("names the main module after the file, safely, inside /mcp-tools", () => {
    expect(mainModuleName("scripts/run.ts", "module", "typescript")).toBe("/mcp-tools/run.ts");
    expect(mainModuleName("../../we ird$.ts", "module", "typescript")).toBe("/mcp-tools/we_ird_.ts");
    expect(mainModuleName("...", "module", "javascript")).toBe("/mcp-tools/main.js");
    expect(mainModuleName(undefined, "snippet", "typescript")).toBe("/mcp-tools/snippet.ts");
  });
});

describe("error mapping", () => {
  const mapping = {
    moduleName: "/mcp-tools/snippet.ts",
    displayName: "snippet.ts",
    wrapperShift: { line: 1, columns: 35, lastLine: 3 },
  };

  it("shows the user's file name, removes sandbox and wrapper frames, shifts the first line back", () => {
    const stack = [
      "    at stub (<sandbox>:40:10)",
      "    at f (/mcp-tools/snippet.ts:1:45)",
      "    at <anonymous> (/mcp-tools/snippet.ts:3:2)",
      "    at <anonymous> (/mcp-tools/snippet.ts:4:3)",
      "    at helper (/mcp-tools/servers/x/y.ts:7:1)",
    ].join("\n");
    expect(mapStack(stack, mapping)).toBe(
      [
        "    at f (snippet.ts:1:10)",
        "    at <anonymous> (snippet.ts:3:2)",
        "    at helper (/mcp-tools/servers/x/y.ts:7:1)",
      ].join("\n"),
    );
  });

  it("finds the first frame in a guest file, skipping native and <input> frames", () => {
    expect(firstLocation("    at <input>:1:9\n    at parse (native)\n    at f (snippet.ts:2:3)")).toEqual({
      file: "snippet.ts",
      line: 2,
      column: 3,
    });
    expect(firstLocation("    at <input>:1:9")).toEqual({ file: "<input>", line: 1, column: 9 });
    expect(firstLocation("no frames")).toBeUndefined();
  });

  it("maps stack overflows, out-of-memory and compile errors to their codes", () => {
    const at = "    at f (/mcp-tools/snippet.ts:2:5)";
    expect(
      classifyThrown(
        { isError: true, name: "InternalError", message: "stack overflow", stack: at },
        mapping,
        1024,
      ).code,
    ).toBe("LIMIT_STACK");
    expect(
      classifyThrown(
        { isError: true, name: "SyntaxError", message: "stack overflow", stack: at },
        mapping,
        1024,
      ).code,
    ).toBe("LIMIT_STACK");
    expect(
      classifyThrown(
        { isError: true, name: "InternalError", message: "out of memory", stack: at },
        mapping,
        1,
      ).code,
    ).toBe("LIMIT_MEMORY");
    const compile = classifyThrown(
      {
        isError: true,
        name: "SyntaxError",
        message: "unexpected token",
        stack: "    at /mcp-tools/snippet.ts:2:9",
      },
      mapping,
      1,
    );
    expect(compile).toMatchObject({
      code: "GUEST_SYNTAX",
      message: "SyntaxError: unexpected token (at snippet.ts:2:9)",
    });
    expect(
      classifyThrown(
        { isError: true, name: "SyntaxError", message: "bad json", stack: `    at parse (native)\n${at}` },
        mapping,
        1,
      ).code,
    ).toBe("GUEST_ERROR");
  });

  it("keeps the codes of the sandbox's own APIs and only those, and only when the sandbox raised them", () => {
    const error = (code: string) =>
      classifyThrown(
        { isError: true, name: "Error", message: "m", stack: "", code, hostCode: code },
        mapping,
        1,
      );
    expect(error("TOOL_ERROR").code).toBe("TOOL_ERROR");
    expect(error("FILE_NOT_FOUND").code).toBe("FILE_NOT_FOUND");
    expect(error("LIMIT_TIME")).toMatchObject({ code: "GUEST_ERROR", details: { code: "LIMIT_TIME" } });
    expect(error("INTERNAL").code).toBe("GUEST_ERROR");
    expect(error("made-up").code).toBe("GUEST_ERROR");
    // The same codes on an error the guest made itself: its own, in details.
    const posing = (code: string) =>
      classifyThrown({ isError: true, name: "Error", message: "m", stack: "", code }, mapping, 1);
    expect(posing("TOOL_ERROR")).toMatchObject({ code: "GUEST_ERROR", details: { code: "TOOL_ERROR" } });
    expect(posing("AUTH_REQUIRED")).toMatchObject({
      code: "GUEST_ERROR",
      details: { code: "AUTH_REQUIRED" },
    });
  });
});

describe("jsonDepth", () => {
  it("measures nesting outside strings and stops past the limit", () => {
    expect(jsonDepth("1", 10)).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}', 10)).toBe(4);
    expect(jsonDepth('["[[[[", "\\"[[["]', 10)).toBe(1);
    expect(jsonDepth("[".repeat(50) + "]".repeat(50), 10)).toBe(11);
  });

  it("rounds memory caps up to whole wasm pages and to the interpreter's minimum", () => {
    expect(capBytes(1)).toBe(16 * 1024 * 1024);
    expect(capBytes(32 * 1024 * 1024 + 1)).toBe(32 * 1024 * 1024 + 65536);
  });
});

describe("SessionState", () => {
  it("stores JSON text, deletes on undefined, and tracks changes", () => {
    const state = new SessionState({ a: 1 }, 1000);
    expect(state.changed).toBe(false);
    expect(state.getJson("a")).toBe("1");
    state.setJson("b", '{"x":[1]}');
    state.setJson("a", undefined);
    state.setJson("missing", undefined);
    expect(state.changed).toBe(true);
    expect(state.toJSON()).toEqual({ b: { x: [1] } });
  });

  it("refuses values past the quota and keys that are empty or too long, leaving the state as it was", () => {
    const state = new SessionState({}, 20);
    state.setJson("k", '"0123456789"');
    expect(() => state.setJson("k2", '"0123456789"')).toThrow(McpCliError);
    expect(() => state.setJson("", "1")).toThrow(/state key/);
    expect(() => state.setJson("x".repeat(1025), "1")).toThrow(/state key/);
    expect(state.toJSON()).toEqual({ k: "0123456789" });
    // Replacing a value only counts the difference.
    state.setJson("k", '"abcdefghij"');
    expect(state.toJSON()).toEqual({ k: "abcdefghij" });
  });
});
