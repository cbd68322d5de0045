// The baseline is the bare official client our MCP client is built on: the SDK's v2 Client (ADR-009).
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { createBridge } from "../packages/bridge/dist/index.js";
import { connectServer } from "../packages/mcp-client/dist/index.js";
import { EVERYTHING_BIN as everything, everythingEntry } from "../test/fixtures/servers/harness.mjs";
import { measure, printTable, summarize } from "./lib/measure.mjs";

const ARGS = { message: "hello" };
const ROUNDS = 5;
const PER_ROUND = 400;

/** Runs each case in turn, ROUNDS times, so drift on a busy machine hits every case alike. */
async function interleaved(cases, { rounds = ROUNDS, iterations = PER_ROUND, warmup = 50 } = {}) {
  const samples = new Map(cases.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of cases) {
      const result = await measure(name, fn, { iterations, warmup: round === 0 ? warmup : 5 });
      samples.get(name).push(...result.samples);
    }
  }
  return cases.map(([name]) => summarize(name, samples.get(name)));
}

const sdkTransport = new StdioClientTransport({ command: everything, args: ["stdio"], stderr: "ignore" });
const sdk = new Client({ name: "bench", version: "0" });
await sdk.connect(sdkTransport);
await sdk.listTools();

const connection = await connectServer(everythingEntry(), { environment: process.env });
const bridge = createBridge({
  servers: [everythingEntry()],
  cache: false,
  connect: { environment: process.env },
});
const cached = createBridge({ servers: [everythingEntry()], connect: { environment: process.env } });
await bridge.callTool("everything", "echo", ARGS);
await cached.callTool("everything", "echo", ARGS);

try {
  const single = await interleaved([
    ["SDK v2 Client.callTool", () => sdk.callTool({ name: "echo", arguments: ARGS })],
    ["mcp-client connection.callTool", () => connection.callTool("echo", ARGS)],
    ["bridge.callTool (cache off)", () => bridge.callTool("everything", "echo", ARGS)],
  ]);
  printTable("warm callTool echo, sequential (stdio, server-everything)", single, "SDK v2 Client.callTool");

  const parallel = await interleaved(
    [
      [
        "SDK v2 Client, 10 parallel",
        () => Promise.all(Array.from({ length: 10 }, () => sdk.callTool({ name: "echo", arguments: ARGS }))),
      ],
      [
        "bridge, 10 parallel (cache off)",
        () => Promise.all(Array.from({ length: 10 }, () => bridge.callTool("everything", "echo", ARGS))),
      ],
    ],
    { iterations: 100 },
  );
  printTable("10 parallel echo calls", parallel, "SDK v2 Client, 10 parallel");

  const hits = await interleaved([
    ["SDK v2 Client.callTool", () => sdk.callTool({ name: "echo", arguments: ARGS })],
    ["bridge.callTool, cache hit", () => cached.callTool("everything", "echo", ARGS)],
  ]);
  printTable("cache hit (echo is readOnlyHint: true)", hits, "SDK v2 Client.callTool");

  const base = single.find((row) => row.name === "SDK v2 Client.callTool");
  const through = single.find((row) => row.name === "bridge.callTool (cache off)");
  const viaConnection = single.find((row) => row.name === "mcp-client connection.callTool");
  const us = (ms) => `${(ms * 1000).toFixed(1)} us`;
  const p10 = (row) => row.samples[Math.floor(row.samples.length * 0.1)];
  console.log(
    `\nbridge overhead per call (median difference to the bare SDK v2 Client): ${us(through.median - base.median)}` +
      ` (of which the MCP client (mcp-client) connection: ${us(viaConnection.median - base.median)});` +
      ` p90 difference: ${us(through.p90 - base.p90)}; target < 50 us`,
  );
  // Each case talks to its own server-everything process, so on a loaded machine the medians mostly
  // measure which server got the CPU; the fast end of each distribution shows the client-side cost.
  console.log(
    `fast end (p10 / min difference to the bare SDK v2 Client): bridge ${us(p10(through) - p10(base))} / ${us(through.min - base.min)},` +
      ` connection ${us(p10(viaConnection) - p10(base))} / ${us(viaConnection.min - base.min)}`,
  );
  console.log(`cache hit median: ${us(hits.find((row) => row.name.includes("cache hit")).median)}`);
  const stats = cached.stats();
  console.log(
    `cached bridge stats: ${stats.calls} calls, ${stats.cacheHits} hits, ${stats.cacheMisses} misses`,
  );
} finally {
  await sdk.close();
  await connection.close();
  await bridge.close();
  await cached.close();
}
