/** Manifests of real servers: server-everything and the paging / changing fixtures. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffFingerprints, McpCliError, type ServerManifest } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually } from "../../../test/fixtures/servers/harness.mjs";
import { computeFingerprint } from "../src/fingerprint.js";
import { connectServer } from "../src/index.js";
import { introspect } from "../src/introspect.js";
import { everythingStdio, fixtureConfig } from "./configs.js";

const environment = process.env;

async function manifestOf(config: Parameters<typeof connectServer>[0]): Promise<ServerManifest> {
  const connection = await connectServer(config, { environment });
  try {
    return await introspect(connection);
  } finally {
    await connection.close();
  }
}

afterAll(async () => {
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

describe("introspect", () => {
  it("describes server-everything: info, tools with schemas and annotations, resources, prompts", async () => {
    const manifest = await manifestOf(everythingStdio());
    expect(manifest.server).toBe("everything");
    expect(manifest.serverInfo.name).toBe("mcp-servers/everything");
    expect(manifest.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(manifest.instructions).toBeTruthy();
    const names = manifest.tools.map((tool) => tool.name);
    expect(names).toContain("echo");
    expect(names).toContain("get-sum");
    const echo = manifest.tools.find((tool) => tool.name === "echo");
    expect(echo).toMatchObject({
      title: "Echo Tool",
      description: "Echoes back the input string",
      inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
      annotations: { readOnlyHint: true },
    });
    const structured = manifest.tools.find((tool) => tool.name === "get-structured-content");
    expect(structured?.outputSchema).toMatchObject({ type: "object" });
    expect(manifest.resources?.length).toBeGreaterThan(0);
    expect(manifest.resourceTemplates?.length).toBeGreaterThan(0);
    expect(manifest.prompts?.length).toBeGreaterThan(0);
    expect(manifest.fingerprint).toEqual(await computeFingerprint(manifest.tools));
    // The manifest is plain JSON.
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });

  it("follows nextCursor for tools, resources and prompts, and resolves $refs", async () => {
    const manifest = await manifestOf(fixtureConfig("paged"));
    expect(manifest.tools.map((tool) => tool.name)).toEqual([
      "create-user",
      "tree",
      "pair",
      "plain",
      "fifth",
    ]);
    expect(manifest.instructions).toBe("Use the tools in order.");
    expect(manifest.resources).toEqual([
      { uri: "fixture://one", name: "one", mimeType: "text/plain" },
      { uri: "fixture://two", name: "two", description: "The second" },
    ]);
    expect(manifest.resourceTemplates).toEqual([{ uriTemplate: "fixture://item/{id}", name: "item" }]);
    expect(manifest.prompts).toEqual([
      { name: "greet", description: "Greets", arguments: [{ name: "who", required: true }] },
      { name: "bye" },
    ]);
    const user = {
      type: "object",
      properties: {
        name: { type: "string" },
        address: { type: "object", properties: { city: { type: "string" } } },
      },
      required: ["name"],
    };
    expect(manifest.tools[0]?.inputSchema).toEqual({
      type: "object",
      properties: { user, manager: { ...user, description: "The user's manager" } },
      required: ["user"],
    });
    const node = {
      type: "object",
      properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
      required: ["value"],
    };
    expect(manifest.tools[1]?.inputSchema).toEqual({
      type: "object",
      properties: { root: node },
      required: ["root"],
      $defs: { Node: node },
    });
    expect(manifest.tools[1]?.annotations).toEqual({ readOnlyHint: true });
    expect(manifest.tools[3]).toMatchObject({
      title: "Plain tool",
      outputSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
    });
  });

  it("stops a server that repeats its cursor with PROTOCOL_ERROR", async () => {
    const connection = await connectServer(fixtureConfig("paged", ["--repeat-cursor"]), { environment });
    try {
      await introspect(connection);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(McpCliError);
      expect((error as McpCliError).code).toBe("PROTOCOL_ERROR");
      expect((error as McpCliError).message).toContain("same tools/list cursor twice");
    } finally {
      await connection.close();
    }
  });

  it("gives the same fingerprint twice for an unchanged server and a precise diff when tools change", async () => {
    const again = await manifestOf(fixtureConfig("paged"));
    expect((await manifestOf(fixtureConfig("paged"))).fingerprint).toEqual(again.fingerprint);

    const directory = mkdtempSync(join(tmpdir(), "introspect-"));
    try {
      const config = fixtureConfig("changing-tools", ["--state", join(directory, "generation")]);
      const first = await manifestOf(config);
      const second = await manifestOf(config);
      expect(first.serverInfo.version).toBe("1.0.1");
      expect(second.serverInfo.version).toBe("1.0.2");
      expect(second.fingerprint.digest).not.toBe(first.fingerprint.digest);
      expect(diffFingerprints(first.fingerprint, second.fingerprint)).toEqual({
        added: ["beta"],
        removed: [],
        changed: ["alpha"],
      });
      expect(second.fingerprint.tools.stable).toBe(first.fingerprint.tools.stable);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
