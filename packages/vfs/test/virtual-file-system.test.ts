import { type ErrorCode, type GuestFileSystem, isMcpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
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

const TOOLS = [
  { path: "SKILL.md", contents: "---\nname: everything\n---\n" },
  { path: "servers/everything/index.ts", contents: 'export { echo } from "./echo.ts";\n' },
  { path: "servers/everything/echo.ts", contents: "export async function echo() {}\n" },
];

describe("VirtualFileSystem as the guest sees it", () => {
  it("implements GuestFileSystem: write, read, list", () => {
    const files: GuestFileSystem = new VirtualFileSystem();
    files.writeFile("/workspace/notes/today.txt", "héllo\n");
    expect(files.readFile("/workspace/notes/today.txt")).toBe("héllo\n");
    expect(files.listFiles("/workspace")).toEqual(["notes/"]);
    expect(files.listFiles("/workspace/notes")).toEqual(["today.txt"]);
    expect(files.listFiles("/")).toEqual(["mcp-tools/", "workspace/"]);
  });

  it("lists sorted names with a trailing slash on directories", () => {
    const vfs = VirtualFileSystem.withTools(TOOLS);
    expect(vfs.listFiles("/mcp-tools")).toEqual(["SKILL.md", "servers/"]);
    expect(vfs.listFiles("/mcp-tools/servers/everything")).toEqual(["echo.ts", "index.ts"]);
    expect(vfs.listTree("/mcp-tools")).toEqual([
      "/mcp-tools/SKILL.md",
      "/mcp-tools/servers/everything/echo.ts",
      "/mcp-tools/servers/everything/index.ts",
    ]);
  });

  it("normalizes every path it is given (backslashes, dots, doubled slashes)", () => {
    const vfs = new VirtualFileSystem();
    vfs.writeFile("\\workspace\\a\\.\\b.txt", "x");
    expect(vfs.readFile("/workspace//a/./b.txt")).toBe("x");
    expect(vfs.readFile("/workspace/a/c/../b.txt")).toBe("x");
    expect(vfs.exists("/workspace/a/b.txt")).toBe(true);
    expect(vfs.stat("/workspace/a")).toEqual({ kind: "directory", size: 0 });
    expect(vfs.stat("/workspace/a/b.txt")).toEqual({ kind: "file", size: 1 });
  });

  it("refuses traversal, relative paths and host paths before touching the volume", () => {
    const vfs = new VirtualFileSystem();
    for (const path of [
      "/workspace/../../../etc/passwd",
      "/etc/passwd",
      "/etc/hostname",
      "package.json",
      "../package.json",
      "/workspace/%2e%2e/%2e%2e/etc/passwd",
      "/workspace/..\\..\\etc\\passwd",
      "/workspace/a\u0000b",
    ]) {
      expect(
        codeOf(() => vfs.readFile(path)),
        path,
      ).toBe("PATH_INVALID");
      expect(
        codeOf(() => vfs.writeFile(path, "x")),
        path,
      ).toBe("PATH_INVALID");
      expect(
        codeOf(() => vfs.listFiles(path)),
        path,
      ).toBe("PATH_INVALID");
    }
    expect(vfs.listFiles("/workspace")).toEqual([]);
    expect(vfs.usage().workspaceEntries).toBe(0);
  });

  it("gives FILE_NOT_FOUND and PATH_INVALID for missing entries and wrong kinds", () => {
    const vfs = new VirtualFileSystem();
    vfs.writeFile("/workspace/file.txt", "x");
    expect(codeOf(() => vfs.readFile("/workspace/missing.txt"))).toBe("FILE_NOT_FOUND");
    expect(codeOf(() => vfs.listFiles("/workspace/missing"))).toBe("FILE_NOT_FOUND");
    expect(codeOf(() => vfs.stat("/workspace/missing"))).toBe("FILE_NOT_FOUND");
    expect(vfs.exists("/workspace/missing")).toBe(false);
    expect(vfs.exists("/workspace/file.txt/below")).toBe(false);
    expect(codeOf(() => vfs.readFile("/workspace"))).toBe("PATH_INVALID");
    expect(codeOf(() => vfs.listFiles("/workspace/file.txt"))).toBe("PATH_INVALID");
    expect(codeOf(() => vfs.writeFile("/workspace", "x"))).toBe("PATH_INVALID");
    expect(codeOf(() => vfs.writeFile("/", "x"))).toBe("PATH_INVALID");
    expect(codeOf(() => vfs.writeFile("/workspace/file.txt/below.txt", "x"))).toBe("PATH_INVALID");
    vfs.makeDirectory("/workspace/dir");
    expect(codeOf(() => vfs.writeFile("/workspace/dir", "x"))).toBe("PATH_INVALID");
    expect(codeOf(() => vfs.makeDirectory("/workspace/file.txt"))).toBe("FILE_EXISTS");
  });

  it("reads binary files as bytes and refuses them as text", () => {
    const vfs = new VirtualFileSystem();
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0xc3]);
    vfs.writeBytes("/workspace/blob.bin", bytes);
    expect(vfs.readBytes("/workspace/blob.bin")).toEqual(bytes);
    expect(codeOf(() => vfs.readFile("/workspace/blob.bin"))).toBe("UNSUPPORTED");
    // The volume keeps its own copy.
    bytes[0] = 0;
    expect(vfs.readBytes("/workspace/blob.bin")[0]).toBe(0xff);
  });

  it("refuses a non-string writeFile with a coded error", () => {
    const vfs = new VirtualFileSystem();
    expect(codeOf(() => vfs.writeFile("/workspace/x", { a: 1 } as unknown as string))).toBe("UNSUPPORTED");
  });
});

