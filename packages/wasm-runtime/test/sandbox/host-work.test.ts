/**
 * Issue 19: what the host does on the guest's behalf is bounded too. Each case is an attack
 * that used to escape a limit: a transpile that never ends, a huge script, a huge error, a guest
 * posing as the host, one deep argument taking a batch down, a state that bricks its session, a
 * write that is copied before it is refused. Plus readResource, streamed logs and syntax errors
 * at the right place.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Diagnostic,
  type ResourceReadResult,
  sessionId,
  type ToolBridge,
  type ToolCallResult,
} from "@mcp-execution/core";
import { VirtualFileSystem } from "@mcp-execution/vfs";
import { afterAll, describe, expect, it } from "vitest";
import { QuickJsExecutor } from "../../src/executor.js";
import { MAX_MODULE_SOURCE_BYTES } from "../../src/sandbox-constants.js";
import { FileStateStore } from "../../src/state-store.js";
import { errorOf, resultOf, run, timed } from "./helpers.js";

const diagnostics: Diagnostic[] = [];
const executor = new QuickJsExecutor({ maxWorkers: 2, onDiagnostic: (d) => diagnostics.push(d) });
afterAll(() => executor.close());

/** sucrase takes exponential time on this (18 levels: about 7 s here; 26 levels: far longer). */
function pathologicalTypeScript(levels: number): string {
  // The annotation makes it TypeScript: as plain JavaScript it would run without sucrase.
  return `const x: unknown = ${"a ? (b): c => ".repeat(levels)}d;\nexport default 1;\n`;
}

/** A ToolBridge of our own: echoes arguments, reads resources from a map. */
function testBridge(resources = true): ToolBridge & { calls: string[] } {
  const calls: string[] = [];
  const bridge: ToolBridge & { calls: string[] } = {
    calls,
    async callTool(server, tool, args): Promise<ToolCallResult> {
      calls.push(`${server}/${tool}`);
      return { value: { echoed: args }, content: [], fromCache: false, durationMs: 0 };
    },
    servers: () => ["files"],
    close: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  if (resources) {
    bridge.readResource = async (server, uri): Promise<ResourceReadResult> => {
      calls.push(`${server}<${uri}>`);
      if (uri === "file:///big") return { contents: [{ uri, text: "x".repeat(64 * 1024 * 1024) }] };
      return { contents: [{ uri, mimeType: "text/plain", text: `contents of ${uri}` }] };
    };
  }
  return bridge;
}

describe("transpiling guest code happens under the deadline", () => {
  it("a main module that sucrase takes minutes on ends as LIMIT_TIME, and the host loop stays free", async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const { value: outcome, ms } = await timed(() =>
      executor.execute({
        source: pathologicalTypeScript(26),
        mode: "module",
        filename: "slow.ts",
        limits: { ...testLimitsFor(1_000) },
      }),
    );
    clearInterval(ticker);
    errorOf(outcome, "LIMIT_TIME");
    // Minutes on the main thread before; now the deadline plus the watchdog's grace.
    expect(ms).toBeLessThan(20_000);
    // The main thread kept running its own timers meanwhile.
    expect(ticks).toBeGreaterThan(3);
    expect(resultOf(await run(executor, "return 1 + 1"))).toBe(2);
  });

  it("so does an import of such a module", async () => {
    const files = new VirtualFileSystem({ workspaceQuotaBytes: 1024 * 1024 });
    files.writeFile("/workspace/slow.ts", pathologicalTypeScript(26));
    const { value: outcome, ms } = await timed(() =>
      run(executor, 'import "/workspace/slow.ts"; return 1;', { files, limits: { timeoutMs: 1_000 } }),
    );
    errorOf(outcome, "LIMIT_TIME");
    expect(ms).toBeLessThan(20_000);
    files.dispose();
  });

  it("a main module over the size cap is LIMIT_SIZE before it is copied or transpiled", async () => {
    const source = `export default ${"[1,".repeat(MAX_MODULE_SOURCE_BYTES)}`;
    const error = errorOf(await run(executor, source, { mode: "module" }), "LIMIT_SIZE");
    expect(error.details).toMatchObject({ limit: MAX_MODULE_SOURCE_BYTES });
  });

  it("an import over the size cap is LIMIT_SIZE", async () => {
    const files = new VirtualFileSystem({ workspaceQuotaBytes: 8 * 1024 * 1024 });
    files.writeFile(
      "/workspace/big.ts",
      `export const a = [${"1,".repeat(MAX_MODULE_SOURCE_BYTES / 2 + 10)}];`,
    );
    const outcome = await run(
      executor,
      'try { await import("/workspace/big.ts"); return "loaded"; } catch (e) { return e.code; }',
      { files, limits: { workspaceBytes: 8 * 1024 * 1024 } },
    );
    expect(resultOf(outcome)).toBe("LIMIT_SIZE");
    files.dispose();
  });
});

