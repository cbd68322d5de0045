import { describe, expect, it } from "vitest";
import { McpCliError, serverId, sessionId, skillId, suggestSkillId, toolName } from "../src/index.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof McpCliError ? error.code : "not-coded";
  }
  return undefined;
}

describe("skill names follow the Agent Skills rule", () => {
  it.each(["a", "pdf", "github-tools", "x1-y2-z3", "a".repeat(64)])("accepts %s", (name) => {
    expect(skillId(name)).toBe(name);
  });

  it.each([
    ["", "empty"],
    ["a".repeat(65), "65 characters"],
    ["GitHub", "uppercase"],
    ["-lead", "leading hyphen"],
    ["trail-", "trailing hyphen"],
    ["double--hyphen", "double hyphen"],
    ["../escape", "traversal"],
    ["a/b", "slash"],
    ["my_skill", "underscore"],
    ["claude-helper", "reserved word claude"],
    ["anthropic", "reserved word anthropic"],
    ["with space", "space"],
  ])("rejects %j (%s) with NAME_INVALID", (name) => {
    expect(codeOf(() => skillId(name))).toBe("NAME_INVALID");
  });

  it("says which rule was broken", () => {
    expect(() => skillId("my-claude-skill")).toThrow(/reserved word 'claude'/);
    expect(() => skillId("A")).toThrow(/lowercase/);
  });

  it("suggests valid names from free text", () => {
    expect(suggestSkillId("server-everything")).toBe("server-everything");
    expect(suggestSkillId("My Server (v2)!")).toBe("my-server-v2");
    expect(suggestSkillId("claude-code-tools")).toBe("code-tools");
    expect(suggestSkillId("___")).toBe("mcp-tools");
    expect(suggestSkillId("x".repeat(100))).toHaveLength(64);
    expect(suggestSkillId(`${"ab-".repeat(30)}cd`).endsWith("-")).toBe(false);
  });
});

describe("server, tool and session names", () => {
  it("accepts config-style server names and rejects path-like ones", () => {
    for (const name of ["everything", "github-mcp", "server.v2", "S_3"]) expect(serverId(name)).toBe(name);
    for (const name of ["", ".hidden", "..", "a/b", "a\\b", "a..b", "x".repeat(65), "sp ace", "-x"]) {
      expect(
        codeOf(() => serverId(name)),
        name,
      ).toBe("NAME_INVALID");
    }
  });

  it("accepts real tool names and rejects control characters and overlong names", () => {
    for (const name of ["echo", "get-tiny-image", "files/read", "ns.tool", "class"])
      expect(toolName(name)).toBe(name);
    for (const name of ["", "a\u0000b", "new\nline", "x".repeat(129)]) {
      expect(
        codeOf(() => toolName(name)),
        JSON.stringify(name),
      ).toBe("NAME_INVALID");
    }
  });

  it("accepts file-safe session ids only", () => {
    expect(sessionId("run-42_a")).toBe("run-42_a");
    for (const name of ["", "../x", "a/b", ".x", "x".repeat(129), "a b"]) {
      expect(
        codeOf(() => sessionId(name)),
        name,
      ).toBe("NAME_INVALID");
    }
  });
});
