// The QuickJS sandbox, each number beside a baseline measured in the same run:
// 1. a warm trivial snippet through QuickJsExecutor beside node:vm running the same code (a fresh
//    context per run, like the sandbox's fresh runtime, and a reused one);
// 2. 100 sequential and 100 parallel callTool from guest code against server-everything beside the
//    same 100 calls on a bare MCP SDK Client (and on the bridge alone, to split the overhead);
// 3. memory: an idle warm worker (process RSS) and an idle prepared runtime+context (QuickJS heap);
// 4. the cold one-shot path: a new executor, its first execution, close;
// 5. fuel: interrupt polls per second of a tight loop, to relate the fuel limits to CPU time;
// 6. optional: the same snippet through @sebastianwessel/quickjs and isolated-vm, when they are
//    installed somewhere outside the workspace (they are not dependencies of the project):
//    SANDBOX_BENCH_COMPARE=/path/with/node_modules node benches/run.mjs sandbox
// 7. execute --check: type-checking the demo script (examples/workflow) against server-everything's
//    generated tree (a fresh checker worker each time, as the CLI does), beside running that script
//    (203 tool calls) and beside a bare Worker start.
// Run: pnpm build && node benches/run.mjs sandbox
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createBridge } from "../packages/bridge/dist/index.js";
import { resolveLimits } from "../packages/core/dist/index.js";
import { GuestRun } from "../packages/wasm-runtime/dist/guest-run.js";
import { QuickJsExecutor } from "../packages/wasm-runtime/dist/index.js";
import { loadInterpreter } from "../packages/wasm-runtime/dist/interpreter.js";
import { EVERYTHING_BIN as everything, everythingEntry } from "../test/fixtures/servers/harness.mjs";
import { measure, printTable, summarize } from "./lib/measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const limits = resolveLimits("moderate");
const MIB = 1024 * 1024;

