/** The bridge's pure parts: token buckets, validation messages, normalization, cache keys, stats. */
import { McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { cacheKey, createMemoryCache } from "../src/cache.js";
import { parseTextValue, resultValue } from "../src/normalize.js";
import { acquireTokens, TokenBucket } from "../src/rate-limit.js";
import { CallCounters, LATENCY_WINDOW } from "../src/stats.js";
import { compileSchema, readablePath, validationProblems } from "../src/validation.js";

describe("TokenBucket", () => {
  it("allows a burst, then hands out waits in arrival order at the refill rate", () => {
    const bucket = new TokenBucket(4, 2, 0); // 4 calls/s, burst 2, at t=0
    expect(bucket.reserve(0)).toBe(0);
    expect(bucket.reserve(0)).toBe(0);
    expect(bucket.reserve(0)).toBe(250);
    expect(bucket.reserve(0)).toBe(500);
    // 500 ms later two tokens have refilled, exactly covering the two waiting callers.
    expect(bucket.reserve(500)).toBe(250);
  });

  it("refills up to the burst only, and takes back released tokens", () => {
    const bucket = new TokenBucket(10, 1, 0);
    expect(bucket.reserve(10_000)).toBe(0);
    expect(bucket.reserve(10_000)).toBe(100);
    bucket.release(10_000);
    expect(bucket.reserve(10_000)).toBe(100);
  });

  it("defaults the burst to one second of calls", () => {
    expect(new TokenBucket(5).burst).toBe(5);
    expect(new TokenBucket(0.5).burst).toBe(1);
  });

  it("rejects a rate that is not positive", () => {
    expect(() => new TokenBucket(0)).toThrow(McpCliError);
    expect(() => new TokenBucket(Number.NaN)).toThrow(/positive/);
  });

  it("fails with LIMIT_RATE instead of waiting longer than allowed, reserving nothing", async () => {
    const server = new TokenBucket(1, 1);
    const tool = new TokenBucket(1, 1);
    await acquireTokens([{ bucket: server, label: 'server "s"' }], 0, undefined, {});
    const error = await acquireTokens(
      [
        { bucket: tool, label: "tool s/t" },
        { bucket: server, label: 'server "s"' },
      ],
      0,
      undefined,
      { server: "s", tool: "t" },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McpCliError);
    expect((error as McpCliError).code).toBe("LIMIT_RATE");
    expect((error as McpCliError).message).toContain('server "s" (1 calls/s)');
    expect((error as McpCliError).details).toMatchObject({ server: "s", tool: "t", maxWaitMs: 0 });
    // The tool's token was given back: it still has its burst.
    expect(tool.reserve()).toBe(0);
  });

  it("cancels a wait when the signal aborts and gives the token back", async () => {
    const bucket = new TokenBucket(1, 1);
    bucket.reserve();
    const controller = new AbortController();
    const waiting = acquireTokens([{ bucket, label: "x" }], 60_000, controller.signal, { server: "s" });
    controller.abort();
    const error = (await waiting.catch((caught: unknown) => caught)) as McpCliError;
    expect(error.code).toBe("CANCELLED");
    expect(bucket.reserve()).toBeLessThanOrEqual(1000);
  });
});

describe("validation", () => {
  it("turns JSON pointers into readable argument paths", () => {
    expect(readablePath("")).toBe("");
    expect(readablePath("", "name")).toBe("name");
    expect(readablePath("/items/0/sku")).toBe("items[0].sku");
    expect(readablePath("/a~1b/c d")).toBe('["a/b"]["c d"]');
  });

  it("names every problem with its path", () => {
    const compiled = compileSchema({
      type: "object",
      properties: {
        customer: {
          type: "object",
          properties: { email: { type: "string", format: "email" } },
          required: ["email", "name"],
        },
        items: { type: "array", items: { type: "object", properties: { quantity: { type: "integer" } } } },
        priority: { enum: ["low", "high"] },
      },
      additionalProperties: false,
    });
    if (!compiled.ok) throw new Error(compiled.reason);
    const problems = validationProblems(compiled.validate, {
      customer: { email: "nope" },
      items: [{ quantity: 1.5 }],
      priority: "urgent",
      extra: true,
    });
    expect(problems.map((problem) => problem.message)).toEqual([
      "extra is not an accepted argument here",
      "customer.name is required",
      'customer.email must match format "email"',
      "items[0].quantity must be integer",
      'priority must be one of "low", "high"',
    ]);
    expect(problems[1]).toEqual({
      path: "customer.name",
      message: "customer.name is required",
      keyword: "required",
    });
  });

  it("checks draft-07 tuples as draft-07 and schemas without $schema as 2020-12", () => {
    const tuple = compileSchema({ type: "array", items: [{ type: "string" }, { type: "number" }] });
    const prefix = compileSchema({ type: "array", prefixItems: [{ type: "string" }], items: false });
    if (!tuple.ok || !prefix.ok) throw new Error("did not compile");
    expect(validationProblems(tuple.validate, ["a", 1])).toEqual([]);
    expect(validationProblems(tuple.validate, [1, 1]).map((problem) => problem.path)).toEqual(["[0]"]);
    expect(validationProblems(prefix.validate, ["a"])).toEqual([]);
    expect(validationProblems(prefix.validate, ["a", "b"])).toHaveLength(1);
  });

  it("accepts schemas that name draft-04 or an unknown meta-schema", () => {
    const compiled = compileSchema({
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
      properties: { n: { type: "number" } },
    });
    expect(compiled.ok).toBe(true);
  });

  it("reports a schema it cannot compile instead of throwing", () => {
    const compiled = compileSchema({ type: "object", properties: { a: { $ref: "#/$defs/Missing" } } });
    expect(compiled.ok).toBe(false);
  });
});

describe("result values", () => {
  it("prefers structured content, then parsed text, then an array of texts, then the blocks", () => {
    const text = (value: string) => ({ type: "text", text: value });
    expect(resultValue([text("{}")], { a: 1 })).toEqual({ a: 1 });
    expect(resultValue([text('{"items":[1]}')], undefined)).toEqual({ items: [1] });
    expect(resultValue([text("plain words")], undefined)).toBe("plain words");
    expect(resultValue([text("first"), text("[2]")], undefined)).toEqual(["first", [2]]);
    const image = { type: "image", data: "AAAA", mimeType: "image/png" };
    expect(resultValue([image], undefined)).toEqual([image]);
    // Regression: a caption beside an image used to drop the image.
    expect(resultValue([image, text("caption")], undefined)).toEqual([image, text("caption")]);
  });

  it("parses only JSON documents", () => {
    expect(parseTextValue("42")).toBe(42);
    expect(parseTextValue("null")).toBeNull();
    expect(parseTextValue("{broken")).toBe("{broken");
    expect(parseTextValue("hello")).toBe("hello");
    expect(parseTextValue("")).toBe("");
  });
});

describe("cache", () => {
  it("keys by server, tool and canonical arguments", async () => {
    const a = await cacheKey("s", "t", { x: 1, y: [1, 2] });
    expect(await cacheKey("s", "t", { y: [1, 2], x: 1 })).toBe(a);
    expect(await cacheKey("s", "t", { x: 2, y: [1, 2] })).not.toBe(a);
    expect(await cacheKey("s", "u", { x: 1, y: [1, 2] })).not.toBe(a);
    expect(await cacheKey("r", "t", { x: 1, y: [1, 2] })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it("evicts by entry count and byte budget, and skips entries larger than the budget", () => {
    const cache = createMemoryCache({ maxEntries: 2, maxBytes: 100 });
    const entry = (bytes: number) => ({ value: bytes, content: [], bytes });
    cache.set("a", entry(10));
    cache.set("b", entry(10));
    cache.set("c", entry(10));
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.set("huge", entry(101));
    expect(cache.get("huge")).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("expires entries after their TTL", async () => {
    const cache = createMemoryCache({ ttlMs: 20 });
    cache.set("k", { value: 1, content: [], bytes: 1 });
    expect(cache.get("k")).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.get("k")).toBeUndefined();
  });
});

describe("CallCounters", () => {
  it("computes percentiles over the latest window and counts errors by code", () => {
    const counters = new CallCounters();
    expect(counters.snapshot().latencyMs).toEqual({ count: 0, p50: null, p90: null, p99: null });
    for (let i = 1; i <= 100; i++) counters.latency(i);
    counters.error("TIMEOUT");
    counters.error("TIMEOUT");
    counters.error("TOOL_ERROR");
    const snapshot = counters.snapshot();
    expect(snapshot.latencyMs).toEqual({ count: 100, p50: 50, p90: 90, p99: 99 });
    expect(snapshot.errors).toBe(3);
    expect(snapshot.errorsByCode).toEqual({ TIMEOUT: 2, TOOL_ERROR: 1 });
    for (let i = 0; i < LATENCY_WINDOW; i++) counters.latency(1000);
    expect(counters.snapshot().latencyMs.p50).toBe(1000);
  });
});
