// Code generation speed: generateTree for 10, 50 and 1000 tools (warm, in-process, medians), with
// JSON.stringify of the same manifest (pretty, as manifest.json is written) as the baseline in the
// same run. Tools come from the synthetic 100-tool fixture; 1000 tools are ten renamed copies.
// Run: npx tsc -b packages/codegen && node benches/run.mjs codegen
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { generateTree } from "../packages/codegen/dist/index.js";
import { blake3Hex, canonicalJson } from "../packages/core/dist/index.js";
import { measure, printTable } from "./lib/measure.mjs";

const recording = JSON.parse(
  readFileSync(new URL("../packages/codegen/test/fixtures/synthetic-100.json", import.meta.url), "utf8"),
);

async function manifestOf(count) {
  const tools = [];
  for (let copy = 0; tools.length < count; copy++) {
    for (const tool of recording.tools) {
      if (tools.length === count) break;
      // A deep copy per tool, as JSON.parse would give: no schema object is shared between tools.
      const copied = structuredClone(tool);
      tools.push(copy === 0 ? copied : { ...copied, name: `${tool.name}_v${copy}` });
    }
  }
  const sorted = [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const perTool = {};
  for (const tool of sorted) perTool[tool.name] = await blake3Hex(canonicalJson(tool));
  return {
    server: "synthetic",
    serverInfo: recording.serverInfo,
    protocolVersion: recording.protocolVersion,
    capabilities: recording.capabilities,
    tools,
    fingerprint: { algorithm: "blake3", digest: await blake3Hex(canonicalJson(sorted)), tools: perTool },
  };
}

const manifests = { 10: await manifestOf(10), 50: await manifestOf(50), 1000: await manifestOf(1000) };

// The first call compiles the Handlebars templates; everything after it is warm.
const coldStart = performance.now();
const coldFiles = generateTree(manifests[10]);
const coldMs = performance.now() - coldStart;
console.log(
  `\nfirst generateTree call in this process (10 tools, compiles templates): ${coldMs.toFixed(2)} ms, ${coldFiles.length} files`,
);

for (const [count, iterations] of [
  [10, 500],
  [50, 300],
  [1000, 40],
]) {
  const manifest = manifests[count];
  const files = generateTree(manifest);
  const bytes = files.reduce((sum, file) => sum + file.contents.length, 0);
  const results = [
    await measure(`JSON.stringify(manifest, null, 2)`, () => JSON.stringify(manifest, null, 2), {
      iterations,
      warmup: 10,
    }),
    await measure(
      `generateTree (${files.length} files, ${(bytes / 1024).toFixed(0)} KiB)`,
      () => generateTree(manifest),
      {
        iterations,
        warmup: 10,
      },
    ),
  ];
  printTable(`${count} tools`, results, "JSON.stringify(manifest, null, 2)");
}