describe("/mcp-tools is read-only", () => {
  it("refuses every guest write, populated or not, sealed or not", () => {
    const empty = new VirtualFileSystem();
    expect(codeOf(() => empty.writeFile("/mcp-tools/x.ts", "x"))).toBe("READ_ONLY");
    const vfs = VirtualFileSystem.withTools(TOOLS);
    expect(vfs.sealed).toBe(true);
    expect(codeOf(() => vfs.writeFile("/mcp-tools/servers/everything/echo.ts", "evil"))).toBe("READ_ONLY");
    expect(codeOf(() => vfs.writeFile("/mcp-tools/new.ts", "evil"))).toBe("READ_ONLY");
    expect(codeOf(() => vfs.writeBytes("/mcp-tools/SKILL.md", new Uint8Array(1)))).toBe("READ_ONLY");
    expect(codeOf(() => vfs.makeDirectory("/mcp-tools/dir"))).toBe("READ_ONLY");
    expect(codeOf(() => vfs.remove("/mcp-tools/SKILL.md"))).toBe("READ_ONLY");
    expect(codeOf(() => vfs.writeFile("\\mcp-tools\\SKILL.md", "evil"))).toBe("READ_ONLY");
    // Reaching it from /workspace by traversal is a path error, not a way around the rule.
    expect(codeOf(() => vfs.writeFile("/workspace/../mcp-tools/SKILL.md", "evil"))).toBe("PATH_INVALID");
    expect(vfs.readFile("/mcp-tools/servers/everything/echo.ts")).toBe(TOOLS[2]?.contents);
    expect(vfs.listTree("/mcp-tools")).toHaveLength(3);
  });

  it("cannot be populated after seal()", () => {
    const vfs = new VirtualFileSystem();
    vfs.populateTools([{ path: "a.ts", contents: "a" }]);
    vfs.populateTools([{ path: "b.ts", contents: "b" }]);
    vfs.seal();
    vfs.seal();
    expect(codeOf(() => vfs.populateTools([{ path: "c.ts", contents: "c" }]))).toBe("READ_ONLY");
    expect(vfs.listFiles("/mcp-tools")).toEqual(["a.ts", "b.ts"]);
    expect(vfs.usage()).toMatchObject({ toolsBytes: 2, toolsEntries: 2, workspaceBytes: 0 });
  });

  it("checks the whole generated list before writing any of it", () => {
    const vfs = new VirtualFileSystem();
    const good = { path: "servers/x/a.ts", contents: "a" };
    expect(codeOf(() => vfs.populateTools([good, { path: "../escape.ts", contents: "x" }]))).toBe(
      "PATH_INVALID",
    );
    expect(codeOf(() => vfs.populateTools([good, { path: "/workspace/x.ts", contents: "x" }]))).toBe(
      "PATH_INVALID",
    );
    expect(codeOf(() => vfs.populateTools([good, { path: "servers/x/./a.ts", contents: "x" }]))).toBe(
      "FILE_EXISTS",
    );
    expect(codeOf(() => vfs.populateTools([good, { path: "servers/x/a.ts/b.ts", contents: "x" }]))).toBe(
      "PATH_INVALID",
    );
    expect(codeOf(() => vfs.populateTools([good, { path: "servers", contents: "x" }]))).toBe("PATH_INVALID");
    expect(vfs.listFiles("/mcp-tools")).toEqual([]);
    vfs.populateTools([good]);
    expect(codeOf(() => vfs.populateTools([good]))).toBe("FILE_EXISTS");
  });
});

