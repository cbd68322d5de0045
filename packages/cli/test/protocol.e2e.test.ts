/**
 * The MCP protocol commands and output of issue 13, with the built CLI against real servers:
 * `resource read`, `prompt get`, `--protocol` and the era in `introspect`, and `call` results
 * that keep every block without printing the payload more than once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, EVERYTHING_BIN, parseDocument, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        eras: fixtureCommand("two-eras"),
        "modern-only": { ...fixtureCommand("two-eras", "--legacy", "reject") },
        "pinned-legacy": { ...fixtureCommand("two-eras"), protocol: "legacy" },
      },
    }),
  );
});
afterAll(() => sandbox.remove());

describe("resource read", () => {
  it("prints a text resource, and binary ones as base64 with --json", async () => {
    const text = await runCli(sandbox, ["resource", "read", "eras", "fixture://text"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe("hello from a resource\n");
    const binary = await runCli(sandbox, ["resource", "read", "eras", "fixture://binary"]);
    expect(binary.stdout).toMatch(/^\[binary image\/png, \d+ bytes\] fixture:\/\/binary$/m);
    const json = parseDocument(
      await runCli(sandbox, ["resource", "read", "eras", "fixture://binary", "--json"]),
    );
    expect(json).toMatchObject({ ok: true, server: "eras", uri: "fixture://binary" });
    const contents = (json as { contents: { mimeType: string; blob: string }[] }).contents;
    expect(contents[0]?.mimeType).toBe("image/png");
    expect(
      Buffer.from(contents[0]?.blob ?? "", "base64")
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
  });

  it("an unknown resource is the server's error as PROTOCOL_ERROR, never a crash", async () => {
    const result = await runCli(sandbox, ["resource", "read", "eras", "fixture://missing", "--json"]);
    expect(result.code).not.toBe(0);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "PROTOCOL_ERROR" } });
  });

  it("a missing uri is USAGE (exit 1)", async () => {
    const result = await runCli(sandbox, ["resource", "read", "eras", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
  });
});

describe("prompt get", () => {
  it("fills in key=value arguments and prints the messages", async () => {
    const result = await runCli(sandbox, ["prompt", "get", "eras", "greet", "name=Ada"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("user: Say hello to Ada\n");
    const json = parseDocument(
      await runCli(sandbox, ["prompt", "get", "eras", "greet", "name=Ada", "--json"]),
    );
    expect(json).toMatchObject({
      ok: true,
      prompt: "greet",
      messages: [{ role: "user", content: { type: "text", text: "Say hello to Ada" } }],
    });
  });

  it("a pair without = is USAGE (exit 1)", async () => {
    const result = await runCli(sandbox, ["prompt", "get", "eras", "greet", "Ada", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
  });
});

describe("protocol eras", () => {
  it("introspect shows the era and revision; --protocol and the protocol key pin it", async () => {
    const auto = await runCli(sandbox, ["introspect", "eras"]);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toMatch(/protocol:\s+2026-07-28 \(modern era\) over stdio/);
    const legacy = parseDocument(
      await runCli(sandbox, ["introspect", "eras", "--protocol", "legacy", "--json"]),
    );
    expect(legacy).toMatchObject({ manifest: { protocolEra: "legacy" } });
    const pinned = parseDocument(await runCli(sandbox, ["introspect", "pinned-legacy", "--json"]));
    expect(pinned).toMatchObject({ manifest: { protocolEra: "legacy" } });
    const everything = parseDocument(await runCli(sandbox, ["introspect", "everything", "--json"]));
    expect(everything).toMatchObject({ manifest: { protocolEra: "legacy" } });
  });

  it("a server that refuses 2025 clients, pinned to legacy: exit 3, CONNECT_FAILED", async () => {
    const result = await runCli(sandbox, ["call", "modern-only", "era", "--protocol", "legacy", "--json"]);
    expect(result.code).toBe(3);
    expect(parseDocument(result)).toMatchObject({ error: { code: "CONNECT_FAILED" } });
    const auto = parseDocument(await runCli(sandbox, ["call", "modern-only", "era", "--json"]));
    expect(auto).toMatchObject({ ok: true, result: "modern" });
  });

  it("an unknown --protocol value is a usage error", async () => {
    const result = await runCli(sandbox, ["introspect", "eras", "--protocol", "newest"]);
    expect(result.code).toBe(1);
  });
});

describe("call results keep everything, once", () => {
  it("--json prints structured content once: no content or structuredContent copies", async () => {
    const document = parseDocument(await runCli(sandbox, ["call", "eras", "echo", "text=hi", "--json"]));
    expect(document).toEqual({
      ok: true,
      server: "eras",
      tool: "echo",
      result: { text: "hi" },
      durationMs: expect.any(Number),
    });
  });

  it("prints every block of a mixed result: text, image, audio, resource link, embedded resource", async () => {
    const result = await runCli(sandbox, ["call", "eras", "mixed"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split("\n").filter((line) => line !== "")).toEqual([
      "a picture and a sound",
      expect.stringMatching(/^\[image image\/png, \d+ bytes\]$/),
      expect.stringMatching(/^\[audio audio\/wav, \d+ bytes\]$/),
      "[resource link] fixture://text (text)",
      "[resource] fixture://inline",
      "inline text",
    ]);
    const document = parseDocument(await runCli(sandbox, ["call", "eras", "mixed", "--json"]));
    expect((document as { result: { type: string }[] }).result.map((block) => block.type)).toEqual([
      "text",
      "image",
      "audio",
      "resource_link",
      "resource",
    ]);
    expect(document).not.toHaveProperty("content");
  });

  it("declines a server's request for input when nobody can answer, and says so", async () => {
    const result = await runCli(sandbox, ["call", "eras", "ask"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("declined\n");
    expect(result.stderr).toContain("declined the server's request for input");
  });

  it("offers the project folder as the root, or the folders in MCP_CLI_ROOTS", async () => {
    const project = parseDocument(await runCli(sandbox, ["call", "eras", "roots", "--json"]));
    const roots = (project as { result: { uri: string; name?: string }[] }).result;
    expect(roots).toHaveLength(1);
    expect(roots[0]?.name).toBe("project");
    expect(roots[0]?.uri).toMatch(/^file:\/\/\/.*work$/);
    const configured = parseDocument(
      await runCli(sandbox, ["call", "eras", "roots", "--json"], { env: { MCP_CLI_ROOTS: "/srv/a:/srv/b" } }),
    );
    expect((configured as { result: unknown }).result).toEqual([
      { uri: "file:///srv/a" },
      { uri: "file:///srv/b" },
    ]);
  });
});
