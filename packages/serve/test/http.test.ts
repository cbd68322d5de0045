/**
 * `startHttpServe` in-process with the real SDK v2 server and client: the paths of serve's own
 * Node adapter (web-handler.ts) that the code-mode tools do not take: an answer upgraded to an
 * event stream, a body over the cap sent without a length, and a body that is not JSON.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { fromJsonSchema, McpServer } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServe, startHttpServe } from "../src/http.js";
import { ServeMetrics } from "../src/metrics.js";

const MAX_REQUEST_BYTES = 64 * 1024;
const COUNT_INPUT = fromJsonSchema<{ steps: number }>({
  type: "object",
  properties: { steps: { type: "integer", minimum: 1, maximum: 10 } },
  required: ["steps"],
});

/**
 * Opened by the client when it has seen the first progress notification. The tool waits for it
 * before it goes on, so an answer held back until the end (not streamed) never finishes.
 */
let firstProgressSeen: Promise<void> = Promise.resolve();

/** One tool that reports progress before its result: the SDK then answers as an event stream. */
function factory(): McpServer {
  const server = new McpServer({ name: "http-test", version: "1" }, { capabilities: { tools: {} } });
  server.registerTool("count", { inputSchema: COUNT_INPUT }, async ({ steps }, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (let step = 1; step <= steps && token !== undefined; step++) {
      await ctx.mcpReq.notify({
        method: "notifications/progress",
        params: { progressToken: token, progress: step, total: steps },
      });
      if (step === 1) await firstProgressSeen;
    }
    return { content: [{ type: "text", text: `counted ${steps}` }] };
  });
  return server;
}

let serve: HttpServe;
const metrics = new ServeMetrics();

beforeAll(async () => {
  serve = await startHttpServe({
    host: "127.0.0.1",
    port: 0,
    maxRequestBytes: MAX_REQUEST_BYTES,
    factory,
    metrics,
    health: () => ({}),
  });
});

afterAll(() => serve.close());

async function limitSizeErrors(): Promise<number> {
  const metric = await metrics.errors.get();
  return metric.values.find((value) => value.labels.code === "LIMIT_SIZE")?.value ?? 0;
}

describe("startHttpServe", () => {
  for (const mode of ["auto", "legacy"] as const) {
    it(`streams an answer that carries notifications before its result, as they happen (${mode === "auto" ? "2026-07-28" : "2025 era"})`, async () => {
      const client = new Client({ name: "http-test", version: "1" }, { versionNegotiation: { mode } });
      await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
      try {
        const progress: number[] = [];
        let seen = () => {};
        firstProgressSeen = new Promise((resolve) => {
          seen = resolve;
        });
        const result = await client.callTool(
          { name: "count", arguments: { steps: 3 } },
          {
            onprogress: (update) => {
              progress.push(update.progress);
              seen();
            },
          },
        );
        expect(result.content).toEqual([{ type: "text", text: "counted 3" }]);
        expect(progress).toEqual([1, 2, 3]);
      } finally {
        await client.close();
      }
    });
  }

  it("answers 413 to a body over the cap sent without a length, counts LIMIT_SIZE, and keeps serving", async () => {
    const before = await limitSizeErrors();
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Twice the cap, in chunks, so no content-length can announce it.
        if (sent >= 2 * MAX_REQUEST_BYTES) controller.close();
        else {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        }
      },
    });
    const answer = await fetch(serve.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({ error: { code: -32000 } });
    expect(await limitSizeErrors()).toBe(before + 1);

    const client = new Client({ name: "http-test", version: "1" }, { versionNegotiation: { mode: "auto" } });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["count"]);
    await client.close();
  });

  it("hands a body that is not JSON to the SDK, which answers it with a parse error", async () => {
    const answer = await fetch(serve.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{ not json",
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
  });

  it("answers 408 and closes the connection when a body trickles in slower than the request timeout", async () => {
    const slow = await startHttpServe({
      host: "127.0.0.1",
      port: 0,
      maxRequestBytes: MAX_REQUEST_BYTES,
      requestTimeoutMs: 300,
      factory,
      metrics: new ServeMetrics(),
      health: () => ({}),
    });
    try {
      const url = new URL(slow.url);
      const socket = connect(Number(url.port), url.hostname);
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (data: string) => {
        received += data;
      });
      // Promises 100 bytes and sends 2: the request never completes, whatever the machine's speed.
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"`,
      );
      await once(socket, "close");
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await slow.close();
    }
  });
});
