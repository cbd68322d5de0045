/**
 * Answers are bounded while they stream in: hostile HTTP servers (test/fixtures/servers/hostile-http.mjs)
 * that send a body without end or an event without end get LIMIT_SIZE, and the connection closes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpCliError } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  eventually,
  type RunningServer,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { boundedFetch, DEFAULT_MAX_RESPONSE_BYTES, MAX_ERROR_BODY_BYTES } from "../src/bounded-fetch.js";
import { connectServer } from "../src/index.js";
import { remoteConfig } from "./configs.js";
import { failure } from "./outcomes.js";

const running: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

async function hostile(args: string[]): Promise<string> {
  const server = await startHttpFixture("hostile-http", args);
  running.push(server);
  return server.url;
}

describe("response size limits over HTTP", () => {
  it("cuts a JSON body that never ends at the default limit, and closes the connection", async () => {
    const url = await hostile(["--mode", "huge-body"]);
    const connection = await connectServer(remoteConfig("huge", url, "streamable-http"), {});
    const error = await failure(connection.listTools());
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ server: "huge", limitBytes: DEFAULT_MAX_RESPONSE_BYTES });
    expect(connection.closed).toBe(true);
    await connection.close();
  });

  it("takes the limit from the server's maxResponseBytes", async () => {
    const url = await hostile(["--mode", "huge-body"]);
    const connection = await connectServer(
      remoteConfig("huge", url, "streamable-http", { maxResponseBytes: 100_000 }),
      {},
    );
    const error = await failure(connection.listTools());
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.message).toContain("larger than 100000 bytes");
    expect(error.details).toMatchObject({ limitBytes: 100_000, what: "answer" });
    await connection.close();
  });

  it("cuts a huge body that answers initialize: LIMIT_SIZE, no fallback to SSE", async () => {
    const url = await hostile(["--mode", "huge-body", "--on", "initialize"]);
    const error = await failure(
      connectServer(remoteConfig("huge", url, "auto", { maxResponseBytes: 100_000 }), {}),
    );
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ server: "huge", limitBytes: 100_000 });
  });

  it("cuts a Streamable HTTP event that never ends", async () => {
    const url = await hostile(["--mode", "endless-event"]);
    const connection = await connectServer(
      remoteConfig("endless", url, "streamable-http", { maxResponseBytes: 200_000 }),
      {},
    );
    const error = await failure(connection.listTools());
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ server: "endless", limitBytes: 200_000, what: "event" });
    expect(connection.closed).toBe(true);
    await connection.close();
  });

  it("cuts an event that never ends on the legacy SSE stream", async () => {
    const url = await hostile(["--mode", "endless-event", "--legacy-sse"]);
    const connection = await connectServer(
      remoteConfig("legacy", url, "sse", { maxResponseBytes: 200_000 }),
      {},
    );
    const error = await failure(connection.listTools());
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ server: "legacy", what: "event" });
    await connection.close();
  });
});

describe("boundedFetch", () => {
  it("reads an error answer's body only up to MAX_ERROR_BODY_BYTES, and a good one in full", async () => {
    const server = createServer((request, response) => {
      const status = request.url === "/fail" ? 500 : 200;
      response.writeHead(status, { "content-type": "text/plain" }).end("x".repeat(1_000_000));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const limits: McpCliError[] = [];
    const fetch = boundedFetch({ maxBytes: 2_000_000, onLimit: (error) => limits.push(error) });
    try {
      const failed = await fetch(`${base}/fail`);
      expect(failed.status).toBe(500);
      expect((await failed.text()).length).toBe(MAX_ERROR_BODY_BYTES);
      const ok = await fetch(`${base}/ok`);
      expect((await ok.text()).length).toBe(1_000_000);
      expect(ok.url).toBe(`${base}/ok`);
      expect(limits).toEqual([]);
    } finally {
      server.close();
    }
  });
});
