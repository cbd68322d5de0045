import { describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  EXIT,
  exitCodeFor,
  isErrorCode,
  isMcpCliError,
  McpCliError,
  toErrorDocument,
  toMcpCliError,
} from "../src/index.js";

describe("error model", () => {
  it("maps the codes named in docs/conventions.md to their exit codes", () => {
    const expected: Record<string, number> = {
      CONFIG_INVALID: 1,
      SERVER_UNKNOWN: 1,
      PATH_INVALID: 1,
      SKILL_NOT_FOUND: 1,
      TOOL_ERROR: 2,
      ARGS_INVALID: 2,
      GUEST_ERROR: 2,
      CONNECT_FAILED: 3,
      TIMEOUT: 3,
      AUTH_REQUIRED: 4,
      LIMIT_TIME: 5,
      LIMIT_MEMORY: 5,
      LIMIT_STACK: 5,
      LIMIT_OUTPUT: 5,
      LIMIT_CALLS: 5,
      INTEGRITY: 6,
      CANCELLED: 130,
    };
    for (const [code, exit] of Object.entries(expected)) {
      expect(isErrorCode(code), code).toBe(true);
      if (isErrorCode(code)) expect(exitCodeFor(code), code).toBe(exit);
    }
  });

  it("uses only the documented exit codes", () => {
    const documented = new Set<number>(Object.values(EXIT));
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(documented.has(info.exit), code).toBe(true);
      expect(info.summary.length, code).toBeGreaterThan(0);
    }
  });

  it("carries code, details, cause and exit code, and serializes to the JSON error document", () => {
    const cause = new Error("socket hang up");
    const error = new McpCliError("CONNECT_FAILED", "could not connect to everything", {
      details: { server: "everything" },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.exitCode).toBe(3);
    expect(error.cause).toBe(cause);
    expect(error.isInternal).toBe(false);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: "CONNECT_FAILED",
      message: "could not connect to everything",
      details: { server: "everything" },
    });
  });

  it("omits details from the document when there are none", () => {
    expect(new McpCliError("USAGE", "bad flag").toJSON()).toEqual({ code: "USAGE", message: "bad flag" });
  });

  it("turns foreign throws into INTERNAL errors that keep the original as cause", () => {
    const original = new TypeError("x is not a function");
    const wrapped = toMcpCliError(original);
    expect(wrapped.code).toBe("INTERNAL");
    expect(wrapped.isInternal).toBe(true);
    expect(wrapped.cause).toBe(original);
    expect(toErrorDocument("a string").message).toContain("a string");
    const coded = new McpCliError("TIMEOUT", "slow");
    expect(toMcpCliError(coded)).toBe(coded);
  });

  it("narrows with isMcpCliError, optionally by code", () => {
    const error = new McpCliError("INTEGRITY", "tampered");
    expect(isMcpCliError(error)).toBe(true);
    expect(isMcpCliError(error, "INTEGRITY")).toBe(true);
    expect(isMcpCliError(error, "TIMEOUT")).toBe(false);
    expect(isMcpCliError(new Error("plain"))).toBe(false);
    expect(isErrorCode("toString")).toBe(false);
  });
});
