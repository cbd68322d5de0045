// What supervising a stdio server's process group costs at start (packages/mcp-client/src/supervisor.ts):
// the same spawn with and without the watcher, interleaved in one run.
//   1. ServerProcess of `cat`, from spawn to the first echoed line: isolates the spawn cost.
//   2. ServerProcess of a Node one-liner that answers one line: a realistic small server start.
// "watcher running" keeps one other supervised process alive meanwhile, as the bridge does with
// several servers: then a start only registers with the watcher that is already there.
// Each case also stops the process (terminate), so the watcher's release is in the measurement.
// ServerProcess is internal to mcp-client, so the bench imports its built module directly.
import { ServerProcess } from "../packages/mcp-client/dist/server-process.js";
import { printTable, summarize } from "./lib/measure.mjs";

const ROUNDS = 5;
const PER_ROUND = { cat: 40, node: 8 };
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
};
const NODE_SERVER = ["-e", "process.stdin.once('data', () => process.stdout.write('ready\\n'))"];

async function startAndStop(command, args, supervise) {
  const start = performance.now();
  let answered;
  const firstLine = new Promise((resolve) => {
    answered = resolve;
  });
  const server = new ServerProcess({
    command,
    args,
    env,
    killGraceMs: 2_000,
    stderrTailChars: 1_024,
    maxLineBytes: 1 << 20,
    onLine: () => answered(),
    onExit: () => {},
    supervise,
  });
  await server.start();
  await server.write("hello\n");
  await firstLine;
  const started = performance.now() - start;
  await server.terminate();
  return { started, total: performance.now() - start };
}

const CASES = [
  ["unsupervised (baseline)", false],
  ["supervised, watcher started per server", true],
  ["supervised, watcher running", true],
];

/** A supervised `cat` kept alive so that the watcher stays up during the "watcher running" case. */
function keepWatcherUp() {
  const server = new ServerProcess({
    command: "cat",
    args: [],
    env,
    killGraceMs: 2_000,
    stderrTailChars: 0,
    maxLineBytes: 1 << 20,
    onLine: () => {},
    onExit: () => {},
  });
  return server.start().then(() => server);
}

async function interleaved(kind, command, args) {
  const samples = new Map(CASES.map(([name]) => [name, { started: [], total: [] }]));
  await startAndStop(command, args, false);
  await startAndStop(command, args, true);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, supervise] of CASES) {
      const keeper = name.endsWith("watcher running") ? await keepWatcherUp() : undefined;
      for (let index = 0; index < PER_ROUND[kind]; index++) {
        const { started, total } = await startAndStop(command, args, supervise);
        samples.get(name).started.push(started);
        samples.get(name).total.push(total);
      }
      await keeper?.terminate();
    }
  }
  const rows = (key) => [...samples].map(([name, values]) => summarize(name, values[key]));
  return { started: rows("started"), total: rows("total") };
}

const cat = await interleaved("cat", "cat", []);
printTable("cat: spawn to first line", cat.started, "unsupervised (baseline)");
printTable("cat: spawn, first line, terminate", cat.total, "unsupervised (baseline)");
const node = await interleaved("node", process.execPath, NODE_SERVER);
printTable("node one-liner: spawn to first line", node.started, "unsupervised (baseline)");
printTable("node one-liner: spawn, first line, terminate", node.total, "unsupervised (baseline)");
