/**
 * The bridge against the schema-shapes fixture (raw JSON Schemas as kubernetes- and playwright-style
 * servers send them, and tools named after Object.prototype members): defaults filled before
 * validation, tool names that are data and not keys, and the allowedTools / disabledTools policy.
 */
import { McpCliError } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually } from "../../../test/fixtures/servers/harness.mjs";
import { type Bridge, type BridgeOptions, createBridge } from "../src/bridge.js";
import { withSchemaDefaults } from "../src/schema-defaults.js";
import { type Extra, fixtureConfig } from "./configs.js";

const connect = { environment: process.env, killGraceMs: 300 };

function shapes(extra: Extra & { allowedTools?: string[]; disabledTools?: string[] } = {}) {
  return fixtureConfig("schema-shapes", [], extra);
}

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

/** What the fixture received: it answers with its arguments. */
async function received(bridge: Bridge, tool: string, args: Record<string, unknown>): Promise<unknown> {
  const result = await bridge.callTool("schema-shapes", tool, args);
  return (result.value as { args: unknown }).args;
}

afterAll(async () => {
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

describe("defaults before validation", () => {
  it("fills a required property that has a default, as the server would, and sends it", async () => {
    const bridge = bridgeOf({ servers: [shapes()] });
    try {
      expect(await received(bridge, "pods_list", {})).toEqual({ namespace: "default" });
      expect(await received(bridge, "console_messages", {})).toEqual({ level: "info" });
      // A value given wins over the default.
      expect(await received(bridge, "pods_list", { namespace: "kube-system" })).toEqual({
        namespace: "kube-system",
      });
      // Optional properties with defaults stay out: the server fills those itself.
      expect(await received(bridge, "edit_file", { path: "a", edits: [] })).toEqual({ path: "a", edits: [] });
    } finally {
      await bridge.close();
    }
  });

  it("fills nested objects where the schema is unambiguous, on a copy of the caller's arguments", async () => {
    const bridge = bridgeOf({ servers: [shapes()] });
    try {
      const args = { name: "n", options: { label: "x" } };
      expect(await received(bridge, "configure", args)).toEqual({
        name: "n",
        options: { label: "x", depth: 2 },
      });
      expect(args).toEqual({ name: "n", options: { label: "x" } });
    } finally {
      await bridge.close();
    }
  });

  it("still refuses what the server would refuse: a required property without a default, a bad enum", async () => {
    const bridge = bridgeOf({ servers: [shapes()] });
    try {
      const missing = await failure(bridge.callTool("schema-shapes", "configure", { name: "n" }));
      expect(missing.code).toBe("ARGS_INVALID");
      expect(missing.message).toContain("options is required");
      const level = await failure(bridge.callTool("schema-shapes", "console_messages", { level: "verbose" }));
      expect(level.code).toBe("ARGS_INVALID");
      expect(level.message).toContain('level must be one of "error", "warning", "info", "debug"');
      const extra = await failure(bridge.callTool("schema-shapes", "console_messages", { levle: "info" }));
      expect(extra.code).toBe("ARGS_INVALID");
      expect(extra.message).toContain("levle is not an accepted argument here");
      // Nothing of these reached the server.
      expect(bridge.stats().servers["schema-shapes"]?.latencyMs.count).toBe(0);
    } finally {
      await bridge.close();
    }
  });
});

describe("tool names are data, not keys (issue 11 item 8)", () => {
  const names = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];

  it("calls, caches, rate-limits and counts tools named after Object.prototype members", async () => {
    const bridge = bridgeOf({
      servers: [shapes()],
      // A per-tool table for the server that names none of them: a lookup by plain indexing
      // found Object.prototype.constructor here and refused the call as a bad rate limit.
      rateLimits: { tools: { "schema-shapes": { pods_list: 1000, toString: 1000 } } },
    });
    try {
      for (const name of names) {
        const first = await bridge.callTool("schema-shapes", name, { x: 1 });
        expect(first.value).toMatchObject({ tool: name, args: { x: 1 } });
        expect(first.fromCache).toBe(false);
        const second = await bridge.callTool("schema-shapes", name, { x: 1 });
        expect(second.fromCache).toBe(true);
        const invalid = await failure(bridge.callTool("schema-shapes", name, { x: "one" }));
        expect(invalid.code).toBe("ARGS_INVALID");
        expect(invalid.details).toMatchObject({ server: "schema-shapes", tool: name });
      }
      const stats = bridge.stats();
      expect(Object.keys(stats.servers)).toEqual(["schema-shapes"]);
      expect(stats.servers["schema-shapes"]).toMatchObject({ calls: 15, cacheHits: 5, cacheMisses: 5 });
      expect(stats.errorsByCode).toEqual({ ARGS_INVALID: 5 });
      const tools = (await bridge.tools("schema-shapes")).map((tool) => tool.name);
      for (const name of names) expect(tools).toContain(name);
    } finally {
      await bridge.close();
    }
  });

  it("an argument named __proto__ stays an own property while defaults are filled, polluting nothing", () => {
    const args = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const schema = {
      type: "object",
      properties: { namespace: { type: "string", default: "default" } },
      required: ["namespace", "__proto__"],
    };
    const filled = withSchemaDefaults(schema, args);
    expect(filled).not.toBe(args);
    expect(Object.hasOwn(filled, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(filled)).toBe(Object.prototype);
    expect(filled.namespace).toBe("default");
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe("allowedTools / disabledTools", () => {
  it("refuses a denied call with TOOL_DENIED and the rule, before connecting", async () => {
    const bridge = bridgeOf({
      servers: [shapes({ allowedTools: ["pods_*", "console_*"], disabledTools: ["console_*"] })],
    });
    try {
      const notAllowed = await failure(
        bridge.callTool("schema-shapes", "edit_file", { path: "a", edits: [] }),
      );
      expect(notAllowed.code).toBe("TOOL_DENIED");
      expect(notAllowed.exitCode).toBe(2);
      expect(notAllowed.message).toContain('allowedTools: ["pods_*","console_*"] (no pattern matches)');
      expect(notAllowed.details).toMatchObject({
        server: "schema-shapes",
        tool: "edit_file",
        key: "allowedTools",
      });
      const disabled = await failure(bridge.callTool("schema-shapes", "console_messages", {}));
      expect(disabled.code).toBe("TOOL_DENIED");
      expect(disabled.details).toMatchObject({ key: "disabledTools", pattern: "console_*" });
      expect(bridge.stats().servers["schema-shapes"]).toMatchObject({ connects: 0, errors: 2 });

      expect(await received(bridge, "pods_list", {})).toEqual({ namespace: "default" });
      const scoped = bridge.scope();
      expect((await failure(scoped.callTool("schema-shapes", "toString", {}))).code).toBe("TOOL_DENIED");
      await scoped.close();
    } finally {
      await bridge.close();
    }
  });

  it("introspect() gives the manifest without the denied tools, fingerprint unchanged", async () => {
    const open = bridgeOf({ servers: [shapes()] });
    const limited = bridgeOf({ servers: [shapes({ disabledTools: ["*_*"] })] });
    try {
      const full = await open.introspect("schema-shapes");
      const filtered = await limited.introspect("schema-shapes");
      expect(filtered.tools.map((tool) => tool.name).sort()).toEqual([
        "configure",
        "constructor",
        "hasOwnProperty",
        "toString",
        "valueOf",
      ]);
      expect(full.tools.length).toBe(10);
      expect(filtered.fingerprint).toEqual(full.fingerprint);
      // An unknown tool's message lists only the tools that may be called.
      const unknown = await failure(limited.callTool("schema-shapes", "nope", {}));
      expect(unknown.code).toBe("TOOL_UNKNOWN");
      expect(unknown.details?.available).not.toContain("pods_list");
    } finally {
      await Promise.all([open.close(), limited.close()]);
    }
  });
});
