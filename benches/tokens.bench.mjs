// Token counts (gpt-tokenizer, o200k_base) of generated trees against the full tools/list JSON an
// agent would otherwise be shown. "One tool" is what an agent must read to use one tool it picked
// from SKILL.md's list: SKILL.md + that tool's file (average over tools, and the worst tool).
// "+ index" adds the server's index.ts, for an agent that reads it to pick the tool.
// Run: npx tsc -b packages/codegen && node benches/run.mjs tokens
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { countTokens, generateTree, measureTokens } from "../packages/codegen/dist/index.js";
import { blake3Hex, canonicalJson } from "../packages/core/dist/index.js";

const fixture = (name) =>
  JSON.parse(readFileSync(new URL(`../packages/codegen/test/fixtures/${name}`, import.meta.url), "utf8"));

async function manifestOf(server, recording) {
  const sorted = [...recording.tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const perTool = {};
  for (const tool of sorted) perTool[tool.name] = await blake3Hex(canonicalJson(tool));
  return {
    server,
    serverInfo: recording.serverInfo,
    protocolVersion: recording.protocolVersion,
    capabilities: recording.capabilities,
    ...(recording.instructions === undefined ? {} : { instructions: recording.instructions }),
    tools: recording.tools,
    fingerprint: { algorithm: "blake3", digest: await blake3Hex(canonicalJson(sorted)), tools: perTool },
  };
}

const loadStart = performance.now();
await countTokens("warm up");
console.log(`\ntokenizer import + first count: ${(performance.now() - loadStart).toFixed(0)} ms`);

const trees = [
  ["server-everything (recorded)", [await manifestOf("everything", fixture("server-everything.json"))]],
  ["filesystem-style (hand-written)", [await manifestOf("filesystem", fixture("filesystem-style.json"))]],
  [
    "knowledge-graph (pydantic-style)",
    [await manifestOf("knowledge-graph", fixture("knowledge-graph-pydantic.json"))],
  ],
  ["synthetic 100-tool server", [await manifestOf("synthetic", fixture("synthetic-100.json"))]],
];

const percent = (ratio) => `${(ratio * 100).toFixed(1)}%`;
const lines = [
  "\n### Tokens (o200k_base): generated tree vs full tools/list (baseline)",
  "",
  "| tree | tools | full listing (baseline) | SKILL.md | index.ts | tool file avg / max | one tool avg | ratio | one tool worst | ratio | + index avg | ratio |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
];
for (const [label, manifests] of trees) {
  const report = await measureTokens(manifests, generateTree(manifests));
  lines.push(
    `| ${label} | ${report.toolCount} | ${report.fullListing} | ${report.skill} | ${report.index} | ${report.toolFile.average.toFixed(0)} / ${report.toolFile.largest} | ${report.oneTool.average.toFixed(0)} | ${percent(report.oneTool.averageRatio)} | ${report.oneTool.largest} | ${percent(report.oneTool.largestRatio)} | ${report.oneToolWithIndex.average.toFixed(0)} | ${percent(report.oneToolWithIndex.averageRatio)} |`,
  );
}
console.log(lines.join("\n"));
