/**
 * Secrets never appear in what the client prints: undici's own messages about a URL with
 * credentials, and the Redactor itself. Hostile servers that echo credentials into their error
 * answers or their stderr are in redact.e2e.test.ts.
 */
import { MASK, McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { connectServer } from "../src/index.js";
import { Redactor, redactorFor } from "../src/redact.js";
import { remoteConfig } from "./configs.js";
import { printable } from "./error-text.js";
import { failure } from "./outcomes.js";

describe("redaction", () => {
  it("masks URL credentials that undici quotes when it refuses such a URL", async () => {
    const config = remoteConfig("creds", "http://alice:pw-77c1e0aa9@127.0.0.1:9/mcp", "streamable-http");
    const error = await failure(connectServer(config, {}));
    expect(error.code).toBe("CONNECT_FAILED");
    const shown = printable(error);
    expect(shown).not.toContain("pw-77c1e0aa9");
    expect(shown).not.toContain("alice:");
  });
});

describe("Redactor", () => {
  it("masks every spelling of a value, longest first, and leaves short values alone", () => {
    const redactor = new Redactor(["p@ss word/x", "p@ss", "on"]);
    expect(redactor.text("a p@ss word/x b")).toBe(`a ${MASK} b`);
    expect(redactor.text(`url ${encodeURIComponent("p@ss word/x")}`)).toBe(`url ${MASK}`);
    expect(redactor.text("form p%40ss+word%2Fx")).toBe(`form ${MASK}`);
    expect(redactor.text("turn on")).toBe("turn on");
  });

  it("masks Basic credentials derived from the URL, and each word of a header value", () => {
    const redactor = redactorFor(
      remoteConfig("basic", "https://bob:hunter22@example.com/mcp", "auto", {
        headers: { Authorization: "Token abcd-1234" },
      }),
    );
    const basic = Buffer.from("bob:hunter22").toString("base64");
    expect(redactor.text(`Authorization: Basic ${basic}`)).toBe(`Authorization: Basic ${MASK}`);
    expect(redactor.text("got abcd-1234")).toBe(`got ${MASK}`);
    expect(redactor.text("use a Token header")).toBe("use a Token header");
  });

  it("bounds a huge message after masking, so no half secret survives the cut", () => {
    const secret = "s".repeat(10) + "SECRET";
    const redactor = new Redactor([secret]);
    const text = `${"x".repeat(4_090)}${secret}${"y".repeat(1_000_000)}`;
    const error = redactor.error(new McpCliError("PROTOCOL_ERROR", text, { details: { body: text } }));
    expect(error.message.length).toBeLessThan(4_200);
    expect(error.message).not.toContain("SECRET");
    expect(error.message).toContain("more characters cut");
    expect(JSON.stringify(error.details).length).toBeLessThan(70_000);
  });
});