describe("/workspace quota", () => {
  it("accepts a write that fills the quota exactly and refuses one byte more", () => {
    const vfs = new VirtualFileSystem({ workspaceQuotaBytes: 100 });
    vfs.writeFile("/workspace/full.txt", "x".repeat(100));
    expect(vfs.usage()).toMatchObject({ workspaceBytes: 100, workspaceQuotaBytes: 100 });
    expect(codeOf(() => vfs.writeFile("/workspace/one-more.txt", "y"))).toBe("LIMIT_STORAGE");
    expect(vfs.exists("/workspace/one-more.txt")).toBe(false);
    // An empty file costs no bytes, only an entry.
    vfs.writeFile("/workspace/empty.txt", "");
    expect(vfs.usage().workspaceBytes).toBe(100);
  });

  it("refuses an overwrite that grows past the quota and keeps the old contents", () => {
    const vfs = new VirtualFileSystem({ workspaceQuotaBytes: 100 });
    vfs.writeFile("/workspace/a.txt", "a".repeat(100));
    let error: unknown;
    try {
      vfs.writeFile("/workspace/a.txt", "b".repeat(101));
    } catch (caught) {
      error = caught;
    }
    expect(isMcpCliError(error, "LIMIT_STORAGE")).toBe(true);
    expect((error as Error).message).toMatch(/101 bytes of the 100-byte workspace quota \(100 in use\)/);
    expect(vfs.readFile("/workspace/a.txt")).toBe("a".repeat(100));
    expect(vfs.usage().workspaceBytes).toBe(100);
  });

  it("gives bytes back on an overwrite that shrinks and on remove", () => {
    const vfs = new VirtualFileSystem({ workspaceQuotaBytes: 100 });
    vfs.writeFile("/workspace/a.txt", "a".repeat(100));
    vfs.writeFile("/workspace/a.txt", "a".repeat(40));
    expect(vfs.usage().workspaceBytes).toBe(40);
    vfs.writeFile("/workspace/b.txt", "b".repeat(60));
    expect(vfs.usage().workspaceBytes).toBe(100);
    expect(codeOf(() => vfs.writeFile("/workspace/c.txt", "c"))).toBe("LIMIT_STORAGE");
    vfs.remove("/workspace/b.txt");
    expect(vfs.usage()).toMatchObject({ workspaceBytes: 40, workspaceEntries: 1 });
    vfs.writeFile("/workspace/c.txt", "c".repeat(60));
    expect(vfs.usage().workspaceBytes).toBe(100);
  });

  it("counts UTF-8 bytes, not characters", () => {
    const vfs = new VirtualFileSystem({ workspaceQuotaBytes: 10 });
    vfs.writeFile("/workspace/e.txt", "\u00e9".repeat(5));
    expect(vfs.usage().workspaceBytes).toBe(10);
    expect(codeOf(() => vfs.writeFile("/workspace/e.txt", "\u00e9".repeat(6)))).toBe("LIMIT_STORAGE");
  });

  it("stops many small files at exactly the quota", () => {
    const vfs = new VirtualFileSystem({ workspaceQuotaBytes: 1000 });
    let written = 0;
    let error: unknown;
    for (let i = 0; i < 200; i++) {
      try {
        vfs.writeFile(`/workspace/small/${String(i).padStart(3, "0")}.txt`, "0123456789");
        written++;
      } catch (caught) {
        error = caught;
        break;
      }
    }
    expect(written).toBe(100);
    expect(isMcpCliError(error, "LIMIT_STORAGE")).toBe(true);
    expect(vfs.usage().workspaceBytes).toBe(1000);
    expect(vfs.listFiles("/workspace/small")).toHaveLength(100);
  });

  it("limits files plus directories, and a refused write creates no directories", () => {
    const vfs = new VirtualFileSystem({ workspaceMaxEntries: 5 });
    vfs.writeFile("/workspace/a/b/c/d/e.txt", "x");
    expect(vfs.usage().workspaceEntries).toBe(5);
    expect(codeOf(() => vfs.writeFile("/workspace/x/y.txt", "x"))).toBe("LIMIT_STORAGE");
    expect(codeOf(() => vfs.makeDirectory("/workspace/x"))).toBe("LIMIT_STORAGE");
    expect(vfs.exists("/workspace/x")).toBe(false);
    // Overwriting an existing file adds no entry.
    vfs.writeFile("/workspace/a/b/c/d/e.txt", "yy");
    vfs.remove("/workspace/a/b/c/d/e.txt");
    vfs.remove("/workspace/a/b/c/d");
    expect(codeOf(() => vfs.remove("/workspace/a"))).toBe("PATH_INVALID");
    expect(vfs.usage()).toMatchObject({ workspaceEntries: 3, workspaceBytes: 0 });
  });

  it("a zero quota allows empty files only", () => {
    const vfs = new VirtualFileSystem({ workspaceQuotaBytes: 0 });
    vfs.writeFile("/workspace/empty", "");
    expect(codeOf(() => vfs.writeFile("/workspace/x", "x"))).toBe("LIMIT_STORAGE");
  });

  it("refuses invalid limits with USAGE", () => {
    expect(codeOf(() => new VirtualFileSystem({ workspaceQuotaBytes: -1 }))).toBe("USAGE");
    expect(codeOf(() => new VirtualFileSystem({ workspaceMaxEntries: 1.5 }))).toBe("USAGE");
    expect(codeOf(() => new VirtualFileSystem({ workspaceQuotaBytes: Number.NaN }))).toBe("USAGE");
  });
});