/** Runs each case in turn, `rounds` times, so drift on a busy machine hits every case alike. */
async function interleaved(cases, { rounds = 5, iterations = 200, warmup = 30 } = {}) {
  const samples = new Map(cases.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of cases) {
      const result = await measure(name, fn, { iterations, warmup: round === 0 ? warmup : 5 });
      samples.get(name).push(...result.samples);
    }
  }
  return cases.map(([name]) => summarize(name, samples.get(name)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Times `fn` only, with an untimed pause before each run (an agent does not call back to back). */
async function withPauses(name, fn, { iterations = 200, warmup = 20, pauseMs = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    await sleep(pauseMs);
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return summarize(name, samples);
}

function check(outcome, expected) {
  if (!outcome.ok) throw new Error(`sandbox failed: ${outcome.error.code} ${outcome.error.message}`);
  if (expected !== undefined && JSON.stringify(outcome.result) !== JSON.stringify(expected)) {
    throw new Error(`unexpected result ${JSON.stringify(outcome.result)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Warm trivial snippet

const SNIPPET = "return 1 + 2";
const one = new QuickJsExecutor({ maxWorkers: 1 });
const two = new QuickJsExecutor({ maxWorkers: 2, warmWorkers: 2 });
await Promise.all([one.warmUp(limits.memoryBytes), two.warmUp(limits.memoryBytes)]);
const request = (language) => ({ source: SNIPPET, mode: "snippet", language, limits });
const vmScript = new vm.Script(`(async () => { ${SNIPPET} })()`);
const reused = vm.createContext({});

const trivial = await interleaved([
  ["node:vm, fresh context per run", async () => vmScript.runInNewContext({})],
  ["node:vm, one reused context", async () => vmScript.runInContext(reused)],
  ["sandbox, 1 worker, TypeScript snippet", async () => check(await one.execute(request("typescript")), 3)],
  ["sandbox, 1 worker, JavaScript snippet", async () => check(await one.execute(request("javascript")), 3)],
  ["sandbox, 2 warm workers, JavaScript", async () => check(await two.execute(request("javascript")), 3)],
]);
printTable("Warm trivial snippet, back to back (`return 1 + 2`)", trivial, "node:vm, fresh context per run");

const paused = [
  await withPauses("node:vm, fresh context per run", async () => vmScript.runInNewContext({})),
  await withPauses("sandbox, 1 worker, TypeScript snippet", async () =>
    check(await one.execute(request("typescript")), 3),
  ),
  await withPauses("sandbox, 1 worker, JavaScript snippet", async () =>
    check(await one.execute(request("javascript")), 3),
  ),
];
printTable(
  "Warm trivial snippet, 5 ms apart (the next runtime is prepared in the pause)",
  paused,
  "node:vm, fresh context per run",
);
await two.close();

// ---------------------------------------------------------------------------------------------
// 2. Tool calls: guest code vs a bare SDK client vs the bridge alone

const serverConfig = everythingEntry();
const sdk = new Client({ name: "bench", version: "0" });
await sdk.connect(new StdioClientTransport({ command: everything, args: ["stdio"], stderr: "ignore" }));
await sdk.listTools();
const bridge = createBridge({ servers: [serverConfig], cache: false, connect: { environment: process.env } });
await bridge.callTool("everything", "echo", { message: "warm" });

const CALLS = 100;
const toolLimits = { ...limits, maxToolCalls: 1000 };
const sequentialGuest = `for (let i = 0; i < ${CALLS}; i++) await callTool("everything", "echo", { message: "m" + i }); return ${CALLS};`;
const parallelGuest = `const all = await Promise.all(Array.from({ length: ${CALLS} }, (_, i) => callTool("everything", "echo", { message: "m" + i }))); return all.length;`;
const guest = (source) => async () =>
  check(
    await one.execute({ source, mode: "snippet", language: "javascript", limits: toolLimits, bridge }),
    CALLS,
  );

const tools = await interleaved(
  [
    [
      "SDK client, 100 sequential",
      async () => {
        for (let i = 0; i < CALLS; i++) await sdk.callTool({ name: "echo", arguments: { message: `m${i}` } });
      },
    ],
    [
      "bridge alone, 100 sequential",
      async () => {
        for (let i = 0; i < CALLS; i++) await bridge.callTool("everything", "echo", { message: `m${i}` });
      },
    ],
    ["sandbox guest, 100 sequential", guest(sequentialGuest)],
    [
      "SDK client, 100 parallel",
      async () => {
        await Promise.all(
          Array.from({ length: CALLS }, (_, i) =>
            sdk.callTool({ name: "echo", arguments: { message: `m${i}` } }),
          ),
        );
      },
    ],
    [
      "bridge alone, 100 parallel",
      async () => {
        await Promise.all(
          Array.from({ length: CALLS }, (_, i) =>
            bridge.callTool("everything", "echo", { message: `m${i}` }),
          ),
        );
      },
    ],
    ["sandbox guest, 100 parallel", guest(parallelGuest)],
  ],
  { rounds: 3, iterations: 10, warmup: 3 },
);
printTable("100 callTool to server-everything echo (stdio)", tools, "SDK client, 100 sequential");
const byName = Object.fromEntries(tools.map((result) => [result.name, result.median]));
const perCall = (a, b) => `${(((byName[a] - byName[b]) / CALLS) * 1000).toFixed(1)} us`;
console.log(
  [
    "",
    "Added per call (median difference / 100):",
    `- sandbox over SDK, sequential: ${perCall("sandbox guest, 100 sequential", "SDK client, 100 sequential")}` +
      ` (of which the bridge: ${perCall("bridge alone, 100 sequential", "SDK client, 100 sequential")})`,
    `- sandbox over SDK, parallel: ${perCall("sandbox guest, 100 parallel", "SDK client, 100 parallel")}` +
      ` (of which the bridge: ${perCall("bridge alone, 100 parallel", "SDK client, 100 parallel")})`,
  ].join("\n"),
);
await sdk.close();
await bridge.close();
await one.close();

// ---------------------------------------------------------------------------------------------
// 3. Memory

async function settledRss() {
  globalThis.gc?.();
  await sleep(300);
  return process.memoryUsage().rss;
}

const WORKERS = 4;
const before = await settledRss();
const idle = new QuickJsExecutor({ maxWorkers: WORKERS, warmWorkers: WORKERS });
await idle.warmUp(limits.memoryBytes);
const after = await settledRss();
await idle.close();

// Prepared runtimes inside one interpreter (what each run gets, before guest code): QuickJS heap
// and growth of the interpreter's linear memory.
const { readFile } = await import("node:fs/promises");
const require = createRequire(join(root, "packages", "wasm-runtime", "package.json"));
const wasmModule = await WebAssembly.compile(
  await readFile(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")),
);
const interpreter = await loadInterpreter(wasmModule, 256 * MIB, () => {});
const channel = { post() {}, request: () => undefined, cancelRequested: () => false };
const RUNTIMES = 200;
const linearBefore = interpreter.memory.buffer.byteLength;
const runs = Array.from({ length: RUNTIMES }, () => {
  const run = new GuestRun(interpreter, channel);
  run.prepare();
  return run;
});
const linearAfter = interpreter.memory.buffer.byteLength;
const heap = interpreter.quickjs.newRuntime();
const context = heap.newContext();
const usage = heap.computeMemoryUsage();
const oneRuntimeHeap = context.dump(usage).memory_used_size;
usage.dispose();
context.dispose();
heap.dispose();
for (const run of runs) run.dispose();

console.log(
  [
    "",
    "### Memory",
    "",
    "| what | per unit | how measured |",
    "|---|---:|---|",
    `| idle warm worker (thread, V8 isolate, QuickJS instance, prepared runtime) | ${((after - before) / WORKERS / MIB).toFixed(1)} MiB | process RSS before/after starting ${WORKERS}, divided by ${WORKERS} |`,
    `| idle prepared runtime + context + prelude | ${((linearAfter - linearBefore) / RUNTIMES / 1024).toFixed(0)} KiB | wasm linear memory growth for ${RUNTIMES} in one instance, divided by ${RUNTIMES} |`,
    `| bare runtime + context, QuickJS's own count | ${(oneRuntimeHeap / 1024).toFixed(0)} KiB | computeMemoryUsage().memory_used_size |`,
  ].join("\n"),
);

// ---------------------------------------------------------------------------------------------
// 4. Cold one-shot: a process's first execution

const { Worker } = await import("node:worker_threads");
const coldSamples = [];
const workerSamples = [];
for (let i = 0; i < 8; i++) {
  const started = performance.now();
  const worker = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
  await new Promise((resolve) => worker.once("message", resolve));
  workerSamples.push(performance.now() - started);
  await worker.terminate();

  const executor = new QuickJsExecutor({ maxWorkers: 1 });
  const start = performance.now();
  check(await executor.execute({ source: "const n: number = 2; return n + 1", mode: "snippet", limits }), 3);
  coldSamples.push(performance.now() - start);
  await executor.close();
}
printTable(
  "Cold first execution in a process (transpiler already loaded after the first sample)",
  [
    summarize("bare worker_threads Worker, start to first message", workerSamples),
    summarize("new QuickJsExecutor, first execute (TypeScript)", coldSamples),
  ],
  "bare worker_threads Worker, start to first message",
);

// ---------------------------------------------------------------------------------------------
// 5. Fuel calibration: how much CPU time one unit of fuel is

const fuelExecutor = new QuickJsExecutor({ maxWorkers: 1 });
await fuelExecutor.warmUp(limits.memoryBytes);
const FUEL = 20_000;
const fuelRates = [];
for (let i = 0; i < 3; i++) {
  const outcome = await fuelExecutor.execute({
    source: "for (;;) {}",
    mode: "snippet",
    language: "javascript",
    limits: { ...limits, fuel: FUEL, timeoutMs: 60_000 },
  });
  if (outcome.ok || outcome.error.code !== "LIMIT_FUEL") throw new Error("expected LIMIT_FUEL");
  fuelRates.push(FUEL / (outcome.stats.durationMs / 1000));
}
await fuelExecutor.close();
fuelRates.sort((a, b) => a - b);
const rate = fuelRates[1];
console.log(
  [
    "",
    "### Fuel",
    "",
    `A tight loop polls the interrupt handler about ${Math.round(rate)} times a second here (median of 3 runs of ${FUEL} fuel).`,
    "",
    "| profile | fuel | CPU seconds of a tight loop | deadline |",
    "|---|---:|---:|---:|",
    ...["strict", "moderate", "permissive"].map((name) => {
      const profile = resolveLimits(name);
      return `| ${name} | ${profile.fuel} | ${(profile.fuel / rate).toFixed(1)} s | ${profile.timeoutMs / 1000} s |`;
    }),
  ].join("\n"),
);

// ---------------------------------------------------------------------------------------------
// 6. Optional comparisons with other sandboxes

const compareDir = process.env.SANDBOX_BENCH_COMPARE;
if (compareDir === undefined) {
  console.log(
    "\n(Other sandboxes: skipped; set SANDBOX_BENCH_COMPARE to a directory where @sebastianwessel/quickjs and isolated-vm are installed.)",
  );
} else {
  const compareRequire = createRequire(join(compareDir, "package.json"));
  const { pathToFileURL } = await import("node:url");
  const load = async (name) => {
    try {
      return await import(pathToFileURL(compareRequire.resolve(name)).href);
    } catch (error) {
      console.log(`(${name}: not usable here: ${error.message.split("\n")[0]})`);
      return undefined;
    }
  };
  const cases = [["node:vm, fresh context per run", async () => vmScript.runInNewContext({})]];
  const ours = new QuickJsExecutor({ maxWorkers: 1 });
  await ours.warmUp(limits.memoryBytes);
  cases.push([
    "this sandbox, JavaScript snippet",
    async () => check(await ours.execute(request("javascript")), 3),
  ]);
  const wessel = await load("@sebastianwessel/quickjs");
  if (wessel !== undefined) {
    // The same QuickJS build as ours, from the sandbox package's own dependencies.
    const variantModule = await import(
      pathToFileURL(require.resolve("@jitl/quickjs-wasmfile-release-sync")).href
    );
    const variant = variantModule.default?.default ?? variantModule.default;
    const { runSandboxed } = await wessel.loadQuickJs(variant);
    cases.push([
      "@sebastianwessel/quickjs runSandboxed (in-process)",
      async () => {
        const result = await runSandboxed(async ({ evalCode }) => evalCode("export default 1 + 2"), {});
        if (!result.ok || result.data !== 3) throw new Error(`unexpected ${JSON.stringify(result)}`);
      },
    ]);
  }
  const ivmModule = await load("isolated-vm");
  let isolate;
  if (ivmModule !== undefined) {
    const ivm = ivmModule.default ?? ivmModule;
    isolate = new ivm.Isolate({ memoryLimit: 128 });
    cases.push([
      "isolated-vm, fresh context in one isolate (in-process)",
      async () => {
        const context = await isolate.createContext();
        const value = await context.eval("(async () => { return 1 + 2 })()", {
          promise: true,
          timeout: 1000,
        });
        context.release();
        if (value !== 3) throw new Error(`unexpected ${value}`);
      },
    ]);
  }
  const compared = await interleaved(cases, { rounds: 3, iterations: 200, warmup: 20 });
  printTable(
    "Trivial snippet in other sandboxes (warm, back to back)",
    compared,
    "node:vm, fresh context per run",
  );
  isolate?.dispose();
  await ours.close();
}

// ---------------------------------------------------------------------------------------------
// 7. execute --check: the cost of a type check of the demo script

{
  const { readFileSync } = await import("node:fs");
  const { checkGuestTypes } = await import("../packages/codegen/dist/type-check.js");
  const { generateTree } = await import("../packages/codegen/dist/index.js");
  const { VirtualFileSystem } = await import("../packages/vfs/dist/index.js");
  const demo = readFileSync(join(root, "examples/workflow/agent-report.ts"), "utf8");
  const demoBridge = createBridge({
    servers: [everythingEntry()],
    cache: false,
    connect: { environment: process.env },
  });
  const tree = generateTree(await demoBridge.introspect("everything"));
  const runner = new QuickJsExecutor({ maxWorkers: 1 });
  await runner.warmUp(limits.memoryBytes);
  const demoLimits = { ...limits, maxToolCalls: 1000 };
  const cases = [
    [
      "bare worker_threads Worker, start to first message",
      async () => {
        const worker = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
        await new Promise((resolve) => worker.once("message", resolve));
        await worker.terminate();
      },
    ],
    [
      // Where a check's time goes: this much is loading the compiler in a fresh worker.
      "fresh Worker that only imports typescript",
      async () => {
        const worker = new Worker(
          `import("typescript").then(() => require("node:worker_threads").parentPort.postMessage(1))`,
          { eval: true },
        );
        await new Promise((resolve) => worker.once("message", resolve));
        await worker.terminate();
      },
    ],
    [
      "execute --check: checkGuestTypes(demo script, tree)",
      async () => {
        const report = await checkGuestTypes({ source: demo, files: tree, filename: "agent-report.ts" });
        if (report.total !== 0)
          throw new Error(`the demo script does not type-check: ${JSON.stringify(report)}`);
      },
    ],
    [
      "running the demo script (203 tool calls, warm sandbox)",
      async () => {
        const files = VirtualFileSystem.withTools(tree, { workspaceQuotaBytes: demoLimits.workspaceBytes });
        try {
          const outcome = await runner.execute({
            source: demo,
            mode: "module",
            filename: "agent-report.ts",
            limits: demoLimits,
            bridge: demoBridge,
            files,
          });
          if (!outcome.ok) throw new Error(`the demo failed: ${outcome.error.code} ${outcome.error.message}`);
        } finally {
          files.dispose();
        }
      },
    ],
  ];
  const rows = await interleaved(cases, { rounds: 4, iterations: 2, warmup: 1 });
  printTable(
    "execute --check on the demo script (examples/workflow/agent-report.ts)",
    rows,
    "running the demo script (203 tool calls, warm sandbox)",
  );
  await runner.close();
  await demoBridge.close();
}