function testLimitsFor(timeoutMs: number) {
  return {
    memoryBytes: 32 * 1024 * 1024,
    timeoutMs,
    fuel: 50_000,
    stackBytes: 1024 * 1024,
    maxToolCalls: 20,
    maxOutputBytes: 64 * 1024,
    workspaceBytes: 1024 * 1024,
  };
}

describe("error documents count against the output limit", () => {
  it("a 20 MB error message is cut with a mark; the document fits the limit and says it once", async () => {
    const outcome = await run(executor, 'throw new Error("y".repeat(20_000_000));', {
      limits: { maxOutputBytes: 16 * 1024, memoryBytes: 128 * 1024 * 1024 },
    });
    const error = errorOf(outcome, "GUEST_ERROR");
    const json = JSON.stringify(error);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(16 * 1024);
    expect(error.message).toContain("[truncated]");
    // The long text is in the document once, not in message, details.message and stack alike.
    expect(json.split("yyyyyyyyyy").length).toBeLessThan((16 * 1024) / 10 + 2);
  });

  it("logs and the error share the limit (at least 1 KiB is left for the error)", async () => {
    const outcome = await run(
      executor,
      'console.log("z".repeat(15_000)); const e = new Error("w".repeat(50_000)); e.details = { blob: "v".repeat(50_000) }; throw e;',
      { limits: { maxOutputBytes: 16 * 1024 } },
    );
    const error = errorOf(outcome, "GUEST_ERROR");
    expect(Buffer.byteLength(JSON.stringify(error))).toBeLessThanOrEqual(1024);
    expect(outcome.logs).toHaveLength(1);
  });
});

describe("guests cannot pose as the host", () => {
  const cases: [string, string][] = [
    ["AUTH_REQUIRED", 'const e = new Error("log in"); e.code = "AUTH_REQUIRED"; throw e;'],
    ["LIMIT_STORAGE", 'throw Object.assign(new Error("full"), { code: "LIMIT_STORAGE" });'],
    ["TOOL_ERROR", 'class E extends Error { code = "TOOL_ERROR" }; throw new E("x");'],
  ];
  for (const [code, source] of cases) {
    it(`an error the guest made with code ${code} is GUEST_ERROR, its code in details`, async () => {
      const error = errorOf(await run(executor, source), "GUEST_ERROR");
      expect(error.details).toMatchObject({ code });
    });
  }

  it("a host error keeps the host's code even when the guest changes it", async () => {
    const outcome = await run(
      executor,
      'try { readFile("/workspace/none.txt"); } catch (e) { e.code = "AUTH_REQUIRED"; throw e; }',
    );
    errorOf(outcome, "FILE_NOT_FOUND");
  });

  it("a thrown plain object with a code is GUEST_ERROR", async () => {
    errorOf(await run(executor, 'throw { code: "AUTH_REQUIRED", message: "x" };'), "GUEST_ERROR");
  });
});

describe("one bad tool call fails alone", () => {
  it("a 6,000-deep argument is ARGS_INVALID while the calls beside it succeed", async () => {
    const bridge = testBridge();
    const outcome = await run(
      executor,
      `let deep = {}; for (let i = 0; i < 6000; i++) deep = { d: deep };
       const settled = await Promise.allSettled([
         callTool("files", "a", { n: 1 }),
         callTool("files", "deep", { deep }),
         callTool("files", "b", { n: 2 }),
       ]);
       return settled.map((s) => s.status === "fulfilled" ? s.value.echoed.n : s.reason.code);`,
      { bridge, limits: { memoryBytes: 64 * 1024 * 1024 } },
    );
    expect(resultOf(outcome)).toEqual([1, "ARGS_INVALID", 2]);
    expect(bridge.calls).toEqual(["files/a", "files/b"]);
  });
});

