/**
 * Warnings that are true (issue 15 item 7): no "could not list resources" for a server that simply
 * has no templates; stderr kept from both ends; the variables the environment policy withheld from
 * a server that then failed are named (never their values).
 */
import { type Diagnostic, McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { connectServer } from "../src/index.js";
import { introspect } from "../src/introspect.js";
import { StderrTail } from "../src/stderr-tail.js";
import { fixtureConfig } from "./configs.js";

describe("warnings that are true", () => {
  it("a server without resources/templates/list lists its resources with no warning", async () => {
    const diagnostics: Diagnostic[] = [];
    const connection = await connectServer(fixtureConfig("no-templates"), { environment: process.env });
    try {
      const manifest = await introspect(connection, {
        diagnostics: (diagnostic) => diagnostics.push(diagnostic),
      });
      expect(manifest.resources?.map((resource) => resource.uri)).toEqual(["fixture://readme"]);
      expect(manifest.resourceTemplates).toEqual([]);
      expect(diagnostics.filter((diagnostic) => diagnostic.level === "warn")).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it("keeps the first lines of stderr as well as the last, and says how many fell between", () => {
    const tail = new StderrTail(400);
    tail.push("No access token was provided");
    for (let line = 0; line < 200; line++) tail.push(`noise ${line}`);
    tail.push("fatal: giving up");
    const text = tail.text();
    expect(text.startsWith("No access token was provided\n")).toBe(true);
    expect(text).toMatch(/… \(\d+ lines left out\) …/);
    expect(text.endsWith("fatal: giving up")).toBe(true);
    expect(text.length).toBeLessThan(500);
  });

  it("names the withheld variables a failed server mentions, never their values", async () => {
    const secret = "sk-withheld-value-123456";
    const error = await connectServer(fixtureConfig("crash", ["--crash-on-start"]), {
      environment: { ...process.env, FIXTURE_API_KEY: secret, UNRELATED_SETTING: "x" },
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(McpCliError);
    const message = (error as McpCliError).message;
    expect(message, message).toContain("FIXTURE_API_KEY is not set");
    expect(message).toMatch(/withheld from the server by mcp-cli's environment policy: FIXTURE_API_KEY/);
    expect(message).not.toContain("UNRELATED_SETTING");
    expect(message).not.toContain(secret);
  });
});
