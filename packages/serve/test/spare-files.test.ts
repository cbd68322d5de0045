import type { GeneratedFile } from "@mcp-execution/core";
// The real volume serve hands to the sandbox (a test-only edge: cli wires vfs into serve).
import { VirtualFileSystem } from "@mcp-execution/vfs";
import { describe, expect, it } from "vitest";
import { SpareFiles } from "../src/spare-files.js";

const QUOTA = 1024 * 1024;

function tree(): GeneratedFile[] {
  return [
    { path: "SKILL.md", contents: "# tools\n" },
    { path: "servers/math/get-sum.ts", contents: "export const getSum = 1;\n" },
  ];
}

function pool(maxSpare = 4) {
  const built: VirtualFileSystem[] = [];
  const spare = new SpareFiles<VirtualFileSystem>({
    build: (files, quotaBytes) => {
      const volume = VirtualFileSystem.withTools(files, { workspaceQuotaBytes: quotaBytes });
      built.push(volume);
      return volume;
    },
    maxSpare,
  });
  return { spare, built };
}

describe("SpareFiles", () => {
  it("hands a volume its run left clean to the next run instead of building another", () => {
    const { spare, built } = pool();
    const files = tree();
    const first = spare.take(files, QUOTA);
    expect(first.readFile("/mcp-tools/servers/math/get-sum.ts")).toContain("getSum");
    spare.give(files, first);
    expect(spare.size).toBe(1);
    expect(spare.take(files, QUOTA)).toBe(first);
    expect(built).toHaveLength(1);
    expect(spare.size).toBe(0);
  });

  it("never hands out a volume a run wrote to, not even an empty file", () => {
    const { spare, built } = pool();
    const files = tree();
    const used = spare.take(files, QUOTA);
    used.writeFile("/workspace/secret.txt", "");
    spare.give(files, used);
    expect(used.disposed).toBe(true);
    expect(spare.size).toBe(0);
    const next = spare.take(files, QUOTA);
    expect(next).not.toBe(used);
    expect(next.listFiles("/workspace")).toEqual([]);
    expect(built).toHaveLength(2);
  });

  it("checks again when handing out: a volume written to after it came back is dropped", () => {
    const { spare } = pool();
    const files = tree();
    const late = spare.take(files, QUOTA);
    spare.give(files, late);
    late.writeFile("/workspace/late.txt", "written after the run");
    const next = spare.take(files, QUOTA);
    expect(next).not.toBe(late);
    expect(late.disposed).toBe(true);
    expect(next.listFiles("/workspace")).toEqual([]);
  });

  it("hands out only volumes of the same tree and the same workspace quota", () => {
    const { spare } = pool();
    const files = tree();
    const volume = spare.take(files, QUOTA);
    spare.give(files, volume);
    const other = spare.take(tree(), QUOTA);
    expect(other).not.toBe(volume);
    const smaller = spare.take(files, 1024);
    expect(smaller).not.toBe(volume);
    expect(smaller.workspaceQuotaBytes).toBe(1024);
    expect(spare.take(files, QUOTA)).toBe(volume);
  });

  it("keeps at most maxSpare volumes and disposes the rest", () => {
    const { spare } = pool(1);
    const files = tree();
    const a = spare.take(files, QUOTA);
    const b = spare.take(files, QUOTA);
    spare.give(files, a);
    spare.give(files, b);
    expect(spare.size).toBe(1);
    expect([a.disposed, b.disposed]).toEqual([false, true]);
  });

  it("after clear(), disposes what it kept and refuses volumes of the tree it served before", () => {
    const { spare } = pool();
    const before = tree();
    const kept = spare.take(before, QUOTA);
    const inFlight = spare.take(before, QUOTA);
    spare.give(before, kept);
    spare.clear();
    expect(kept.disposed).toBe(true);
    spare.give(before, inFlight);
    expect(inFlight.disposed).toBe(true);
    expect(spare.size).toBe(0);
  });
});
