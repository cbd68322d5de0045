import type { ServerManifest, ToolDescriptor } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { ToolCatalog } from "../src/catalog.js";

function manifest(server: string, tools: ToolDescriptor[]): ServerManifest {
  return {
    server,
    serverInfo: { name: server, version: "1" },
    protocolVersion: "2025-06-18",
    capabilities: {},
    tools,
    fingerprint: { algorithm: "blake3", digest: "x", tools: {} },
  } as ServerManifest;
}

const tools = manifest("math", [
  {
    name: "get-sum",
    description: "Returns the sum of two numbers.\nSecond line is not part of the summary.",
    inputSchema: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
      required: ["a", "b"],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: "write_file",
    description: "Write text to a file at a path.",
    inputSchema: {
      type: "object",
      properties: { path: { type: "string" }, content: { type: "string" } },
      required: ["path"],
    },
  },
  {
    name: "constructor",
    description: "A tool whose name is an Object.prototype key.",
    inputSchema: { type: "object" },
  },
]);

describe("ToolCatalog", () => {
  const catalog = new ToolCatalog([
    tools,
    manifest("other", [
      {
        name: "sum-all",
        description: "Adds a list.",
        inputSchema: { type: "object", properties: { values: { type: "array", items: { type: "number" } } } },
      },
    ]),
  ]);

  it("ranks the tool whose name matches above one whose description does", () => {
    const hits = catalog.search("sum");
    expect(hits.map((hit) => hit.tool).slice(0, 2)).toEqual(["get-sum", "sum-all"]);
    expect(hits[0]).toMatchObject({
      server: "math",
      path: "servers/math/get-sum.ts",
      signature: "getSum(args: { a: number; b: number })",
      summary: "Returns the sum of two numbers.",
      readOnly: true,
    });
  });

  it("matches argument names and marks optional arguments", () => {
    const [hit] = catalog.search("content");
    expect(hit?.tool).toBe("write_file");
    expect(hit?.signature).toBe("writeFileTool(args: { path: string; content?: string })");
  });

  it("restricts to one server, lists everything for an empty query, and caps the hit count", () => {
    expect(catalog.search("sum", { server: "other" }).map((hit) => hit.tool)).toEqual(["sum-all"]);
    expect(catalog.search("").length).toBe(4);
    expect(catalog.search("", { limit: 1 }).length).toBe(1);
    expect(catalog.search("xylophone")).toEqual([]);
  });

  it("treats tool names as data: a tool named constructor is found like any other", () => {
    expect(catalog.search("constructor")[0]?.tool).toBe("constructor");
  });
});
