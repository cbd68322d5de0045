import { diffFingerprints, type ToolDescriptor } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { computeFingerprint } from "../src/fingerprint.js";

const echo: ToolDescriptor = {
  name: "echo",
  description: "Echoes",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  annotations: { readOnlyHint: true },
};
const sum: ToolDescriptor = {
  name: "sum",
  inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
};

describe("computeFingerprint", () => {
  it("is a blake3 hex digest with one digest per tool", async () => {
    const fingerprint = await computeFingerprint([echo, sum]);
    expect(fingerprint.algorithm).toBe("blake3");
    expect(fingerprint.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(fingerprint.tools).sort()).toEqual(["echo", "sum"]);
    for (const digest of Object.values(fingerprint.tools)) expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not depend on tool order or key order", async () => {
    const reordered: ToolDescriptor = {
      annotations: { readOnlyHint: true },
      inputSchema: { required: ["message"], properties: { message: { type: "string" } }, type: "object" },
      description: "Echoes",
      name: "echo",
    };
    expect(await computeFingerprint([echo, sum])).toEqual(await computeFingerprint([sum, reordered]));
  });

  it("changes with a description, a schema or an annotation, and names the changed tool", async () => {
    const before = await computeFingerprint([echo, sum]);
    for (const changed of [
      { ...echo, description: "Echoes back" },
      { ...echo, inputSchema: { type: "object", properties: { message: { type: "number" } } } },
      { ...echo, annotations: { readOnlyHint: false } },
    ]) {
      const after = await computeFingerprint([changed, sum]);
      expect(after.digest).not.toBe(before.digest);
      expect(diffFingerprints(before, after)).toEqual({ added: [], removed: [], changed: ["echo"] });
    }
  });

  it("reports added and removed tools", async () => {
    const before = await computeFingerprint([echo]);
    const after = await computeFingerprint([sum]);
    expect(diffFingerprints(before, after)).toEqual({ added: ["sum"], removed: ["echo"], changed: [] });
  });
});
