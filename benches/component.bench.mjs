// WebAssembly component guests: cold (first) and cached execution of the example component,
// and the cost of one call-tool round trip (Worker -> main thread -> bridge -> back).
//
// The round trip is measured with an in-process ToolBridge that answers at once, so the table
// shows the sandbox's own cost per call; a real server adds its own time on top (server-everything
// answers a warm callTool in about 0.4 ms, see shared STACK.md). Baselines in the same run: the
// same bridge called directly, and (when @mcp-execution/wasm-runtime's QuickJS executor is built)
// the same calls from a JavaScript guest.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveLimits } from "../packages/core/dist/index.js";
import { executeComponent } from "../packages/wasm-runtime/dist/component/index.js";
import { measure, printTable } from "./lib/measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const example = readFileSync(join(root, "examples/wasm-component/everything-tools.wasm"));
const fixtures = join(root, "packages/wasm-runtime/test/component/fixtures");
const okFixture = readFileSync(join(fixtures, "ok.wasm"));
const echoMany = readFileSync(join(fixtures, "echo-many.wasm"));
const limits = resolveLimits("moderate");
const CALLS = 100;

/** Answers every call at once with what server-everything's echo and get-sum would say. */
const instantBridge = {
  servers: () => ["everything"],
  async callTool(_server, tool, args) {
    const value =
      tool === "get-sum"
        ? `The sum of ${args.a} and ${args.b} is ${args.a + args.b}.`
        : `Echo: ${args.message}`;
    return { value, content: [{ type: "text", text: value }], fromCache: false, durationMs: 0 };
  },
  async close() {},
  async [Symbol.asyncDispose]() {},
};

async function expectOk(outcome) {
  if (!outcome.ok) throw new Error(`bench run failed: ${JSON.stringify(outcome.error)}`);
  return outcome;
}

const caches = [];
function freshCache() {
  const dir = mkdtempSync(join(tmpdir(), "mcp-component-bench-"));
  caches.push(dir);
  return dir;
}

/** The QuickJS executor for JavaScript-guest baselines, when packages/wasm-runtime/dist has it. */
let executor;
try {
  const quickjs = await import("../packages/wasm-runtime/dist/index.js");
  if (typeof quickjs.QuickJsExecutor === "function")
    executor = new quickjs.QuickJsExecutor({ maxWorkers: 1 });
} catch {
  executor = undefined;
}

/** The example's work as a JavaScript guest: echo, get-sum, a missing tool, one log line. */
const EXAMPLE_AS_SNIPPET = `
  const echo = await callTool("everything", "echo", { message: "hello from a WebAssembly component" });
  const sum = await callTool("everything", "get-sum", { a: 19, b: 23 });
  let missingTool;
  try { await callTool("everything", "no-such-tool", {}); } catch (error) { missingTool = error.code; }
  console.log("get-sum answered: " + sum);
  return { echo, sum, missingTool };
`;