describe("many files", () => {
  it("holds 3,000 files across directories and lists them sorted", () => {
    const vfs = new VirtualFileSystem();
    const expected: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const path = `/workspace/d${i % 30}/f${i}.txt`;
      vfs.writeFile(path, `file ${i}`);
      expected.push(path);
    }
    expect(vfs.usage().workspaceEntries).toBe(3030);
    expect(vfs.listTree("/workspace")).toEqual(expected.sort());
    expect(vfs.listFiles("/workspace/d7")).toHaveLength(100);
  });
});

describe("disposal", () => {
  it("is idempotent and makes later use a DISPOSED error", () => {
    const vfs = new VirtualFileSystem();
    vfs.writeFile("/workspace/a", "a");
    vfs.dispose();
    vfs.dispose();
    expect(vfs.disposed).toBe(true);
    expect(codeOf(() => vfs.readFile("/workspace/a"))).toBe("DISPOSED");
    expect(codeOf(() => vfs.writeFile("/workspace/b", "b"))).toBe("DISPOSED");
    expect(codeOf(() => vfs.listFiles("/"))).toBe("DISPOSED");
    expect(codeOf(() => vfs.snapshot())).toBe("DISPOSED");
  });

  it("works with `using`", () => {
    let outer: VirtualFileSystem | undefined;
    {
      using vfs = new VirtualFileSystem();
      outer = vfs;
      vfs.writeFile("/workspace/a", "a");
    }
    expect(outer.disposed).toBe(true);
  });
});
