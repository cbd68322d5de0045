import { type ErrorCode, isMcpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { parseVfsSnapshot, VFS_SNAPSHOT_FORMAT, type VfsSnapshot } from "../src/snapshot.js";
import { VirtualFileSystem } from "../src/virtual-file-system.js";

function codeOf(action: () => unknown): ErrorCode | "none" {
  try {
    action();
  } catch (error) {
    if (isMcpCliError(error)) return error.code;
    throw error;
  }
  return "none";
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const INVALID_UTF8 = new Uint8Array([0x61, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]);
const BOM_TEXT = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]);

function fill(vfs: VirtualFileSystem): void {
  vfs.populateTools([
    { path: "SKILL.md", contents: "---\nname: x\n---\r\nline\u2028sep \u{1f600}\n" },
    { path: "servers/x/index.ts", contents: "export {};\n" },
  ]);
  vfs.seal();
  vfs.writeBytes("/workspace/all-bytes.bin", ALL_BYTES);
  vfs.writeBytes("/workspace/invalid-utf8.txt", INVALID_UTF8);
  vfs.writeBytes("/workspace/bom.txt", BOM_TEXT);
  vfs.writeFile("/workspace/empty.txt", "");
  vfs.writeFile("/workspace/ünï cödé/名前.txt", "名前\n");
  vfs.makeDirectory("/workspace/empty-dir/nested-empty");
}

function roundTrip(snapshot: VfsSnapshot): VirtualFileSystem {
  return VirtualFileSystem.fromSnapshot(JSON.parse(JSON.stringify(snapshot)));
}

describe("snapshot round trip", () => {
  it("restores text and binary files byte for byte through JSON", () => {
    const original = new VirtualFileSystem();
    fill(original);
    const copy = roundTrip(original.snapshot());
    expect(copy.readBytes("/workspace/all-bytes.bin")).toEqual(ALL_BYTES);
    expect(copy.readBytes("/workspace/invalid-utf8.txt")).toEqual(INVALID_UTF8);
    expect(copy.readBytes("/workspace/bom.txt")).toEqual(BOM_TEXT);
    expect(copy.readFile("/workspace/empty.txt")).toBe("");
    expect(copy.readFile("/workspace/ünï cödé/名前.txt")).toBe("名前\n");
    expect(copy.readFile("/mcp-tools/SKILL.md")).toBe("---\nname: x\n---\r\nline\u2028sep \u{1f600}\n");
    expect(copy.listFiles("/workspace/empty-dir")).toEqual(["nested-empty/"]);
    expect(copy.sealed).toBe(true);
    expect(codeOf(() => copy.populateTools([{ path: "y.ts", contents: "" }]))).toBe("READ_ONLY");
    expect(copy.usage()).toEqual(original.usage());
    expect(JSON.stringify(copy.snapshot())).toBe(JSON.stringify(original.snapshot()));
  });

  it("stores valid UTF-8 (a BOM included) as text and anything else as base64", () => {
    const vfs = new VirtualFileSystem();
    fill(vfs);
    const byPath = new Map(vfs.snapshot().entries.map((entry) => [entry.path, entry]));
    expect(byPath.get("/workspace/all-bytes.bin")).toEqual({
      path: "/workspace/all-bytes.bin",
      type: "file",
      encoding: "base64",
      data: Buffer.from(ALL_BYTES).toString("base64"),
    });
    expect(byPath.get("/workspace/invalid-utf8.txt")).toMatchObject({ encoding: "base64" });
    expect(byPath.get("/workspace/bom.txt")).toMatchObject({ encoding: "utf8", data: "\ufeffhi" });
    expect(byPath.get("/workspace/empty-dir")).toBeUndefined();
    expect(byPath.get("/workspace/empty-dir/nested-empty")).toEqual({
      path: "/workspace/empty-dir/nested-empty",
      type: "directory",
    });
  });

  it("is sorted and deterministic whatever order files were written in", () => {
    const paths = [
      "/workspace/b/z.txt",
      "/workspace/a.txt",
      "/workspace/B.txt",
      "/workspace/b/a.txt",
      "/workspace/a-b",
    ];
    const forward = new VirtualFileSystem();
    const backward = new VirtualFileSystem();
    for (const path of paths) forward.writeFile(path, path);
    for (const path of [...paths].reverse()) backward.writeFile(path, path);
    const snapshot = forward.snapshot();
    expect(JSON.stringify(snapshot)).toBe(JSON.stringify(backward.snapshot()));
    expect(snapshot.entries.map((entry) => entry.path)).toEqual([
      "/workspace/B.txt",
      "/workspace/a-b",
      "/workspace/a.txt",
      "/workspace/b/a.txt",
      "/workspace/b/z.txt",
    ]);
    expect(Object.keys(snapshot)).toEqual(["format", "version", "sealed", "entries"]);
    expect(snapshot).toMatchObject({ format: VFS_SNAPSHOT_FORMAT, version: 1, sealed: false });
  });

  it("can hold one area only", () => {
    const vfs = new VirtualFileSystem();
    fill(vfs);
    const tools = vfs.snapshot({ area: "mcp-tools" });
    expect(tools.entries.map((entry) => entry.path)).toEqual([
      "/mcp-tools/SKILL.md",
      "/mcp-tools/servers/x/index.ts",
    ]);
    const copy = VirtualFileSystem.fromSnapshot(tools);
    expect(copy.listFiles("/workspace")).toEqual([]);
    expect(copy.readFile("/mcp-tools/servers/x/index.ts")).toBe("export {};\n");
  });

  it("round-trips 2,000 files", () => {
    const vfs = new VirtualFileSystem();
    for (let i = 0; i < 2000; i++) vfs.writeFile(`/workspace/d${i % 20}/f${i}.txt`, `contents ${i}`);
    const copy = roundTrip(vfs.snapshot());
    expect(copy.listTree("/workspace")).toEqual(vfs.listTree("/workspace"));
    expect(copy.readFile("/workspace/d7/f1307.txt")).toBe("contents 1307");
  });

  it("applies the workspace quota of the volume it restores into", () => {
    const vfs = new VirtualFileSystem();
    vfs.writeFile("/workspace/big.txt", "x".repeat(1000));
    const snapshot = vfs.snapshot();
    expect(codeOf(() => VirtualFileSystem.fromSnapshot(snapshot, { workspaceQuotaBytes: 999 }))).toBe(
      "LIMIT_STORAGE",
    );
    expect(
      VirtualFileSystem.fromSnapshot(snapshot, { workspaceQuotaBytes: 1000 }).usage().workspaceBytes,
    ).toBe(1000);
  });
});

