/**
 * Hostile stdio servers: one that floods stdout with garbage gets a bounded, deduplicated warning.
 */
import type { Diagnostic } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually } from "../../../test/fixtures/servers/harness.mjs";
import { connectServer } from "../src/connection.js";
import { MAX_SHOWN_NOISE_LINES } from "../src/stdout-noise.js";
import { fixtureConfig } from "./configs.js";

afterAll(async () => {
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

describe("a server that floods stdout", () => {
  it("turns 20,000 garbage lines into a few distinct, escaped warnings and a count", async () => {
    const diagnostics: Diagnostic[] = [];
    const connection = await connectServer(fixtureConfig("flood", ["--lines", "20000"]), {
      environment: process.env,
      diagnostics: (diagnostic) => diagnostics.push(diagnostic),
    });
    try {
      const result = await connection.callTool("echo", { message: "still works" });
      expect(result.content).toEqual([{ type: "text", text: "still works" }]);
    } finally {
      await connection.close();
    }
    const warnings = diagnostics.filter((diagnostic) => diagnostic.level === "warn").map((d) => d.message);
    // Distinct lines shown once each, then one "further ones are counted" and one total at the end.
    expect(warnings.length).toBe(MAX_SHOWN_NOISE_LINES + 2);
    expect(warnings.filter((warning) => warning.includes("DEBUG polling"))).toHaveLength(1);
    expect(warnings.join("\n").length).toBeLessThan(4_000);
    expect(warnings.join("\n")).not.toContain("\u001b");
    expect(warnings.at(-1)).toContain("20000 lines");
  });
});
