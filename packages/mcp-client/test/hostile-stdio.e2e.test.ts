/**
 * Hostile stdio servers: one that floods stdout with garbage gets a bounded, deduplicated warning.
 */
import { type Diagnostic, McpCliError } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually } from "../../../test/fixtures/servers/harness.mjs";
import { connectServer } from "../src/index.js";
import { MAX_SHOWN_NOISE_LINES } from "../src/stdout-noise.js";
import { fixtureConfig, stdioConfig } from "./configs.js";

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

describe("a server whose answer is larger than its maxResponseBytes", () => {
  it("closes the connection with LIMIT_SIZE, the limit taken from the configuration", async () => {
    const connection = await connectServer(fixtureConfig("big", [], { maxResponseBytes: 500_000 }), {
      environment: process.env,
    });
    let error: unknown;
    try {
      await connection.callTool("big", { bytes: 1_000_000 });
    } catch (caught) {
      error = caught;
    } finally {
      await connection.close();
    }
    expect(error).toBeInstanceOf(McpCliError);
    expect((error as McpCliError).code).toBe("LIMIT_SIZE");
    expect((error as McpCliError).details).toMatchObject({ server: "big", limitBytes: 500_000 });
  });
});

describe("a server that exits at once", () => {
  it("is CONNECT_FAILED with its stderr even when it is gone before the first request is written (regression)", async () => {
    // sh exits within a millisecond, before the client writes initialize: under load the Node
    // server of redact.e2e.test.ts did the same, and the write failure surfaced as CONNECTION_CLOSED.
    const config = stdioConfig("quick", "/bin/sh", ["-c", "echo 'no such module' >&2; exit 3"]);
    for (let attempt = 0; attempt < 5; attempt++) {
      const error = await connectServer(config, { environment: process.env }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(McpCliError);
      expect((error as McpCliError).code).toBe("CONNECT_FAILED");
      expect((error as McpCliError).message).toContain("no such module");
    }
  });
});
