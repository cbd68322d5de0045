import { describe, expect, it } from "vitest";
import {
  applyToolPolicy,
  McpCliError,
  matchesToolPattern,
  parseConfigFile,
  type ServerManifest,
  toolDenial,
  toolDeniedError,
} from "../src/index.js";

describe("matchesToolPattern: globs over whole tool names", () => {
  it.each([
    ["read_*", "read_file", true],
    ["read_*", "read_", true],
    ["read_*", "xread_file", false],
    ["*_file", "read_file", true],
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["get-?", "get-a", true],
    ["get-?", "get-ab", false],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "aXbY", false],
    ["admin/*", "admin/delete.user", true], // `*` crosses `/` and `.`: names are not paths
    ["Read_*", "read_file", false], // case-sensitive
    ["[ab]", "a", false], // brackets are literal
    ["[ab]", "[ab]", true],
    ["constructor", "constructor", true],
    ["__proto__", "__proto__", true],
  ])("%j against %j is %s", (pattern, name, expected) => {
    expect(matchesToolPattern(pattern, name)).toBe(expected);
  });

  it("regression: a hostile pattern of many stars does not backtrack exponentially", () => {
    const pattern = `${"*a".repeat(100)}b`;
    const name = "a".repeat(5000);
    expect(matchesToolPattern(pattern, name)).toBe(false);
  });
});

describe("toolDenial and applyToolPolicy", () => {
  const policy = { allowedTools: ["read_*", "list_*"], disabledTools: ["list_secrets"] };

  it("disabledTools wins over allowedTools; a miss of the allow-list names the whole list", () => {
    expect(toolDenial(policy, "read_file")).toBeUndefined();
    expect(toolDenial(policy, "list_secrets")).toEqual({
      key: "disabledTools",
      rule: 'disabledTools: "list_secrets"',
      pattern: "list_secrets",
    });
    expect(toolDenial(policy, "delete_file")).toEqual({
      key: "allowedTools",
      rule: 'allowedTools: ["read_*","list_*"] (no pattern matches)',
    });
    expect(toolDenial({}, "anything")).toBeUndefined();
    expect(toolDenial({ allowedTools: [] }, "anything")?.key).toBe("allowedTools");
  });

  it("TOOL_DENIED carries the rule and the file, and exits 2", () => {
    const denial = toolDenial(policy, "delete_file");
    if (denial === undefined) throw new Error("expected a denial");
    const error = toolDeniedError("fs", "delete_file", denial, "/repo/.mcp.json");
    expect(error).toBeInstanceOf(McpCliError);
    expect(error.code).toBe("TOOL_DENIED");
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'fs/delete_file is not allowed by the configuration (allowedTools: ["read_*","list_*"] (no pattern matches) in /repo/.mcp.json)',
    );
    expect(error.details).toMatchObject({ server: "fs", tool: "delete_file", key: "allowedTools" });
  });

  it("filters a manifest's tools and keeps its fingerprint; no policy returns the same object", () => {
    const manifest = {
      server: "fs",
      serverInfo: { name: "fs", version: "1" },
      protocolVersion: "2025-06-18",
      capabilities: {},
      tools: ["read_file", "list_dir", "list_secrets", "delete_file"].map((name) => ({
        name,
        inputSchema: { type: "object" },
      })),
      fingerprint: { algorithm: "blake3", digest: "d", tools: {} },
    } satisfies ServerManifest;
    const filtered = applyToolPolicy(manifest, policy);
    expect(filtered.tools.map((tool) => tool.name)).toEqual(["read_file", "list_dir"]);
    expect(filtered.fingerprint).toBe(manifest.fingerprint);
    expect(manifest.tools).toHaveLength(4);
    expect(applyToolPolicy(manifest, {})).toBe(manifest);
    expect(applyToolPolicy(manifest, { disabledTools: [] })).toBe(manifest);
  });
});

describe("allowedTools / disabledTools in a configuration file", () => {
  it("are read as lists of globs, and absent when not given", () => {
    const parsed = parseConfigFile(
      JSON.stringify({
        mcpServers: {
          fs: { command: "x", allowedTools: ["read_*"], disabledTools: ["read_secret*"] },
          plain: { command: "y" },
        },
      }),
      "/c.json",
    );
    expect(parsed.servers[0]).toMatchObject({ allowedTools: ["read_*"], disabledTools: ["read_secret*"] });
    expect(parsed.servers[1]).not.toHaveProperty("allowedTools");
    expect(parsed.servers[1]).not.toHaveProperty("disabledTools");
    expect(parsed.warnings).toEqual([]);
  });

  it.each([
    ['{"allowedTools": "read_*"}', /key "allowedTools": must be an array of strings/],
    ['{"disabledTools": [""]}', /key "disabledTools\[0\]": must be a glob of 1 to 256 printable characters/],
    [`{"disabledTools": ["${"x".repeat(257)}"]}`, /key "disabledTools\[0\]": must be a glob/],
    ['{"allowedTools": ["a\\u001b[31m"]}', /key "allowedTools\[0\]": must be a glob/],
    [
      `{"allowedTools": ${JSON.stringify(Array.from({ length: 1001 }, () => "a"))}}`,
      /more than 1000 patterns/,
    ],
  ])("%s is CONFIG_INVALID", (keys, message) => {
    const text = `{"mcpServers": {"s": {"command": "x", ${keys.slice(1, -1)}}}}`;
    let error: unknown;
    try {
      parseConfigFile(text, "/c.json");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(McpCliError);
    expect((error as McpCliError).code).toBe("CONFIG_INVALID");
    expect((error as McpCliError).message).toMatch(message);
  });
});
