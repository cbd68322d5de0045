import { isMcpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { normalizeVfsPath, VFS_PATH_LIMITS } from "../src/path.js";

function ruleOf(input: string, base?: string): string {
  try {
    normalizeVfsPath(input, base === undefined ? {} : { base });
  } catch (error) {
    if (isMcpCliError(error, "PATH_INVALID")) return String(error.details?.rule);
    throw error;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

describe("normalizeVfsPath: accepted paths", () => {
  it.each([
    ["/workspace/a/b.txt", "/workspace/a/b.txt"],
    ["/workspace//a/./b/", "/workspace/a/b"],
    ["/workspace/a/../b", "/workspace/b"],
    ["/mcp-tools", "/mcp-tools"],
    ["/mcp-tools/servers/everything/echo.ts", "/mcp-tools/servers/everything/echo.ts"],
    ["/", "/"],
    ["/./", "/"],
    ["//workspace", "/workspace"],
    ["/workspace/...", "/workspace/..."],
    ["/workspace/a\\b\\c.txt", "/workspace/a/b/c.txt"],
    ["\\workspace\\x", "/workspace/x"],
    ["/workspace/100%.txt", "/workspace/100%.txt"],
    ["/workspace/a%20b", "/workspace/a%20b"],
    // Fullwidth dots and slash are ordinary characters: nothing here folds Unicode.
    ["/workspace/\uff0e\uff0e\uff0fx", "/workspace/\uff0e\uff0e\uff0fx"],
  ])("%j -> %j", (input, expected) => {
    expect(normalizeVfsPath(input).path).toBe(expected);
  });

  it("reports the area and segments", () => {
    expect(normalizeVfsPath("/workspace/a/b")).toEqual({
      path: "/workspace/a/b",
      area: "workspace",
      segments: ["workspace", "a", "b"],
    });
    expect(normalizeVfsPath("/")).toEqual({ path: "/", area: undefined, segments: [] });
  });

  it("resolves relative paths against a base, inside the base's area", () => {
    expect(normalizeVfsPath("b.txt", { base: "/workspace/a" }).path).toBe("/workspace/a/b.txt");
    expect(normalizeVfsPath("../c", { base: "/workspace/a" }).path).toBe("/workspace/c");
    expect(normalizeVfsPath("./servers/x.ts", { base: "/mcp-tools" }).path).toBe("/mcp-tools/servers/x.ts");
    // An absolute input ignores the base.
    expect(normalizeVfsPath("/mcp-tools/x", { base: "/workspace" }).path).toBe("/mcp-tools/x");
  });

  it("accepts a segment of exactly the byte limit and a path of exactly the depth limit", () => {
    const segment = "a".repeat(VFS_PATH_LIMITS.maxSegmentBytes);
    expect(normalizeVfsPath(`/workspace/${segment}`).path).toBe(`/workspace/${segment}`);
    const deep = `/workspace${"/d".repeat(VFS_PATH_LIMITS.maxDepth - 1)}`;
    expect(normalizeVfsPath(deep).segments).toHaveLength(VFS_PATH_LIMITS.maxDepth);
  });
});

describe("normalizeVfsPath: refused paths", () => {
  it.each([
    ["", "empty"],
    ["/workspace/a\u0000b", "nul-byte"],
    ["/workspace/a.txt\u0000.png", "nul-byte"],
    ["/workspace/a\nb", "control-character"],
    ["/workspace/\u007f", "control-character"],
    // Plain traversal
    ["/workspace/../etc/passwd", "escapes-root"],
    ["/workspace/..", "escapes-root"],
    ["/..", "escapes-root"],
    ["/../workspace/x", "escapes-root"],
    ["/workspace/a/../../mcp-tools/x", "escapes-root"],
    ["/mcp-tools/../workspace/x", "escapes-root"],
    ["/workspace/a/b/../../../../../../etc/passwd", "escapes-root"],
    // Mixed separators
    ["\\workspace\\..\\..\\etc\\passwd", "escapes-root"],
    ["/workspace\\..\\mcp-tools\\x", "escapes-root"],
    ["/workspace/a\\..\\..\\..\\x", "escapes-root"],
    ["/workspace/..\\/..\\/x", "escapes-root"],
    // Encoded traversal (never decoded, always refused)
    ["/workspace/%2e%2e/%2e%2e/etc/passwd", "encoded-separator"],
    ["/workspace/..%2fetc", "encoded-separator"],
    ["/workspace/%2E%2E%5Cx", "encoded-separator"],
    ["/workspace/%252e%252e%252f", "encoded-separator"],
    ["/workspace/a%00b", "encoded-separator"],
    ["%2e%2e%2f%2e%2e%2fetc", "encoded-separator"],
    // Outside both areas
    ["/etc/passwd", "outside-areas"],
    ["/workspaces/x", "outside-areas"],
    ["/Workspace/x", "outside-areas"],
    ["\\\\server\\share\\x", "outside-areas"],
    // Relative without a base
    ["workspace/a", "relative-without-base"],
    ["a.txt", "relative-without-base"],
    ["./a.txt", "relative-without-base"],
    ["../a.txt", "relative-without-base"],
    ["C:\\Windows\\system32", "relative-without-base"],
  ])("%j is refused (%s)", (input, rule) => {
    expect(ruleOf(input)).toBe(rule);
  });

  it("refuses relative traversal out of the base's area", () => {
    expect(ruleOf("../x", "/workspace")).toBe("escapes-root");
    expect(ruleOf("../../mcp-tools/x", "/workspace/a")).toBe("escapes-root");
    expect(ruleOf("..\\..\\..\\x", "/mcp-tools/servers")).toBe("escapes-root");
    expect(ruleOf("x", "/")).toBe("outside-areas");
    expect(ruleOf("x", "relative/base")).toBe("relative-without-base");
  });

  it("refuses non-strings", () => {
    expect(ruleOf(42 as unknown as string)).toBe("not-a-string");
  });

  it("refuses very long inputs, segments, depths and results", () => {
    expect(ruleOf(`/workspace/${"a".repeat(VFS_PATH_LIMITS.maxInputLength)}`)).toBe("too-long");
    expect(ruleOf(`/workspace/${"a".repeat(VFS_PATH_LIMITS.maxSegmentBytes + 1)}`)).toBe("segment-too-long");
    // 128 two-byte characters: 128 characters but 256 UTF-8 bytes.
    expect(ruleOf(`/workspace/${"\u00e9".repeat(128)}`)).toBe("segment-too-long");
    expect(ruleOf(`/workspace${"/d".repeat(VFS_PATH_LIMITS.maxDepth)}`)).toBe("too-deep");
    const longSegments = Array.from({ length: 10 }, () => "s".repeat(200)).join("/");
    expect(ruleOf(`/workspace/${longSegments}`)).toBe("too-long");
    // A long input of ./ that normalizes to something short is still refused before any work.
    expect(ruleOf(`/workspace${"/.".repeat(3000)}/x`)).toBe("too-long");
  });

  it("gives a message that says what is wrong and what would be valid", () => {
    expect(() => normalizeVfsPath("notes.txt")).toThrow(/relative path needs a base directory.*\/workspace/);
    expect(() => normalizeVfsPath("/workspace/../x")).toThrow(/'\.\.' leaves \/workspace/);
  });
});

describe("normalizeVfsPath: no input escapes (seeded fuzz)", () => {
  it("every accepted path of 20,000 random ones is canonical and inside an area", () => {
    const pieces = ["..", ".", "", "a", "workspace", "mcp-tools", "\\", "/", "%2e", "%", "etc", "..."];
    let seed = 20260101;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const parts = Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]);
      const input = (random(3) === 0 ? "" : "/") + parts.join(random(2) === 0 ? "/" : "\\");
      const base = random(2) === 0 ? undefined : "/workspace/sub";
      let result: ReturnType<typeof normalizeVfsPath>;
      try {
        result = normalizeVfsPath(input, base === undefined ? {} : { base });
      } catch (error) {
        expect(isMcpCliError(error, "PATH_INVALID")).toBe(true);
        continue;
      }
      accepted++;
      expect(result.path === "/" || /^\/(workspace|mcp-tools)(\/|$)/.test(result.path)).toBe(true);
      expect(result.segments.some((s) => s === "." || s === ".." || s === "" || s.includes("\\"))).toBe(
        false,
      );
      expect(normalizeVfsPath(result.path).path).toBe(result.path);
      if (base !== undefined && !/^[/\\]/.test(input)) expect(result.area).toBe("workspace");
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
