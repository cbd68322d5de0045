// `mcp-cli serve`: what an execution costs through the code-mode server, beside the bare SDK v2
// doing the same round trip in the same run, plus throughput under 10 concurrent clients and the
// memory of an idle server.
//
// - Trivial execute (`return 1`), SDK v2 client (2026-07-28 era), one client per server, cases in
//   interleaved rounds so load drift hits every case alike:
//   - the sandbox alone (QuickJsExecutor.execute in this process: the floor of any execution);
//   - the bare SDK v2 server (benches/fixtures/bare-sdk-server.mjs, its own process like serve)
//     whose `execute` tool answers "1" (the SDK's floor for a tool call) or runs the same warm
//     sandbox (the floor an ideal code-mode server could reach), over stdio and over HTTP
//     (`createMcpHandler` + `toNodeHandler`, loopback, keep-alive);
//   - `mcp-cli serve --server everything` over stdio and `--http`.
//   Columns: end-to-end latency at the client; for HTTP the latency inside the server process
//   (request arrival to answer end, benches/fixtures/server-timing-probe.mjs, preloaded alike into
//   serve and the bare server); CPU per call of the server process (workers included) and of
//   this client process. Goal (issue 17): p50 under 5 ms.
// - 10 clients x 100 executions, each calling server-everything's get-sum once: wall time,
//   executions per second, errors (goal: none).
// - RSS of an idle `serve --all` with three servers (the process, and with its server processes),
//   beside `node` idling and the bare SDK server idling in the same environment, and serve with a
//   smaller V8 young generation (NODE_OPTIONS=--max-semi-space-size=2).
//
// Run: `pnpm build && node benches/run.mjs serve.bench`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { printTable, summarize } from "./lib/measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "packages", "cli", "dist", "bin.js");
const bare = join(root, "benches", "fixtures", "bare-sdk-server.mjs");
const probe = join(root, "benches", "fixtures", "server-timing-probe.mjs");
const clientPackage = join(root, "node_modules", "@modelcontextprotocol", "client", "dist");
const { Client, StreamableHTTPClientTransport } = await import(
  pathToFileURL(join(clientPackage, "index.mjs")).href
);
const { StdioClientTransport } = await import(pathToFileURL(join(clientPackage, "stdio.mjs")).href);
const { QuickJsExecutor } = await import(
  pathToFileURL(join(root, "packages", "wasm-runtime", "dist", "index.js")).href
);
const { resolveLimits } = await import(
  pathToFileURL(join(root, "packages", "core", "dist", "index.js")).href
);
const everything = join(
  root,
  "node_modules",
  "@modelcontextprotocol",
  "server-everything",
  "dist",
  "index.js",
);

const ROUNDS = 15;
const PER_ROUND = 20;
const WARMUP = 30;

const work = mkdtempSync(join(tmpdir(), "mcp-cli-serve-bench-"));
const entry = { command: process.execPath, args: [everything, "stdio"] };
writeFileSync(
  join(work, ".mcp.json"),
  JSON.stringify({ mcpServers: { everything: entry, second: entry, third: entry } }),
);
const env = {
  PATH: process.env.PATH,
  HOME: work,
  XDG_CONFIG_HOME: join(work, ".config"),
  XDG_STATE_HOME: join(work, ".state"),
  XDG_CACHE_HOME: join(work, ".cache"),
  MCP_CLI_TRUST_ALL: "1",
};

const processes = [];

