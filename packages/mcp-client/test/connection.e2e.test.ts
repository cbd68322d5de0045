/**
 * Connections to real servers over real transports: server-everything over stdio, Streamable HTTP
 * and SSE, and the misbehaving fixture servers of test/fixtures/servers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Diagnostic, McpCliError } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  eventually,
  freePort,
  processAlive,
  type RunningServer,
  startEverythingHttp,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { connectServer, type ServerConnection } from "../src/index.js";
import { everythingStdio, fixtureConfig, remoteConfig, stdioConfig } from "./configs.js";
import { failure } from "./outcomes.js";

const environment = process.env;

function text(result: { content: readonly { type: string; text?: unknown }[] }): string {
  return result.content.map((block) => String(block.text)).join("");
}

afterAll(async () => {
  // Every test closes what it opens: nothing this process spawned may still run.
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

describe("stdio", () => {
  it("connects to server-everything, reports what initialize said, and stops the process on close", async () => {
    const connection = await connectServer(everythingStdio(), { environment });
    expect(connection.transport).toBe("stdio");
    expect(connection.serverInfo.name).toBe("mcp-servers/everything");
    expect(connection.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(connection.capabilities.tools).toBeDefined();
    expect(connection.instructions).toContain("Everything");
    const pid = connection.pid as number;
    expect(processAlive(pid)).toBe(true);
    const result = await connection.callTool("echo", { message: "hello" });
    expect(result).toEqual({ content: [{ type: "text", text: "Echo: hello" }], isError: false });
    await connection.close();
    await connection.close(); // idempotent
    expect(connection.closed).toBe(true);
    expect(processAlive(pid)).toBe(false);
    const closed = await failure(connection.callTool("echo", { message: "again" }));
    expect(closed.code).toBe("CONNECTION_CLOSED");
  });

  it("gives the server the ADR-002 environment: config env, machine variables, no secrets", async () => {
    const connection = await connectServer(everythingStdio({ env: { FROM_CONFIG: "yes" } }), {
      environment: { ...process.env, MCP_TEST_SECRET_TOKEN: "do-not-pass", LANG: "C.UTF-8" },
    });
    try {
      const env = JSON.parse(text(await connection.callTool("get-env", {}))) as Record<string, string>;
      expect(env.FROM_CONFIG).toBe("yes");
      expect(env.LANG).toBe("C.UTF-8");
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.MCP_TEST_SECRET_TOKEN).toBeUndefined();
    } finally {
      await connection.close();
    }
  });

  it("reports a command that does not exist as CONNECT_FAILED", async () => {
    const error = await failure(
      connectServer(stdioConfig("missing", "/nonexistent/mcp-server-binary", []), { environment }),
    );
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.message).toContain("/nonexistent/mcp-server-binary");
    expect(error.message).toContain("command not found");
    expect(error.details).toMatchObject({ server: "missing", errno: "ENOENT" });
  });

  it("shows the stderr tail of a server that exits while starting", async () => {
    const error = await failure(connectServer(fixtureConfig("crash", ["--crash-on-start"]), { environment }));
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.message).toContain("exited with code 1");
    expect(error.message).toContain("FIXTURE_API_KEY is not set");
    expect(error.details).toMatchObject({ server: "crash", exitCode: 1 });
    expect(String(error.details?.stderr)).toContain("FIXTURE_API_KEY");
  });

  it("times out a server that starts slower than startupTimeout, and connects when given time", async () => {
    const slow = fixtureConfig("slow-start", ["--delay", "3000"], { startupTimeoutMs: 700 });
    const error = await failure(connectServer(slow, { environment, killGraceMs: 200 }));
    expect(error.code).toBe("TIMEOUT");
    expect(error.details).toMatchObject({ server: "slow-start", phase: "startup", timeoutMs: 700 });
    expect(error.message).toContain("warming up");

    const patient = await connectServer(fixtureConfig("slow-start", ["--delay", "300"]), {
      environment,
      startupTimeoutMs: 10_000,
    });
    expect(text(await patient.callTool("echo", { message: "finally" }))).toBe("finally");
    await patient.close();
  });

  it("times out a server that never answers initialize", async () => {
    const error = await failure(
      connectServer(fixtureConfig("hang", ["--no-initialize"]), {
        environment,
        startupTimeoutMs: 500,
        killGraceMs: 200,
      }),
    );
    expect(error.code).toBe("TIMEOUT");
  });

  it("turns a server that only writes garbage to stdout into PROTOCOL_ERROR", async () => {
    const error = await failure(
      connectServer(fixtureConfig("garbage"), { environment, startupTimeoutMs: 3_000 }),
    );
    expect(error.code).toBe("PROTOCOL_ERROR");
    expect(error.message).toContain("not JSON-RPC");
    expect(error.message).toContain("this is not an MCP server");
    expect(error.details).toMatchObject({ server: "garbage" });
    expect(Number(error.details?.ignoredLines)).toBeGreaterThan(0);
  });

  it("skips non-JSON-RPC lines of an otherwise working server and warns about them", async () => {
    const diagnostics: Diagnostic[] = [];
    const connection = await connectServer(fixtureConfig("garbage", ["--banner"]), {
      environment,
      diagnostics: (diagnostic) => diagnostics.push(diagnostic),
    });
    try {
      expect(text(await connection.callTool("garble", {}))).toBe("still here");
      expect(text(await connection.callTool("echo", { message: "ok" }))).toBe("ok");
      const warnings = diagnostics.filter((diagnostic) => diagnostic.level === "warn");
      expect(warnings.map((warning) => warning.source)).toEqual([
        "server:garbage",
        "server:garbage",
        "server:garbage",
      ]);
      expect(warnings[0]?.message).toContain("Starting fixture server");
    } finally {
      await connection.close();
    }
  });

  it("passes server stderr to the diagnostics listener as info lines", async () => {
    const diagnostics: Diagnostic[] = [];
    const connection = await connectServer(fixtureConfig("slow-start", ["--delay", "0"]), {
      environment,
      diagnostics: (diagnostic) => diagnostics.push(diagnostic),
    });
    await connection.close();
    expect(diagnostics).toContainEqual({ level: "info", message: "warming up", source: "server:slow-start" });
    expect(connection.stderrTail()).toContain("warming up");
  });

  it("fails a request the server never answers with TIMEOUT and keeps the connection usable", async () => {
    const connection = await connectServer(fixtureConfig("hang"), { environment });
    try {
      const error = await failure(connection.callTool("hang", {}, { timeoutMs: 300 }));
      expect(error.code).toBe("TIMEOUT");
      expect(error.details).toMatchObject({
        server: "hang",
        tool: "hang",
        method: "tools/call",
        timeoutMs: 300,
      });
      expect(text(await connection.callTool("echo", { message: "alive" }))).toBe("alive");
    } finally {
      await connection.close();
    }
  });

  it("sends notifications/cancelled when the caller aborts, and rejects with CANCELLED", async () => {
    const connection = await connectServer(fixtureConfig("hang"), { environment });
    try {
      const controller = new AbortController();
      const pending = connection.callTool("hang", {}, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      const error = await failure(pending);
      expect(error.code).toBe("CANCELLED");
      expect(error.details).toMatchObject({ server: "hang", tool: "hang" });
      const seen = async () =>
        (JSON.parse(text(await connection.callTool("cancellations", {}))) as unknown[]).length === 1;
      expect(await eventually(seen, 3_000)).toBe(true);
      // A finished request is not cancelled later when a long-lived signal aborts.
      const session = new AbortController();
      await connection.callTool("echo", { message: "done" }, { signal: session.signal });
      session.abort();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(JSON.parse(text(await connection.callTool("cancellations", {})))).toHaveLength(1);
      // Already aborted: nothing is sent.
      expect((await failure(connection.callTool("hang", {}, { signal: session.signal }))).code).toBe(
        "CANCELLED",
      );
    } finally {
      await connection.close();
    }
  });

  it("rejects a pending call with CONNECTION_CLOSED when the server exits mid-call", async () => {
    const connection = await connectServer(fixtureConfig("crash"), { environment });
    const closes: (McpCliError | undefined)[] = [];
    connection.onClose((error) => closes.push(error));
    const error = await failure(connection.callTool("crash", {}));
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.message).toContain("exited with code 3");
    expect(error.message).toContain("simulated crash");
    expect(error.details).toMatchObject({ server: "crash", tool: "crash", exitCode: 3 });
    expect(connection.closed).toBe(true);
    expect(closes).toHaveLength(1);
    expect(closes[0]?.code).toBe("CONNECTION_CLOSED");
    expect((await failure(connection.callTool("echo", { message: "x" }))).code).toBe("CONNECTION_CLOSED");
    await connection.close();
  });

  it("stops a server that ignores stdin and SIGTERM, and the children it started", async () => {
    const connection = await connectServer(fixtureConfig("hang", ["--ignore-signals", "--spawn-child"]), {
      environment,
      killGraceMs: 200,
    });
    const pid = connection.pid as number;
    const grandchild = JSON.parse(text(await connection.callTool("child-pid", {}))) as number;
    expect(processAlive(grandchild)).toBe(true);
    await connection.close();
    expect(processAlive(pid)).toBe(false);
    expect(await eventually(() => !processAlive(grandchild), 2_000)).toBe(true);
  });

  it("closes the connection with LIMIT_SIZE when a message exceeds maxMessageBytes", async () => {
    const connection = await connectServer(fixtureConfig("big"), { environment, maxMessageBytes: 1_000_000 });
    const error = await failure(connection.callTool("big", { bytes: 2_000_000 }));
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ server: "big", tool: "big", limitBytes: 1_000_000 });
    expect(connection.closed).toBe(true);
    await connection.close();
  });

  it("carries a 5 MB answer within the default message limit", async () => {
    const connection = await connectServer(fixtureConfig("big"), { environment });
    try {
      const result = await connection.callTool("big", {});
      expect(text(result)).toHaveLength(5_000_000);
    } finally {
      await connection.close();
    }
  });

  it("cancels a connection attempt with the caller's signal", async () => {
    const controller = new AbortController();
    const attempt = connectServer(fixtureConfig("slow-start", ["--delay", "5000"]), {
      environment,
      killGraceMs: 200,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    expect((await failure(attempt)).code).toBe("CANCELLED");
  });
});

describe("remote", () => {
  const running: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
  });

  it("connects to server-everything over Streamable HTTP", async () => {
    const server = await startEverythingHttp("streamableHttp");
    running.push(server);
    for (const transport of ["auto", "streamable-http"] as const) {
      const connection = await connectServer(remoteConfig("everything-http", server.url, transport));
      expect(connection.transport).toBe("streamable-http");
      expect(connection.pid).toBeUndefined();
      expect(text(await connection.callTool("echo", { message: "over http" }))).toBe("Echo: over http");
      await connection.close();
    }
  });

  it("falls back to SSE on a fresh client when the server does not speak Streamable HTTP", async () => {
    const server = await startEverythingHttp("sse");
    running.push(server);
    const diagnostics: Diagnostic[] = [];
    const connection = await connectServer(remoteConfig("everything-sse", server.url, "auto"), {
      diagnostics: (diagnostic) => diagnostics.push(diagnostic),
    });
    expect(connection.transport).toBe("sse");
    expect(text(await connection.callTool("echo", { message: "over sse" }))).toBe("Echo: over sse");
    await connection.close();
    expect(diagnostics.some((diagnostic) => diagnostic.message.includes("trying SSE"))).toBe(true);

    const forced = await connectServer(remoteConfig("everything-sse", server.url, "sse"));
    expect(forced.transport).toBe("sse");
    await forced.close();
  });

  it("serves a fixture over HTTP, and reports AUTH_REQUIRED / AUTH_REFUSED without trying SSE", async () => {
    const server = await startHttpFixture("results", ["--require-token", "s3cret"]);
    running.push(server);
    const missing = await failure(connectServer(remoteConfig("protected", server.url)));
    expect(missing.code).toBe("AUTH_REQUIRED");
    expect(missing.details).toMatchObject({ server: "protected", status: 401 });
    const wrong = await failure(
      connectServer(
        remoteConfig("protected", server.url, "auto", { headers: { Authorization: "Bearer nope" } }),
      ),
    );
    expect(wrong.code).toBe("AUTH_REFUSED");
    expect(wrong.message).not.toContain("nope");
    const connection = await connectServer(
      remoteConfig("protected", server.url, "auto", { headers: { Authorization: "Bearer s3cret" } }),
    );
    expect(connection.transport).toBe("streamable-http");
    expect(text(await connection.callTool("plain-text", {}))).toBe("just words");
    await connection.close();
  });

  it("reports an unreachable server as CONNECT_FAILED without falling back", async () => {
    const port = await freePort();
    const error = await failure(
      connectServer(remoteConfig("nobody", `http://127.0.0.1:${port}/mcp?key=hidden`)),
    );
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).not.toContain("hidden");
  });

  it("rejects a URL that is not http(s) as CONFIG_INVALID", async () => {
    const error = await failure(connectServer(remoteConfig("ftp", "ftp://127.0.0.1/mcp")));
    expect(error.code).toBe("CONFIG_INVALID");
  });

  it("reports a crashed HTTP server as CONNECTION_CLOSED on the next request", async () => {
    const server = await startHttpFixture("results");
    const connection: ServerConnection = await connectServer(remoteConfig("results-http", server.url));
    expect(text(await connection.callTool("plain-text", {}))).toBe("just words");
    await server.stop();
    const error = await failure(connection.callTool("plain-text", {}));
    expect(error.code).toBe("CONNECTION_CLOSED");
    await connection.close();
  });
});

describe("state directory fixture", () => {
  it("the changing-tools fixture needs --state", async () => {
    const directory = mkdtempSync(join(tmpdir(), "mcp-client-"));
    try {
      const connection = await connectServer(
        fixtureConfig("changing-tools", ["--state", join(directory, "n")]),
        {
          environment,
        },
      );
      expect(text(await connection.callTool("generation", {}))).toBe("1");
      await connection.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
