/**
 * Both MCP protocol eras (ADR-009) over stdio and Streamable HTTP: server-everything (2025 era),
 * an SDK v2 server that refuses 2025-era clients, and an SDK v2 server that speaks both. Also
 * the client capabilities (elicitation, roots), list-changed notifications, progress, resources,
 * prompts and every content kind, each against a real server.
 */
import type { ProtocolPreference, ResolvedServerConfig } from "@mcp-execution/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  eventually,
  type RunningServer,
  startEverythingHttp,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { type ConnectOptions, connectServer, type ServerConnection } from "../src/index.js";
import { introspect } from "../src/introspect.js";
import { everythingStdio, fixtureConfig, remoteConfig } from "./configs.js";
import { failure, text } from "./outcomes.js";

const environment = process.env;

async function withConnection<T>(
  config: ResolvedServerConfig,
  options: ConnectOptions,
  body: (connection: ServerConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectServer(config, { environment, ...options });
  try {
    return await body(connection);
  } finally {
    await connection.close();
  }
}

const running: RunningServer[] = [];
let dualUrl = "";
let modernOnlyUrl = "";
let everythingUrl = "";

beforeAll(async () => {
  const [dual, modernOnly, everything] = await Promise.all([
    startHttpFixture("two-eras"),
    startHttpFixture("two-eras", ["--legacy", "reject"]),
    startEverythingHttp("streamableHttp"),
  ]);
  running.push(dual, modernOnly, everything);
  dualUrl = dual.url;
  modernOnlyUrl = modernOnly.url;
  everythingUrl = everything.url;
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

type Target = () => ResolvedServerConfig;
const targets: Record<string, { stdio: Target; http: Target }> = {
  dual: {
    stdio: () => fixtureConfig("two-eras"),
    http: () => remoteConfig("two-eras", dualUrl, "streamable-http"),
  },
  "modern-only": {
    stdio: () => fixtureConfig("two-eras", ["--legacy", "reject"]),
    http: () => remoteConfig("two-eras", modernOnlyUrl, "streamable-http"),
  },
  everything: {
    stdio: () => everythingStdio(),
    http: () => remoteConfig("everything", everythingUrl, "auto"),
  },
};

/** [server, protocol, expected era or the error code]. */
const matrix: readonly [string, ProtocolPreference, "legacy" | "modern" | "CONNECT_FAILED"][] = [
  ["dual", "auto", "modern"],
  ["dual", "legacy", "legacy"],
  ["dual", "modern", "modern"],
  ["modern-only", "auto", "modern"],
  ["modern-only", "legacy", "CONNECT_FAILED"],
  ["everything", "auto", "legacy"],
  ["everything", "modern", "CONNECT_FAILED"],
];

for (const transport of ["stdio", "http"] as const) {
  describe(`protocol eras over ${transport}`, () => {
    for (const [server, protocol, expected] of matrix) {
      it(`${server} with protocol ${protocol}: ${expected}`, async () => {
        const config = (targets[server] as { stdio: Target; http: Target })[transport]();
        if (expected === "CONNECT_FAILED") {
          const error = await failure(
            connectServer(config, { environment, protocol, startupTimeoutMs: 20_000 }),
          );
          expect(error.code).toBe("CONNECT_FAILED");
          return;
        }
        await withConnection(config, { protocol, startupTimeoutMs: 20_000 }, async (connection) => {
          expect(connection.protocolEra).toBe(expected);
          if (expected === "modern") expect(connection.protocolVersion).toBe("2026-07-28");
          else expect(connection.protocolVersion).toMatch(/^2025-/);
          if (server === "everything") {
            expect(text(await connection.callTool("echo", { message: "hi" }))).toBe("Echo: hi");
          } else {
            expect(text(await connection.callTool("era", {}))).toBe(expected);
          }
          const manifest = await introspect(connection);
          expect(manifest.protocolEra).toBe(expected);
          expect(manifest.protocolVersion).toBe(connection.protocolVersion);
        });
      }, 60_000);
    }
  });
}

it("a pinned legacy client gets a clear CONNECT_FAILED from a server that refuses the 2025 era", async () => {
  const error = await failure(
    connectServer(fixtureConfig("two-eras", ["--legacy", "reject"]), { environment, protocol: "legacy" }),
  );
  expect(error.code).toBe("CONNECT_FAILED");
  expect(error.message).toContain("does not speak the requested MCP protocol revision");
  expect(error.details?.rpcCode).toBe(-32022);
});

it("the configuration's protocol key pins the era when no option overrides it", async () => {
  const config = { ...fixtureConfig("two-eras"), protocol: "legacy" } as ResolvedServerConfig;
  await withConnection(config, {}, async (connection) => {
    expect(connection.protocolEra).toBe("legacy");
  });
});

for (const protocol of ["legacy", "modern"] as const) {
  describe(`client capabilities on the ${protocol} era (stdio)`, () => {
    it("answers elicitation with the caller's handler, and declines without one", async () => {
      const asked: string[] = [];
      await withConnection(
        fixtureConfig("two-eras"),
        {
          protocol,
          elicitation: async (request) => {
            asked.push(request.message);
            return { action: "accept", content: { name: "Ada" } };
          },
        },
        async (connection) => {
          expect(text(await connection.callTool("ask", {}))).toBe("hello Ada");
        },
      );
      expect(asked).toEqual(["What is your name?"]);
      const warnings: string[] = [];
      await withConnection(
        fixtureConfig("two-eras"),
        { protocol, diagnostics: (d) => d.level === "warn" && warnings.push(d.message) },
        async (connection) => {
          expect(text(await connection.callTool("ask", {}))).toBe("declined");
        },
      );
      expect(warnings.some((line) => line.includes("declined the server's request for input"))).toBe(true);
    }, 60_000);

    it("offers the given roots", async () => {
      await withConnection(
        fixtureConfig("two-eras"),
        { protocol, roots: [{ uri: "file:///project", name: "project" }] },
        async (connection) => {
          expect(JSON.parse(text(await connection.callTool("roots", {})))).toEqual([
            { uri: "file:///project", name: "project" },
          ]);
        },
      );
    }, 60_000);

    it("passes progress notifications to onProgress", async () => {
      await withConnection(fixtureConfig("two-eras"), { protocol }, async (connection) => {
        const updates: unknown[] = [];
        const result = await connection.callTool(
          "progress",
          { steps: 3 },
          { onProgress: (u) => updates.push(u) },
        );
        expect(text(result)).toBe("done");
        expect(updates).toEqual(
          [1, 2, 3].map((step) => ({ progress: step, total: 3, message: `step ${step}` })),
        );
      });
    }, 60_000);

    it("reads text and binary resources, gets prompts and keeps every content kind", async () => {
      await withConnection(fixtureConfig("two-eras"), { protocol }, async (connection) => {
        expect(await connection.readResource("fixture://text")).toEqual({
          contents: [{ uri: "fixture://text", mimeType: "text/plain", text: "hello from a resource" }],
        });
        const binary = await connection.readResource("fixture://binary");
        expect(binary.contents[0]?.mimeType).toBe("image/png");
        expect(
          Buffer.from(binary.contents[0]?.blob ?? "", "base64")
            .subarray(1, 4)
            .toString(),
        ).toBe("PNG");
        const prompt = await connection.getPrompt("greet", { name: "Ada" });
        expect(prompt.messages).toEqual([
          { role: "user", content: { type: "text", text: "Say hello to Ada" } },
        ]);
        const mixed = await connection.callTool("mixed", {});
        expect(mixed.content.map((block) => block.type)).toEqual([
          "text",
          "image",
          "audio",
          "resource_link",
          "resource",
        ]);
        const missing = await failure(connection.readResource("fixture://missing"));
        expect(missing.code).toBe("PROTOCOL_ERROR");
      });
    }, 60_000);

    it("reports list-changed notifications so cached manifests can be dropped", async () => {
      await withConnection(fixtureConfig("two-eras"), { protocol }, async (connection) => {
        const changes: string[] = [];
        connection.onListChanged((kind) => changes.push(kind));
        let toolsChanged = 0;
        connection.onToolsChanged(() => toolsChanged++);
        expect(text(await connection.callTool("add-tool", {}))).toBe("added");
        expect(await eventually(() => changes.includes("tools"))).toBe(true);
        expect(toolsChanged).toBeGreaterThan(0);
        const tools = await connection.listTools();
        expect(tools.items.map((tool) => tool.name)).toContain("late");
      });
    }, 60_000);
  });
}

it("keeps each tool's title, annotations, outputSchema and _meta as sent", async () => {
  await withConnection(fixtureConfig("two-eras"), {}, async (connection) => {
    const manifest = await introspect(connection);
    const echo = manifest.tools.find((tool) => tool.name === "echo");
    expect(echo?._meta).toEqual({ "fixture/owner": "tests" });
    expect(echo?.annotations?.readOnlyHint).toBe(true);
    expect(echo?.outputSchema).toBeDefined();
  });
}, 60_000);

it("server-everything shows its 3 capability-gated tools to this client (elicitation, roots, sampling), and sampling is declined", async () => {
  await withConnection(everythingStdio(), { roots: [{ uri: "file:///project" }] }, async (connection) => {
    const names = async (): Promise<string[]> =>
      (await connection.listTools()).items.map((tool) => tool.name);
    // The server registers those tools once initialization is complete.
    expect(await eventually(async () => (await names()).includes("get-roots-list"))).toBe(true);
    const after = await names();
    expect(after).toContain("trigger-elicitation-request");
    expect(after).toContain("trigger-sampling-request");
    const declined = await connection.callTool("trigger-sampling-request", { prompt: "hi" });
    expect(declined.isError).toBe(true);
    expect(text(declined)).toContain("mcp-cli declines sampling");
  });
}, 60_000);

describe("task-augmented tool calls (server-everything's simulate-research-query)", () => {
  it("creates the task, polls it to completion and passes its status messages to onProgress", async () => {
    await withConnection(everythingStdio(), {}, async (connection) => {
      await connection.listTools();
      const updates: { message?: string }[] = [];
      const result = await connection.callTool(
        "simulate-research-query",
        { topic: "tides" },
        { timeoutMs: 30_000, onProgress: (update) => updates.push(update) },
      );
      expect(result.isError).toBe(false);
      expect(text(result)).toContain("Research Report: tides");
      expect(updates.length).toBeGreaterThan(0);
    });
  }, 60_000);

  it("gives up with TIMEOUT when the task outlives the request timeout, and the connection stays usable", async () => {
    await withConnection(everythingStdio(), {}, async (connection) => {
      await connection.listTools();
      const error = await failure(
        connection.callTool("simulate-research-query", { topic: "tides" }, { timeoutMs: 300 }),
      );
      expect(error.code).toBe("TIMEOUT");
      expect(text(await connection.callTool("echo", { message: "still here" }))).toBe("Echo: still here");
    });
  }, 60_000);
});

describe("OAuth provider", () => {
  it("hands the provider to the HTTP transport, and a failed OAuth flow is AUTH_REQUIRED (no SSE attempt)", async () => {
    const server = await startHttpFixture("results", ["--require-token", "s3cret"]);
    running.push(server);
    const asked: string[] = [];
    const authProvider = {
      redirectUrl: "http://127.0.0.1:9/callback",
      clientMetadata: { redirect_uris: ["http://127.0.0.1:9/callback"], client_name: "mcp-cli test" },
      clientInformation: () => {
        asked.push("clientInformation");
        return undefined;
      },
      saveClientInformation: () => {},
      tokens: () => {
        asked.push("tokens");
        return undefined;
      },
      saveTokens: () => {},
      redirectToAuthorization: () => {},
      saveCodeVerifier: () => {},
      codeVerifier: () => "verifier",
    } as unknown as NonNullable<ConnectOptions["authProvider"]>;
    const error = await failure(connectServer(remoteConfig("protected", server.url), { authProvider }));
    expect(error.code).toBe("AUTH_REQUIRED");
    expect(error.message).toContain("mcp-cli auth login protected");
    expect(error.details?.streamableHttp).toBeUndefined();
    expect(asked).toContain("tokens");
  }, 60_000);
});

it("over Streamable HTTP on the 2026 era: elicitation, roots when allowed for remote servers, list changes, progress", async () => {
  const answers = { elicitation: async () => ({ action: "accept" as const, content: { name: "Ada" } }) };
  await withConnection(
    remoteConfig("two-eras", dualUrl, "streamable-http"),
    { ...answers, roots: [{ uri: "file:///project" }], rootsForRemoteServers: true },
    async (connection) => {
      expect(connection.protocolEra).toBe("modern");
      expect(text(await connection.callTool("ask", {}))).toBe("hello Ada");
      expect(JSON.parse(text(await connection.callTool("roots", {})))).toEqual([{ uri: "file:///project" }]);
      const changes: string[] = [];
      connection.onListChanged((kind) => changes.push(kind));
      await connection.callTool("add-tool", {});
      expect(await eventually(() => changes.includes("tools"))).toBe(true);
      const updates: unknown[] = [];
      await connection.callTool("progress", { steps: 2 }, { onProgress: (update) => updates.push(update) });
      expect(updates).toHaveLength(2);
    },
  );
}, 60_000);

it("a long-lived caller signal collects no abort listeners across requests, timeouts included", async () => {
  const { EventEmitter } = await import("node:events");
  await withConnection(fixtureConfig("two-eras"), {}, async (connection) => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++)
      await connection.callTool("echo", { text: "x" }, { signal: controller.signal });
    const timedOut = await failure(
      // With a progress token the fixture pauses 50 ms between reports: far beyond the 1 ms timeout.
      connection.callTool(
        "progress",
        { steps: 3 },
        { signal: controller.signal, timeoutMs: 1, onProgress: () => {} },
      ),
    );
    expect(timedOut.code).toBe("TIMEOUT");
    expect(EventEmitter.getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
}, 60_000);
