// `mcp-cli serve`: what an execution costs through the code-mode server, beside the sandbox alone in
// the same run, plus throughput under 10 concurrent clients and the memory of an idle server.
//
// - trivial execute: `return 1` through `serve --http` on loopback (SDK v2 client, 2026-07-28 era)
//   and through `serve` over stdio, against QuickJsExecutor.execute of the same code in this
//   process (the floor: the sandbox with a warm worker). Goal (issue 17): p50 under 5 ms.
// - 10 clients x 100 executions, each calling server-everything's get-sum once: wall time,
//   executions per second, errors (goal: none).
// - RSS of an idle `serve` with three servers (the serve process, and with its servers).
//
// Run: `pnpm build && node benches/run.mjs serve`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { measure, printTable, summarize } from "./lib/measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "packages", "cli", "dist", "bin.js");
const clientPackage = join(
  root,
  "packages",
  "serve",
  "node_modules",
  "@modelcontextprotocol",
  "client",
  "dist",
);
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

function startHttp(args) {
  const child = spawn(process.execPath, [bin, "serve", ...args, "--http", "127.0.0.1:0"], {
    cwd: work,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const url = /listening on (\S+)/.exec(stderr)?.[1];
      if (url) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

function newClient() {
  return new Client({ name: "bench", version: "1" }, { versionNegotiation: { mode: "auto" } });
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

const processes = [];
try {
  const limits = resolveLimits("moderate");
  const executor = new QuickJsExecutor({ maxWorkers: 1 });
  await executor.warmUp(limits.memoryBytes);

  const http = await startHttp(["--server", "everything"]);
  processes.push(http.child);
  const httpClient = newClient();
  await httpClient.connect(new StreamableHTTPClientTransport(new URL(http.url)));

  const stdioClient = newClient();
  await stdioClient.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, "serve", "--server", "everything"],
      cwd: work,
      env,
    }),
  );

  const trivial = (client) => () => client.callTool({ name: "execute", arguments: { code: "return 1" } });
  const rows = [
    await measure(
      "sandbox alone: QuickJsExecutor.execute(return 1)",
      () => executor.execute({ source: "return 1", mode: "snippet", limits }),
      {
        iterations: 200,
        warmup: 20,
      },
    ),
    await measure("serve --http: execute(return 1)", trivial(httpClient), { iterations: 200, warmup: 20 }),
    await measure("serve (stdio): execute(return 1)", trivial(stdioClient), { iterations: 200, warmup: 20 }),
  ];
  printTable("Trivial execution through serve (v2 client, 2026-07-28 era)", rows, rows[0].name);

  // 10 clients x 100 executions, each with one tool call, against one warm server.
  const clients = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const client = newClient();
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
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
  await httpClient.close();
  await stdioClient.close();
  await executor.close();

  // Idle memory with three servers.
  const three = await startHttp(["--all"]);
  processes.push(three.child);
  const probe = newClient();
  await probe.connect(new StreamableHTTPClientTransport(new URL(three.url)));
  await probe.callTool({ name: "search_tools", arguments: { query: "sum" } });
  await probe.close();
  const own = rssKiB(three.child.pid);
  const servers = childrenOf(three.child.pid).reduce((sum, pid) => sum + (rssKiB(pid) || 0), 0);
  console.log(
    `\nidle serve with three servers: serve process ${(own / 1024).toFixed(1)} MiB RSS; with its server processes ${((own + servers) / 1024).toFixed(1)} MiB`,
  );
} finally {
  for (const child of processes) child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
