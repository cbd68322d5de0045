// Tool-call overhead of the bridge: a warm `callTool` through the bridge against the same call on a
// bare MCP SDK Client, in the same run, each talking to its own server-everything over stdio.
// Also: the introspector's connection alone, 10 parallel calls, and a cache hit.
// Run: pnpm build && node benches/run.mjs bridge
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createBridge } from "../packages/bridge/dist/index.js";
import { connectServer } from "../packages/introspector/dist/index.js";
import { measure, percentile, printTable } from "./lib/measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const everything = join(root, "node_modules", ".bin", "mcp-server-everything");
const config = (name) => ({
  name,
  source: "bench",
  transport: "stdio",
  command: everything,
  args: ["stdio"],
  env: {},
  disabled: false,
  cache: [],
});
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
  return cases.map(([name]) => {
    const sorted = samples.get(name).sort((a, b) => a - b);
    return {
      name,
      samples: sorted,
      median: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      min: sorted[0],
    };
  });
}

const sdkTransport = new StdioClientTransport({ command: everything, args: ["stdio"], stderr: "ignore" });
const sdk = new Client({ name: "bench", version: "0" });
await sdk.connect(sdkTransport);
await sdk.listTools();

const connection = await connectServer(config("everything"), { environment: process.env });
const bridge = createBridge({
  servers: [config("everything")],
  cache: false,
  connect: { environment: process.env },
});
const cached = createBridge({ servers: [config("everything")], connect: { environment: process.env } });
await bridge.callTool("everything", "echo", ARGS);
await cached.callTool("everything", "echo", ARGS);

try {
  const single = await interleaved([
    ["SDK Client.callTool", () => sdk.callTool({ name: "echo", arguments: ARGS })],
    ["introspector connection.callTool", () => connection.callTool("echo", ARGS)],
    ["bridge.callTool (cache off)", () => bridge.callTool("everything", "echo", ARGS)],
  ]);
  printTable("warm callTool echo, sequential (stdio, server-everything)", single, "SDK Client.callTool");

  const parallel = await interleaved(
    [
      [
        "SDK Client, 10 parallel",
        () => Promise.all(Array.from({ length: 10 }, () => sdk.callTool({ name: "echo", arguments: ARGS }))),
      ],
      [
        "bridge, 10 parallel (cache off)",
        () => Promise.all(Array.from({ length: 10 }, () => bridge.callTool("everything", "echo", ARGS))),
      ],
    ],
    { iterations: 100 },
  );
  printTable("10 parallel echo calls", parallel, "SDK Client, 10 parallel");

  const hits = await interleaved([
    ["SDK Client.callTool", () => sdk.callTool({ name: "echo", arguments: ARGS })],
    ["bridge.callTool, cache hit", () => cached.callTool("everything", "echo", ARGS)],
  ]);
  printTable("cache hit (echo is readOnlyHint: true)", hits, "SDK Client.callTool");

  const base = single.find((row) => row.name === "SDK Client.callTool");
  const through = single.find((row) => row.name === "bridge.callTool (cache off)");
  const viaConnection = single.find((row) => row.name === "introspector connection.callTool");
  const us = (ms) => `${(ms * 1000).toFixed(1)} us`;
  console.log(
    `\nbridge overhead per call (median difference to the bare SDK Client): ${us(through.median - base.median)}` +
      ` (of which the introspector connection: ${us(viaConnection.median - base.median)});` +
      ` p90 difference: ${us(through.p90 - base.p90)}; target < 50 us`,
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
