/**
 * An error raised inside a generated wrapper (a tool call it made failed) points at the guest's
 * line that called the wrapper, with the wrapper's own line beside it (issue 16 item 3).
 */
import { describe, expect, it } from "vitest";
import { classifyThrown, type SourceMapping } from "../../src/guest-errors.js";

const mapping: SourceMapping = { moduleName: "/mcp-tools/main.ts", displayName: "agent.ts" };
const stack = [
  "    at Promise (native)",
  "    at apply (native)",
  "    at getSum (/mcp-tools/servers/everything/get-sum.ts:20:25)",
  "    at <anonymous> (/mcp-tools/main.ts:4:28)",
].join("\n");

describe("errors raised inside a generated wrapper", () => {
  it("a host error (ARGS_INVALID) is located at the caller's line, the wrapper's line beside it", () => {
    const document = classifyThrown(
      {
        isError: true,
        name: "Error",
        message: "invalid arguments for everything/get-sum",
        stack,
        hostCode: "ARGS_INVALID",
      },
      mapping,
      1024,
    );
    expect(document.code).toBe("ARGS_INVALID");
    expect(document.message).toBe(
      "invalid arguments for everything/get-sum (at agent.ts:4:28, in /mcp-tools/servers/everything/get-sum.ts:20:25)",
    );
    expect(document.details).toMatchObject({
      file: "agent.ts",
      line: 4,
      column: 28,
      wrapper: { file: "/mcp-tools/servers/everything/get-sum.ts", line: 20, column: 25 },
    });
  });

  it("a guest error thrown from the wrapper too; an error in the guest's own file is unchanged", () => {
    const thrown = classifyThrown({ isError: true, name: "TypeError", message: "bad", stack }, mapping, 1024);
    expect(thrown.message).toBe(
      "TypeError: bad (at agent.ts:4:28, in /mcp-tools/servers/everything/get-sum.ts:20:25)",
    );
    const own = classifyThrown(
      { isError: true, name: "Error", message: "mine", stack: "    at f (/mcp-tools/main.ts:2:5)" },
      mapping,
      1024,
    );
    expect(own.message).toBe("Error: mine (at agent.ts:2:5)");
    expect(own.details).not.toHaveProperty("wrapper");
  });

  it("a wrapper frame with no guest caller keeps the wrapper's location", () => {
    const alone = classifyThrown(
      { isError: true, name: "Error", message: "x", stack: "    at f (/mcp-tools/servers/a/b.ts:3:1)" },
      mapping,
      1024,
    );
    expect(alone.message).toBe("Error: x (at /mcp-tools/servers/a/b.ts:3:1)");
  });
});
