/** The per-server `maxResponseBytes` key (the MCP client's answer-size cap). */
import { describe, expect, it } from "vitest";
import { McpCliError, maskServerConfig, parseConfigFile } from "../src/index.js";

function parse(value: unknown) {
  return parseConfigFile(
    JSON.stringify({ mcpServers: { s: { url: "https://x.example/mcp", maxResponseBytes: value } } }),
    "/c.json",
  );
}

describe("maxResponseBytes", () => {
  it("is read as a positive number, without a warning, and shown by server info", () => {
    const parsed = parse(1_048_576);
    expect(parsed.servers[0]?.maxResponseBytes).toBe(1_048_576);
    expect(parsed.warnings).toEqual([]);
    expect(maskServerConfig(parsed.servers[0] as never)).toMatchObject({ maxResponseBytes: 1_048_576 });
  });

  it("refuses zero, negative and non-numbers with CONFIG_INVALID naming the key", () => {
    for (const value of [0, -1, "1MB"]) {
      let error: unknown;
      try {
        parse(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(McpCliError);
      expect((error as McpCliError).code).toBe("CONFIG_INVALID");
      expect((error as McpCliError).message).toContain("maxResponseBytes");
    }
  });
});