/** Starts a server process that prints "listening on URL" on stderr; resolves with its URL. */
function startHttp(args, extraEnv = {}) {
  const child = spawn(process.execPath, args, {
    cwd: work,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "ignore", "pipe"],
  });
  processes.push(child);
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const url = /listening on (\S+)/.exec(stderr)?.[1];
      if (url) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`)));
  });
}

function newClient() {
  return new Client({ name: "bench", version: "1" }, { versionNegotiation: { mode: "auto" } });
}

/** A server over HTTP with the timing probe preloaded; its times land in `probeOut` at exit. */
async function overHttp(name, args) {
  const probeOut = join(work, `probe-${processes.length}.json`);
  const { child, url } = await startHttp(["--import", probe, ...args], { SERVE_BENCH_PROBE_OUT: probeOut });
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return { name, client, pid: child.pid, child, probeOut };
}

async function overStdio(name, args) {
  const transport = new StdioClientTransport({ command: process.execPath, args, cwd: work, env });
  const client = newClient();
  await client.connect(transport);
  return { name, client, pid: transport.pid };
}

/** User + system CPU of a process and its threads so far, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function stopped(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }
  });
}

const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : "-");
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;

try {
  const limits = resolveLimits("moderate");
  const executor = new QuickJsExecutor({ maxWorkers: 1 });
  await executor.warmUp(limits.memoryBytes);

  const trivial = { name: "execute", arguments: { code: "return 1" } };
  const servers = [
    await overStdio("bare SDK v2, stdio, tool answers 1", [bare, "stdio"]),
    await overStdio("bare SDK v2, stdio, tool runs the sandbox", [bare, "stdio", "--sandbox"]),
    await overStdio("serve (stdio)", [bin, "serve", "--server", "everything"]),
    await overHttp("bare SDK v2, HTTP, tool answers 1", [bare, "http"]),
    await overHttp("bare SDK v2, HTTP, tool runs the sandbox", [bare, "http", "--sandbox"]),
    await overHttp("serve --http", [bin, "serve", "--server", "everything", "--http", "127.0.0.1:0"]),
  ];
  const sandboxName = "sandbox alone: QuickJsExecutor.execute(return 1)";
  const cases = [
    { name: sandboxName, run: () => executor.execute({ source: "return 1", mode: "snippet", limits }) },
    ...servers.map((server) => ({ ...server, run: () => server.client.callTool(trivial) })),
  ];
  const samples = new Map(cases.map((each) => [each.name, []]));
  const serverCpu = new Map(cases.map((each) => [each.name, 0]));
  const clientCpu = new Map(cases.map((each) => [each.name, 0]));
  for (const each of cases) for (let i = 0; i < WARMUP; i++) await each.run();
  for (let round = 0; round < ROUNDS; round++) {
    for (const each of cases) {
      const serverBefore = each.pid === undefined ? 0 : cpuMs(each.pid);
      const clientBefore = process.cpuUsage();
      for (let i = 0; i < PER_ROUND; i++) {
        const started = performance.now();
        await each.run();
        samples.get(each.name).push(performance.now() - started);
      }
      const client = process.cpuUsage(clientBefore);
      clientCpu.set(each.name, clientCpu.get(each.name) + (client.user + client.system) / 1000);
      if (each.pid !== undefined) {
        serverCpu.set(each.name, serverCpu.get(each.name) + cpuMs(each.pid) - serverBefore);
      }
    }
  }
  const calls = ROUNDS * PER_ROUND;

  // The probes write their times when their processes exit.
  for (const server of servers) await server.client.close();
  await Promise.all(servers.filter((server) => server.child).map((server) => stopped(server.child)));
  const inServer = new Map();
  for (const server of servers.filter((each) => each.probeOut)) {
    const { times, connections } = JSON.parse(readFileSync(server.probeOut, "utf8"));
    // The first requests are the client's handshake and the warm-up, not measured calls.
    inServer.set(server.name, summarize(server.name, times.slice(times.length - calls)).median);
    console.log(`${server.name}: ${times.length} requests on ${connections} connection(s)`);
  }

  const baseline = "bare SDK v2, HTTP, tool runs the sandbox";
  const rows = cases.map((each) => summarize(each.name, samples.get(each.name)));
  printTable(
    "Trivial execution through serve beside the bare SDK v2 (v2 client, 2026-07-28 era)",
    rows,
    baseline,
  );
  console.log(
    [
      "",
      "| case | median end to end | median inside the server | server CPU per call | client CPU per call |",
      "|---|---:|---:|---:|---:|",
      ...rows.map(
        (row) =>
          `| ${row.name} | ${ms(row.median)} | ${ms(inServer.get(row.name) ?? Number.NaN)} | ${
            row.name === sandboxName ? "-" : ms(serverCpu.get(row.name) / calls)
          } | ${ms(clientCpu.get(row.name) / calls)} |`,
      ),
    ].join("\n"),
  );
  await executor.close();

  // 10 clients x 100 executions, each with one tool call, against one warm server.
  const loaded = await startHttp([bin, "serve", "--server", "everything", "--http", "127.0.0.1:0"]);
  const clients = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const client = newClient();
      await client.connect(new StreamableHTTPClientTransport(new URL(loaded.url)));
      return client;
    }),
  );
  let errors = 0;
  const latencies = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        const result = await client.callTool({
          name: "execute",
          arguments: { code: 'return await callTool("everything", "get-sum", { a: 1, b: 2 })' },
        });
        latencies.push(performance.now() - t0);
        if (result.isError) errors++;
      }
    }),
  );
  const wall = performance.now() - started;
  printTable(
    "10 clients x 100 executions (one tool call each), serve --http, 4 workers",
    [summarize("per execution", latencies)],
    "per execution",
  );
  console.log(
    `\nwall ${(wall / 1000).toFixed(2)} s, ${((1000 * 1000) / wall).toFixed(0)} executions/s, errors: ${errors}`,
  );
  await Promise.all(clients.map((client) => client.close()));
  await stopped(loaded.child);

  // Idle memory: serve with three servers, beside node and the bare SDK server idling.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
  const memory = [];
  const idleNode = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { env, stdio: "ignore" });
  processes.push(idleNode);
  const idleBare = await startHttp([bare, "http"]);
  await settle();
  memory.push(["node, idle (-e setInterval)", rssKiB(idleNode.pid), undefined]);
  memory.push(["bare SDK v2 HTTP server, idle, no sandbox", rssKiB(idleBare.child.pid), undefined]);
  await stopped(idleNode);
  await stopped(idleBare.child);
  for (const [label, extraEnv] of [
    ["serve --all (three servers), idle", {}],
    ["the same, NODE_OPTIONS=--max-semi-space-size=2", { NODE_OPTIONS: "--max-semi-space-size=2" }],
  ]) {
    const three = await startHttp([bin, "serve", "--all", "--http", "127.0.0.1:0"], extraEnv);
    const prober = newClient();
    await prober.connect(new StreamableHTTPClientTransport(new URL(three.url)));
    await prober.callTool({ name: "search_tools", arguments: { query: "sum" } });
    for (let i = 0; i < 20; i++) await prober.callTool(trivial);
    await prober.close();
    await settle();
    const own = rssKiB(three.child.pid);
    const children = childrenOf(three.child.pid).reduce((sum, pid) => sum + (rssKiB(pid) || 0), 0);
    memory.push([label, own, own + children]);
    await stopped(three.child);
  }
  console.log(
    [
      "\n### Idle memory (RSS; serve after 20 executions and a search)",
      "",
      "| process | RSS | with its server processes |",
      "|---|---:|---:|",
      ...memory.map(
        ([label, own, all]) => `| ${label} | ${mib(own)} | ${all === undefined ? "-" : mib(all)} |`,
      ),
    ].join("\n"),
  );
} finally {
  for (const child of processes) child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