describe("session state: what a run may write, the next run may load", () => {
  const directory = mkdtempSync(join(tmpdir(), "sandbox-state-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const store = new FileStateStore(directory);

  it("a value deeper than loading accepts is refused on write, catchably", async () => {
    const session = { id: sessionId("deep"), store };
    const outcome = await run(
      executor,
      `let v = 1; for (let i = 0; i < 1500; i++) v = [v];
       try { setState("k", v); return "saved"; } catch (e) { return e.code; }`,
      { session },
    );
    expect(resultOf(outcome)).toBe("RESULT_UNSERIALIZABLE");
    expect(resultOf(await run(executor, 'setState("ok", [1]); return getState("ok");', { session }))).toEqual(
      [1],
    );
  });

  it("a state file that cannot load is STATE_INVALID with the way out; resetSession starts fresh with a warning", async () => {
    const id = sessionId("broken");
    writeFileSync(store.fileFor(id), `{"k":${"[".repeat(3000)}${"]".repeat(3000)}}`);
    const failed = errorOf(await run(executor, "return 1;", { session: { id, store } }), "STATE_INVALID");
    expect(failed.message).toContain("--reset-session");
    diagnostics.length = 0;
    const fresh = await run(executor, 'return getState("k") ?? "empty";', {
      session: { id, store },
      resetSession: true,
    });
    expect(resultOf(fresh)).toBe("empty");
    expect(diagnostics.some((d) => d.level === "warn" && d.message.includes("empty state"))).toBe(true);
    expect(resultOf(await run(executor, "return 2;", { session: { id, store } }))).toBe(2);
  });
});

describe("host copies are bounded before they are made", () => {
  it("a write larger than the room left is refused from its length", async () => {
    const outcome = await run(
      executor,
      `writeFile("a.txt", "a".repeat(600_000));
       try { writeFile("b.txt", "é".repeat(500_000)); return "written"; } catch (e) { return [e.code, e.message]; }`,
    );
    const [code, message] = resultOf(outcome) as [string, string];
    expect(code).toBe("LIMIT_STORAGE");
    expect(message).toContain("left of the workspace quota");
  });
});

describe("readResource", () => {
  it("reads through the bridge and counts like a tool call", async () => {
    const bridge = testBridge();
    const outcome = await run(executor, 'return await readResource("files", "file:///a.txt");', { bridge });
    expect(resultOf(outcome)).toEqual({
      contents: [{ uri: "file:///a.txt", mimeType: "text/plain", text: "contents of file:///a.txt" }],
    });
    expect(outcome.stats.toolCalls).toBe(1);
    errorOf(
      await run(executor, 'for (;;) await readResource("files", "file:///a.txt");', {
        bridge,
        limits: { maxToolCalls: 3 },
      }),
      "LIMIT_CALLS",
    );
  });

  it("a result larger than the sandbox can take is LIMIT_SIZE; a bridge without resources is UNSUPPORTED", async () => {
    const big = await run(
      executor,
      'try { await readResource("files", "file:///big"); } catch (e) { return e.code; }',
      { bridge: testBridge() },
    );
    expect(resultOf(big)).toBe("LIMIT_SIZE");
    const none = await run(
      executor,
      'try { await readResource("files", "x:y"); } catch (e) { return e.code; }',
      {
        bridge: testBridge(false),
      },
    );
    expect(resultOf(none)).toBe("UNSUPPORTED");
  });
});

describe("logs stream; syntax errors point at the place", () => {
  it("onLog sees each line before the run ends, and the outcome keeps them", async () => {
    const seen: string[] = [];
    let resolveFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      resolveFirst = resolve;
    });
    const bridge = testBridge();
    const slow = {
      ...bridge,
      callTool: async (...args: Parameters<ToolBridge["callTool"]>) => {
        await first;
        return bridge.callTool(...args);
      },
    };
    const outcome = await run(
      executor,
      'console.log("before"); await callTool("files", "x", {}); console.warn("after");',
      {
        bridge: slow,
        onLog: (entry) => {
          seen.push(`${entry.level}:${entry.text}`);
          resolveFirst();
        },
      },
    );
    resultOf(outcome);
    expect(seen).toEqual(["log:before", "warn:after"]);
    expect(outcome.logs.map((entry) => entry.text)).toEqual(["before", "after"]);
  });

  for (const [mode, filename] of [
    ["snippet", "eval.ts"],
    ["module", "main.ts"],
    ["snippet", "eval.js"],
  ] as const) {
    it(`\`const x = {;\` on line 1 is reported on line 1 (${mode}, ${filename})`, async () => {
      const error = errorOf(await run(executor, "const x = {;", { mode, filename }), "GUEST_SYNTAX");
      expect(error.details).toMatchObject({ line: 1, column: 12 });
    });
  }
});
