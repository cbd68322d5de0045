/**
 * The bridge against real servers: server-everything (stdio and Streamable HTTP) and the
 * misbehaving fixtures. Every fault must give its documented code while the bridge keeps serving
 * the other servers, and nothing may be left running afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Diagnostic, McpCliError, type ServerManifest } from "@mcp-execution/core";
import { connectServer, introspect } from "@mcp-execution/mcp-client";
import { afterAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  eventually,
  freePort,
  processAlive,
  startEverythingHttp,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { type Bridge, type BridgeOptions, createBridge } from "../src/bridge.js";
import { everythingStdio, fixtureConfig, remoteConfig } from "./configs.js";

const connect = { environment: process.env, killGraceMs: 300 };

function bridgeOf(options: Omit<BridgeOptions, "connect">): Bridge {
  return createBridge({ ...options, connect });
}

async function failure(promise: Promise<unknown>): Promise<McpCliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof McpCliError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

afterAll(async () => {
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

describe("resources and mixed results", () => {
  it("reads text and binary resources, caches them, and gives guests every content block", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("two-eras")] });
    try {
      const text = await bridge.readResource("two-eras", "fixture://text");
      expect(text).toEqual({
        contents: [{ uri: "fixture://text", mimeType: "text/plain", text: "hello from a resource" }],
      });
      const binary = await bridge.readResource("two-eras", "fixture://binary");
      expect(binary.contents[0]).toMatchObject({ uri: "fixture://binary", mimeType: "image/png" });
      expect(typeof binary.contents[0]?.blob).toBe("string");
      // The second read is served from the cache: the server is gone, the answer is not.
      await bridge.readResource("two-eras", "fixture://text");
      expect(bridge.stats().servers["two-eras"]?.connects).toBe(1);
      const scoped = bridge.scope();
      expect(await scoped.readResource?.("two-eras", "fixture://text")).toEqual(text);
      await scoped.close();
      const mixed = await bridge.callTool("two-eras", "mixed", {});
      expect((mixed.value as { type: string }[]).map((block) => block.type)).toEqual([
        "text",
        "image",
        "audio",
        "resource_link",
        "resource",
      ]);
      const missing = await failure(bridge.readResource("two-eras", "fixture://missing"));
      expect(missing.code).toBe("PROTOCOL_ERROR");
      const unknown = await failure(bridge.readResource("nope", "fixture://text"));
      expect(unknown.code).toBe("SERVER_UNKNOWN");
    } finally {
      await bridge.close();
    }
  }, 60_000);

  it("refuses a resource larger than the result limit with LIMIT_SIZE", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("two-eras")], limits: { maxResultBytes: 10 } });
    try {
      const error = await failure(bridge.readResource("two-eras", "fixture://text"));
      expect(error.code).toBe("LIMIT_SIZE");
    } finally {
      await bridge.close();
    }
  }, 60_000);
});

describe("calls and results", () => {
  it("connects lazily, normalizes results, and shares one connection between concurrent calls", async () => {
    const bridge = bridgeOf({ servers: [everythingStdio(), fixtureConfig("results")] });
    try {
      expect(bridge.servers()).toEqual(["everything", "results"]);
      expect(bridge.stats().servers.results?.connects).toBe(0);
      const echo = await bridge.callTool("everything", "echo", { message: "hi" });
      expect(echo).toMatchObject({
        value: "Echo: hi",
        content: [{ type: "text", text: "Echo: hi" }],
        fromCache: false,
      });
      const structured = await bridge.callTool("everything", "get-structured-content", {
        location: "Chicago",
      });
      expect(structured.value).toEqual(structured.structuredContent);
      expect(structured.value).toMatchObject({ temperature: expect.any(Number) });

      expect((await bridge.callTool("results", "json-text", {})).value).toEqual({ items: [1, 2, 3] });
      expect((await bridge.callTool("results", "plain-text", {})).value).toBe("just words");
      expect((await bridge.callTool("results", "multi-text", {})).value).toEqual(["first", { second: 2 }]);
      expect((await bridge.callTool("results", "image", {})).value).toEqual([
        { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
      ]);
      expect((await bridge.callTool("results", "structured", {})).value).toEqual({
        temperature: 21.5,
        unit: "C",
      });

      const pids = await Promise.all(
        Array.from({ length: 10 }, () => bridge.callTool("results", "slow", { ms: 50 })),
      );
      expect(new Set(pids.map((result) => result.value)).size).toBe(1);
      expect(bridge.stats().servers.results?.connects).toBe(1);
    } finally {
      await bridge.close();
    }
  });

  it("names the valid servers and tools for unknown names", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("results")] });
    try {
      const server = await failure(bridge.callTool("resluts", "fail", {}));
      expect(server.code).toBe("SERVER_UNKNOWN");
      expect(server.message).toContain("allowed servers: results");
      expect(server.message).toContain('Did you mean "results"?');
      expect(server.details).toMatchObject({ server: "resluts", tool: "fail", allowed: ["results"] });
      const tool = await failure(bridge.callTool("results", "incremnet", {}));
      expect(tool.code).toBe("TOOL_UNKNOWN");
      expect(tool.message).toContain('Did you mean "increment"?');
      expect(tool.details).toMatchObject({ server: "results", tool: "incremnet" });
      expect(tool.details?.available).toContain("read-counter");
    } finally {
      await bridge.close();
    }
  });

  it("refuses a disabled server with SERVER_DISABLED", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("results", [], { disabled: true })] });
    try {
      expect((await failure(bridge.callTool("results", "plain-text", {}))).code).toBe("SERVER_DISABLED");
    } finally {
      await bridge.close();
    }
  });

  it("turns isError into TOOL_ERROR carrying server, tool and content", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("results")] });
    try {
      const error = await failure(bridge.callTool("results", "fail", {}));
      expect(error.code).toBe("TOOL_ERROR");
      expect(error.message).toBe("results/fail returned an error: the widget is broken");
      expect(error.details).toEqual({
        server: "results",
        tool: "fail",
        content: [{ type: "text", text: "the widget is broken" }],
      });
      expect(error.exitCode).toBe(2);
    } finally {
      await bridge.close();
    }
  });
});

describe("introspection through the bridge", () => {
  it("introspects over the connection that then serves the calls: one connection, same manifest", async () => {
    const bridge = bridgeOf({ servers: [everythingStdio()] });
    const direct = await connectServer(everythingStdio());
    try {
      const manifest = await bridge.introspect("everything");
      const reference = await introspect(direct);
      expect(manifest.server).toBe("everything");
      expect(manifest.fingerprint).toEqual(reference.fingerprint);
      expect(manifest.tools.map((tool) => tool.name)).toContain("echo");
      expect((await bridge.callTool("everything", "echo", { message: "after" })).value).toBe("Echo: after");
      expect(bridge.stats().servers.everything?.connects).toBe(1);
      // Arguments are validated against the introspected schemas.
      expect((await failure(bridge.callTool("everything", "get-sum", { a: "x", b: 1 }))).code).toBe(
        "ARGS_INVALID",
      );
      expect((await failure(bridge.introspect("nope"))).code).toBe("SERVER_UNKNOWN");
    } finally {
      await direct.close();
      await bridge.close();
    }
    expect((await failure(bridge.introspect("everything"))).code).toBe("DISPOSED");
  });
});

describe("validation and size limits", () => {
  it("rejects invalid arguments with their paths before anything is sent", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("results")], cache: false });
    try {
      const error = await failure(
        bridge.callTool("results", "validate", {
          customer: { email: "not-an-email" },
          items: [{ sku: "a", quantity: 0 }],
          priority: "urgent",
        }),
      );
      expect(error.code).toBe("ARGS_INVALID");
      expect(error.message).toContain("customer.name is required");
      expect(error.message).toContain('customer.email must match format "email"');
      expect(error.message).toContain("items[0].quantity must be > 0");
      expect(error.message).toContain('priority must be one of "low", "high"');
      const paths = ((error.details?.errors ?? []) as { path: string }[]).map((problem) => problem.path);
      expect(paths).toContain("customer.name");

      // `increment` has side effects: an invalid call must never reach the server.
      expect((await failure(bridge.callTool("results", "increment", { by: "two" }))).code).toBe(
        "ARGS_INVALID",
      );
      expect((await bridge.callTool("results", "read-counter", {})).value).toBe(0);
      expect((await failure(bridge.callTool("results", "increment", [] as never))).code).toBe("ARGS_INVALID");
      expect((await failure(bridge.callTool("results", "increment", { by: 10n } as never))).code).toBe(
        "ARGS_INVALID",
      );
      const notANumber = await failure(bridge.callTool("results", "increment", { by: Number.NaN }));
      expect(notANumber.code).toBe("ARGS_INVALID");
      expect(notANumber.message).toContain("NaN is not a JSON number");
      expect((await bridge.callTool("results", "read-counter", {})).value).toBe(0);
    } finally {
      await bridge.close();
    }
  });

  it("enforces argument and result sizes, and still carries a 5 MB answer under the default", async () => {
    const bridge = bridgeOf({
      servers: [fixtureConfig("big"), fixtureConfig("results")],
      limits: { maxArgumentBytes: 100, maxResultBytes: 1_000_000 },
    });
    try {
      const args = await failure(bridge.callTool("results", "slow", { ms: 1, padding: "x".repeat(200) }));
      expect(args.code).toBe("LIMIT_SIZE");
      expect(args.details).toMatchObject({
        what: "arguments",
        limitBytes: 100,
        server: "results",
        tool: "slow",
      });
      const result = await failure(bridge.callTool("big", "big", {}));
      expect(result.code).toBe("LIMIT_SIZE");
      expect(result.details).toMatchObject({
        what: "result",
        limitBytes: 1_000_000,
        server: "big",
        tool: "big",
      });
      // The connection survives an oversized result.
      expect((await bridge.callTool("big", "small", {})).value).toBe("ok");
      expect(bridge.stats().servers.big?.connects).toBe(1);
    } finally {
      await bridge.close();
    }
    const roomy = bridgeOf({ servers: [fixtureConfig("big")] });
    try {
      expect(((await roomy.callTool("big", "big", {})).value as string).length).toBe(5_000_000);
    } finally {
      await roomy.close();
    }
  });

  it("checks structured results against the output schema it knows (RESULT_INVALID)", async () => {
    const connection = await connectServer(fixtureConfig("paged"), connect);
    let manifest: ServerManifest;
    try {
      manifest = await introspect(connection);
    } finally {
      await connection.close();
    }
    const plain = manifest.tools.find((tool) => tool.name === "plain");
    const stale: ServerManifest = {
      ...manifest,
      tools: [
        {
          ...(plain as NonNullable<typeof plain>),
          outputSchema: { type: "object", properties: { ok: { type: "string" } } },
        },
      ],
    };
    const bridge = bridgeOf({ servers: [fixtureConfig("paged")], manifests: [stale] });
    try {
      const error = await failure(bridge.callTool("paged", "plain", {}));
      expect(error.code).toBe("RESULT_INVALID");
      expect(error.message).toContain("ok must be string");
      // With a manifest the bridge knows only the manifest's tools.
      expect((await failure(bridge.callTool("paged", "tree", { root: { value: 1 } }))).code).toBe(
        "TOOL_UNKNOWN",
      );
    } finally {
      await bridge.close();
    }
    const fresh = bridgeOf({ servers: [fixtureConfig("paged")], manifests: [manifest] });
    try {
      expect((await fresh.callTool("paged", "plain", {})).value).toEqual({ ok: true });
      // The recursive schema of `tree` validates nested children.
      const bad = await failure(
        fresh.callTool("paged", "tree", { root: { value: 1, children: [{ value: "x" }] } }),
      );
      expect(bad.code).toBe("ARGS_INVALID");
      expect(bad.message).toContain("root.children[0].value must be number");
    } finally {
      await fresh.close();
    }
  });
});

describe("cache", () => {
  it("answers read-only tools from the cache and calls a side-effecting tool every time", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("results")] });
    try {
      const first = await bridge.callTool("results", "read-counter", {});
      expect(first).toMatchObject({ value: 0, fromCache: false });
      // Not read-only: every call reaches the server and changes its state.
      const increments = [];
      for (let i = 0; i < 3; i++) increments.push(await bridge.callTool("results", "increment", {}));
      expect(increments.map((result) => [result.value, result.fromCache])).toEqual([
        [1, false],
        [2, false],
        [3, false],
      ]);
      // Read-only and cached: the second read does not see the increments.
      const second = await bridge.callTool("results", "read-counter", {});
      expect(second).toMatchObject({ value: 0, fromCache: true });
      const stats = bridge.stats();
      expect(stats).toMatchObject({ calls: 5, cacheHits: 1, cacheMisses: 1, errors: 0 });
      expect(stats.servers.results).toMatchObject({ calls: 5, cacheHits: 1, cacheMisses: 1 });
      expect(stats.latencyMs.count).toBe(4);
      expect(stats.latencyMs.p50).not.toBeNull();
    } finally {
      await bridge.close();
    }
  });

  it("keys on canonical arguments, hands out copies, never caches errors, and honours the TTL", async () => {
    // A long TTL for the hits (a loaded machine may take longer than a short one between calls),
    // a short one only where expiry is the point: waiting longer can only help that check.
    const bridge = bridgeOf({ servers: [everythingStdio()], cache: { ttlMs: 60_000 } });
    try {
      const a = await bridge.callTool("everything", "get-sum", { a: 1, b: 2 });
      const b = await bridge.callTool("everything", "get-sum", { b: 2, a: 1 });
      expect(b.fromCache).toBe(true);
      expect(b.value).toEqual(a.value);
      (b.content as unknown as { text: string }[])[0] = { text: "changed" };
      const c = await bridge.callTool("everything", "get-sum", { a: 1, b: 2 });
      expect(c.content[0]).toEqual({ type: "text", text: "The sum of 1 and 2 is 3." });
      expect((await bridge.callTool("everything", "get-sum", { a: 1, b: 3 })).fromCache).toBe(false);
    } finally {
      await bridge.close();
    }
    const expiring = bridgeOf({ servers: [everythingStdio()], cache: { ttlMs: 150 } });
    try {
      expect((await expiring.callTool("everything", "get-sum", { a: 1, b: 2 })).fromCache).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await expiring.callTool("everything", "get-sum", { a: 1, b: 2 })).fromCache).toBe(false);
      expect(expiring.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 2 });
    } finally {
      await expiring.close();
    }
    const errors = bridgeOf({ servers: [fixtureConfig("results", [], { cache: ["fail"] })] });
    try {
      expect((await failure(errors.callTool("results", "fail", {}))).code).toBe("TOOL_ERROR");
      expect((await failure(errors.callTool("results", "fail", {}))).code).toBe("TOOL_ERROR");
      expect(errors.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 2 });
    } finally {
      await errors.close();
    }
  });

  it("caches tools listed in the server's cache configuration, and nothing with cache: false", async () => {
    const listed = bridgeOf({ servers: [fixtureConfig("results", [], { cache: ["multi-text"] })] });
    try {
      await listed.callTool("results", "multi-text", {});
      expect((await listed.callTool("results", "multi-text", {})).fromCache).toBe(true);
    } finally {
      await listed.close();
    }
    const off = bridgeOf({ servers: [fixtureConfig("results")], cache: false });
    try {
      await off.callTool("results", "plain-text", {});
      expect((await off.callTool("results", "plain-text", {})).fromCache).toBe(false);
    } finally {
      await off.close();
    }
  });
});

describe("limits", () => {
  it("caps calls per bridge and per scope; scopes share connections", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("results")], limits: { maxCalls: 5 } });
    try {
      const first = bridge.scope({ maxCalls: 2 });
      const second = bridge.scope({ maxCalls: 2 });
      await first.callTool("results", "plain-text", {});
      await first.callTool("results", "plain-text", {});
      const over = await failure(first.callTool("results", "plain-text", {}));
      expect(over.code).toBe("LIMIT_CALLS");
      expect(over.message).toContain("at most 2 calls are allowed per execution");
      expect(over.details).toMatchObject({ limit: 2, server: "results", tool: "plain-text" });
      expect(first.calls).toBe(3);
      await second.callTool("results", "plain-text", {});
      await bridge.callTool("results", "plain-text", {});
      const total = await failure(bridge.callTool("results", "plain-text", {}));
      expect(total.code).toBe("LIMIT_CALLS");
      expect(total.exitCode).toBe(5);
      expect(bridge.stats().servers.results?.connects).toBe(1);
      await first.close();
      expect((await failure(first.callTool("results", "plain-text", {}))).code).toBe("DISPOSED");
    } finally {
      await bridge.close();
    }
  });

  it("rate-limits per server and per tool; a call that would wait too long fails with LIMIT_RATE", async () => {
    const bridge = bridgeOf({
      servers: [fixtureConfig("results", [], { rateLimit: 2 }), everythingStdio()],
      rateLimits: { maxWaitMs: 0, tools: { everything: { echo: 1 } } },
      cache: false,
    });
    try {
      await bridge.callTool("results", "plain-text", {});
      await bridge.callTool("results", "plain-text", {});
      const limited = await failure(bridge.callTool("results", "plain-text", {}));
      expect(limited.code).toBe("LIMIT_RATE");
      expect(limited.message).toContain('rate limit of server "results" (2 calls/s)');
      expect(limited.details).toMatchObject({ server: "results", tool: "plain-text", ratePerSecond: 2 });
      await bridge.callTool("everything", "echo", { message: "1" });
      expect((await failure(bridge.callTool("everything", "echo", { message: "2" }))).code).toBe(
        "LIMIT_RATE",
      );
      // Another tool of the same server has no limit of its own.
      expect((await bridge.callTool("everything", "get-sum", { a: 1, b: 1 })).fromCache).toBe(false);
    } finally {
      await bridge.close();
    }
  });

  it("waits for the rate limit when allowed to, instead of failing", async () => {
    const bridge = bridgeOf({
      servers: [fixtureConfig("results", [], { rateLimit: 20 })],
      rateLimits: { maxWaitMs: 5_000 },
      cache: false,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 25 }, () => bridge.callTool("results", "plain-text", {})),
      );
      expect(results.every((result) => result.value === "just words")).toBe(true);
      expect(bridge.stats().errors).toBe(0);
    } finally {
      await bridge.close();
    }
  });
});

describe("many calls in flight", () => {
  it("shares one abort signal across 50 concurrent calls without a MaxListenersExceededWarning (regression)", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    const bridge = bridgeOf({ servers: [fixtureConfig("results")], cache: false });
    try {
      const scoped = bridge.scope({ maxCalls: 100 });
      const results = await Promise.all(
        Array.from({ length: 50 }, () => scoped.callTool("results", "plain-text", {})),
      );
      expect(results).toHaveLength(50);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.startsWith("MaxListenersExceededWarning"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await bridge.close();
    }
  });
});

describe("cancellation", () => {
  it("sends MCP cancellation when the caller aborts; scope close and bridge close cancel calls in flight", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("hang")] });
    try {
      // Cancelled while connecting: nothing was sent, so the server sees no cancellation.
      const early = new AbortController();
      const connecting = bridge.callTool("hang", "hang", {}, { signal: early.signal });
      early.abort();
      expect((await failure(connecting)).code).toBe("CANCELLED");
      await bridge.callTool("hang", "echo", { message: "connected" });

      const controller = new AbortController();
      const pending = bridge.callTool("hang", "hang", {}, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      const error = await failure(pending);
      expect(error.code).toBe("CANCELLED");
      expect(error.details).toMatchObject({ server: "hang", tool: "hang" });

      const scope = bridge.scope();
      const inScope = scope.callTool("hang", "hang", {});
      setTimeout(() => void scope.close(), 100);
      expect((await failure(inScope)).code).toBe("CANCELLED");

      const seen = async () =>
        ((await bridge.callTool("hang", "cancellations", {})).value as unknown[]).length === 2;
      expect(await eventually(seen, 3_000)).toBe(true);

      const execution = new AbortController();
      const scoped = bridge.scope({ signal: execution.signal });
      const viaSignal = scoped.callTool("hang", "hang", {});
      setTimeout(() => execution.abort(), 100);
      expect((await failure(viaSignal)).code).toBe("CANCELLED");
      expect((await failure(scoped.callTool("hang", "echo", { message: "late" }))).code).toBe("CANCELLED");
    } finally {
      await bridge.close();
    }
    const closing = bridgeOf({ servers: [fixtureConfig("hang")] });
    const pending = failure(closing.callTool("hang", "hang", {}));
    await eventually(() => closing.stats().servers.hang?.connected === true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closing.close();
    expect((await pending).code).toBe("CANCELLED");
    expect((await failure(closing.callTool("hang", "echo", { message: "x" }))).code).toBe("DISPOSED");
    await closing.close();
  });
});

describe("faults", () => {
  it("each fault gives its code while the bridge keeps serving the other servers", async () => {
    const diagnostics: Diagnostic[] = [];
    const bridge = createBridge({
      servers: [
        everythingStdio(),
        fixtureConfig("crash"),
        fixtureConfig("hang", [], { timeoutMs: 300 }),
        fixtureConfig("garbage", [], { startupTimeoutMs: 2_000 }),
        fixtureConfig("slow-start", ["--delay", "5000"], { startupTimeoutMs: 500 }),
        fixtureConfig("crash", ["--crash-on-start"], {}),
      ].map((config, index) => (index === 5 ? { ...config, name: "broken" } : config)),
      connect,
      diagnostics: (diagnostic) => diagnostics.push(diagnostic),
    });
    const healthy = async () => {
      expect((await bridge.callTool("everything", "echo", { message: "still here" })).value).toBe(
        "Echo: still here",
      );
    };
    try {
      await healthy();

      const crashed = await failure(bridge.callTool("crash", "crash", {}));
      expect(crashed.code).toBe("CONNECTION_CLOSED");
      expect(crashed.message).toContain("simulated crash");
      expect(crashed.details).toMatchObject({ server: "crash", tool: "crash", exitCode: 3 });
      await healthy();
      // The next call starts the crashed server again.
      expect((await bridge.callTool("crash", "echo", { message: "back" })).value).toBe("back");
      expect(bridge.stats().servers.crash?.connects).toBe(2);
      expect(
        diagnostics.some((diagnostic) => diagnostic.message.includes('reconnected to server "crash"')),
      ).toBe(true);

      const timedOut = await failure(bridge.callTool("hang", "hang", {}));
      expect(timedOut.code).toBe("TIMEOUT");
      expect(timedOut.details).toMatchObject({ server: "hang", tool: "hang", timeoutMs: 300 });
      expect((await failure(bridge.callTool("hang", "hang", {}, { timeoutMs: 100 }))).details).toMatchObject({
        timeoutMs: 100,
      });
      expect((await bridge.callTool("hang", "echo", { message: "alive" })).value).toBe("alive");
      await healthy();

      const garbage = await failure(bridge.callTool("garbage", "echo", { message: "x" }));
      expect(garbage.code).toBe("PROTOCOL_ERROR");
      expect(garbage.details).toMatchObject({ server: "garbage", tool: "echo" });
      await healthy();

      const slow = await failure(bridge.callTool("slow-start", "echo", { message: "x" }));
      expect(slow.code).toBe("TIMEOUT");
      expect(slow.details).toMatchObject({ server: "slow-start", tool: "echo", phase: "startup" });
      await healthy();

      const broken = await failure(bridge.callTool("broken", "echo", { message: "x" }));
      expect(broken.code).toBe("CONNECT_FAILED");
      expect(broken.message).toContain("FIXTURE_API_KEY");
      expect(broken.details).toMatchObject({ server: "broken", tool: "echo" });
      await healthy();

      const stats = bridge.stats();
      expect(stats.errorsByCode).toMatchObject({
        CONNECTION_CLOSED: 1,
        TIMEOUT: 3,
        PROTOCOL_ERROR: 1,
        CONNECT_FAILED: 1,
      });
    } finally {
      await bridge.close();
    }
  });

  it("reconnects after the server process is killed from outside", async () => {
    const bridge = bridgeOf({ servers: [fixtureConfig("crash")] });
    try {
      const pid = Number((await bridge.callTool("crash", "pid", {})).value);
      process.kill(pid, "SIGKILL");
      expect(await eventually(() => bridge.stats().servers.crash?.connected === false)).toBe(true);
      const again = Number((await bridge.callTool("crash", "pid", {})).value);
      expect(again).not.toBe(pid);
      expect(processAlive(again)).toBe(true);
    } finally {
      await bridge.close();
    }
  });

  it("lists tools again when the server says its tool list changed", async () => {
    const directory = mkdtempSync(join(tmpdir(), "bridge-"));
    const bridge = bridgeOf({
      servers: [fixtureConfig("changing-tools", ["--state", join(directory, "n")])],
    });
    try {
      expect((await failure(bridge.callTool("changing-tools", "late", {}))).code).toBe("TOOL_UNKNOWN");
      await bridge.callTool("changing-tools", "add-late-tool", {});
      const ready = async () => (await bridge.tools("changing-tools")).some((tool) => tool.name === "late");
      expect(await eventually(ready, 3_000)).toBe(true);
      expect((await bridge.callTool("changing-tools", "late", {})).value).toBe("late");
    } finally {
      await bridge.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("remote servers", () => {
  it("calls server-everything over Streamable HTTP and reports AUTH_REQUIRED for a protected fixture", async () => {
    const everything = await startEverythingHttp("streamableHttp");
    const protectedServer = await startHttpFixture("results", ["--require-token", "t0ken"]);
    const bridge = bridgeOf({
      servers: [
        remoteConfig("everything-http", everything.url),
        remoteConfig("protected", protectedServer.url),
        remoteConfig("allowed", protectedServer.url, "streamable-http", {
          headers: { Authorization: "Bearer t0ken" },
        }),
      ],
    });
    try {
      expect((await bridge.callTool("everything-http", "echo", { message: "http" })).value).toBe(
        "Echo: http",
      );
      const denied = await failure(bridge.callTool("protected", "plain-text", {}));
      expect(denied.code).toBe("AUTH_REQUIRED");
      expect(denied.details).toMatchObject({ server: "protected", tool: "plain-text" });
      expect((await bridge.callTool("allowed", "plain-text", {})).value).toBe("just words");
      expect((await bridge.callTool("everything-http", "echo", { message: "again" })).value).toBe(
        "Echo: again",
      );
    } finally {
      await bridge.close();
      await everything.stop();
      await protectedServer.stop();
    }
  });

  it("drops a connection to an HTTP server that went away and reconnects when it is back", async () => {
    const port = await freePort();
    let server = await startHttpFixture("results", ["--http", String(port)]);
    const bridge = bridgeOf({ servers: [remoteConfig("results-http", server.url)], cache: false });
    try {
      expect((await bridge.callTool("results-http", "plain-text", {})).value).toBe("just words");
      await server.stop();
      const gone = await failure(bridge.callTool("results-http", "plain-text", {}));
      expect(["CONNECTION_CLOSED", "CONNECT_FAILED"]).toContain(gone.code);
      expect(bridge.stats().servers["results-http"]?.connected).toBe(false);
      server = await startHttpFixture("results", ["--http", String(port)]);
      expect((await bridge.callTool("results-http", "plain-text", {})).value).toBe("just words");
      expect(bridge.stats().servers["results-http"]?.connects).toBe(2);
    } finally {
      await bridge.close();
      await server.stop();
    }
  });
});