try {
  // --- cold and cached execution of the example (12.5 MB JavaScript component, 3 tool calls)
  const warmCache = freshCache();
  await expectOk(
    await executeComponent({ component: example, cacheDir: warmCache, limits, bridge: instantBridge }),
  );
  const runs = [
    await measure(
      "example, cached (hash + Worker + compile + run)",
      async () =>
        expectOk(
          await executeComponent({ component: example, cacheDir: warmCache, limits, bridge: instantBridge }),
        ),
      { iterations: 10, warmup: 1 },
    ),
    await measure(
      "example, cold (transpile into an empty cache, then run)",
      async () =>
        expectOk(
          await executeComponent({
            component: example,
            cacheDir: freshCache(),
            limits,
            bridge: instantBridge,
          }),
        ),
      { iterations: 3, warmup: 0 },
    ),
    await measure(
      "ok.wat fixture, cached (1.8 KB component, no tool call)",
      async () => expectOk(await executeComponent({ component: okFixture, cacheDir: warmCache, limits })),
      { iterations: 20, warmup: 2 },
    ),
  ];
  if (executor !== undefined) {
    runs.push(
      await measure(
        "JavaScript guest (QuickJS) doing the example's work",
        async () => {
          const outcome = await executor.execute({
            source: EXAMPLE_AS_SNIPPET,
            mode: "snippet",
            language: "javascript",
            limits,
            bridge: instantBridge,
          });
          if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
        },
        { iterations: 20, warmup: 2 },
      ),
    );
  }
  printTable(
    "component execution, end to end",
    runs,
    "ok.wat fixture, cached (1.8 KB component, no tool call)",
  );

  // --- call-tool round trip: the bridge notes when each call arrives; the time between two
  // consecutive calls of one run is one full round trip (answer to the Worker, wake-up, the
  // guest's next call, the message back to the main thread) plus the bridge's own (nil) work.
  const arrivals = [];
  const timingBridge = {
    ...instantBridge,
    async callTool(server, tool, args) {
      arrivals.push(performance.now());
      return instantBridge.callTool(server, tool, args);
    },
  };
  function intervalsOf(run) {
    return async () => {
      arrivals.length = 0;
      await run();
      const gaps = [];
      for (let i = 1; i < arrivals.length; i++) gaps.push(arrivals[i] - arrivals[i - 1]);
      return gaps;
    };
  }
  async function roundTrips(name, run, runs) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(...(await intervalsOf(run)()));
    samples.sort((a, b) => a - b);
    const at = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
    return { name, samples, median: at(0.5), p90: at(0.9), min: samples[0] };
  }
  const perCall = [
    await roundTrips(
      "bridge called directly (await in a loop)",
      async () => {
        for (let i = 0; i < CALLS; i++) await timingBridge.callTool("everything", "echo", { message: "hi" });
      },
      10,
    ),
    await roundTrips(
      "component guest (echo-many.wat): call-tool round trip",
      async () =>
        expectOk(
          await executeComponent({ component: echoMany, cacheDir: warmCache, limits, bridge: timingBridge }),
        ),
      10,
    ),
  ];

  if (executor !== undefined) {
    const source = `let last; for (let i = 0; i < ${CALLS}; i++) last = await callTool("everything", "echo", { message: "hi" }); return last;`;
    perCall.push(
      await roundTrips(
        "JavaScript guest (QuickJS): callTool round trip",
        async () => {
          const outcome = await executor.execute({ source, mode: "snippet", limits, bridge: timingBridge });
          if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
        },
        10,
      ),
    );
  } else {
    console.log(
      "\n(the QuickJS executor is not exported by packages/wasm-runtime/dist yet: no JavaScript-guest row)",
    );
  }
  printTable(`one tool call, in-process bridge (${CALLS} calls per run, 10 runs)`, perCall, perCall[0].name);

  // --- the same against server-everything over stdio through the real bridge, when it is built
  let bridgePackage;
  try {
    bridgePackage = await import("../packages/bridge/dist/index.js");
  } catch {
    bridgePackage = undefined;
  }
  if (typeof bridgePackage?.createBridge !== "function") {
    console.log("\n(packages/bridge/dist has no createBridge yet: no real-server rows)");
  } else {
    const { expandServerConfig } = await import("../packages/core/dist/index.js");
    const everything = expandServerConfig(
      {
        name: "everything",
        source: "bench",
        transport: "stdio",
        command: join(root, "node_modules/.bin/mcp-server-everything"),
        args: ["stdio"],
        env: {},
        disabled: false,
        cache: [],
      },
      { env: {} },
    );
    // No result cache: every call goes to the server.
    const real = bridgePackage.createBridge({ servers: [everything], cache: false });
    try {
      await real.callTool("everything", "echo", { message: "warm up" });
      const timedReal = {
        servers: () => real.servers(),
        async callTool(server, tool, args, options) {
          arrivals.push(performance.now());
          return real.callTool(server, tool, args, options);
        },
        close: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
      const realRows = [
        await roundTrips(
          "bridge to server-everything called directly",
          async () => {
            for (let i = 0; i < CALLS; i++) await timedReal.callTool("everything", "echo", { message: "hi" });
          },
          5,
        ),
        await roundTrips(
          "component guest (echo-many.wat) to server-everything",
          async () =>
            expectOk(
              await executeComponent({ component: echoMany, cacheDir: warmCache, limits, bridge: timedReal }),
            ),
          5,
        ),
      ];
      printTable(
        `one tool call to server-everything over stdio (${CALLS} calls per run, 5 runs)`,
        realRows,
        realRows[0].name,
      );
    } finally {
      await real.close();
    }
  }
} finally {
  await executor?.close();
  for (const dir of caches) rmSync(dir, { recursive: true, force: true });
}