describe("parseVfsSnapshot refuses malformed snapshots", () => {
  const base = { format: VFS_SNAPSHOT_FORMAT, version: 1, sealed: false };
  const file = (path: string, data = "x") => ({ path, type: "file", encoding: "utf8", data });

  it.each<[string, unknown, ErrorCode]>([
    ["not an object", [], "SNAPSHOT_INVALID"],
    ["wrong format", { ...base, format: "other", entries: [] }, "SNAPSHOT_INVALID"],
    ["unknown version", { ...base, version: 2, entries: [] }, "SNAPSHOT_INVALID"],
    ["missing sealed", { format: VFS_SNAPSHOT_FORMAT, version: 1, entries: [] }, "SNAPSHOT_INVALID"],
    ["unknown top-level key", { ...base, entries: [], extra: 1 }, "SNAPSHOT_INVALID"],
    ["entries not an array", { ...base, entries: {} }, "SNAPSHOT_INVALID"],
    ["unsorted", { ...base, entries: [file("/workspace/b"), file("/workspace/a")] }, "SNAPSHOT_INVALID"],
    ["duplicate", { ...base, entries: [file("/workspace/a"), file("/workspace/a")] }, "SNAPSHOT_INVALID"],
    ["non-canonical path", { ...base, entries: [file("/workspace/./a")] }, "SNAPSHOT_INVALID"],
    ["area root as a file", { ...base, entries: [file("/workspace")] }, "SNAPSHOT_INVALID"],
    ["traversal", { ...base, entries: [file("/workspace/../etc/passwd")] }, "PATH_INVALID"],
    ["host path", { ...base, entries: [file("/etc/passwd")] }, "PATH_INVALID"],
    ["encoded traversal", { ...base, entries: [file("/workspace/%2e%2e/x")] }, "PATH_INVALID"],
    ["relative path", { ...base, entries: [file("workspace/a")] }, "PATH_INVALID"],
    [
      "symlink",
      { ...base, entries: [{ path: "/workspace/link", type: "symlink", target: "/etc/passwd" }] },
      "PATH_INVALID",
    ],
    ["unknown type", { ...base, entries: [{ path: "/workspace/x", type: "fifo" }] }, "SNAPSHOT_INVALID"],
    [
      "bad base64",
      { ...base, entries: [{ path: "/workspace/x", type: "file", encoding: "base64", data: "a$==" }] },
      "SNAPSHOT_INVALID",
    ],
    [
      "unknown encoding",
      { ...base, entries: [{ path: "/workspace/x", type: "file", encoding: "hex", data: "00" }] },
      "SNAPSHOT_INVALID",
    ],
    [
      "unknown entry key",
      { ...base, entries: [{ ...file("/workspace/x"), mode: 0o777 }] },
      "SNAPSHOT_INVALID",
    ],
  ])("%s", (_name, value, code) => {
    expect(codeOf(() => parseVfsSnapshot(value))).toBe(code);
    expect(codeOf(() => VirtualFileSystem.fromSnapshot(value))).toBe(code);
  });

  it("refuses a file below another file when restoring", () => {
    const value = { ...base, entries: [file("/workspace/a"), file("/workspace/a/b")] };
    expect(codeOf(() => VirtualFileSystem.fromSnapshot(value))).toBe("PATH_INVALID");
  });

  it("says which version it reads", () => {
    expect(() => parseVfsSnapshot({ ...base, version: 9, entries: [] })).toThrow(
      /version 9 is not supported; this version of mcp-cli reads version 1/,
    );
  });
});
