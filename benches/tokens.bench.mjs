// Token counts (gpt-tokenizer, o200k_base) of generated trees against the full tools/list an agent
// would otherwise be shown, on recorded listings of real servers (benches/fixtures/listings/,
// recorded raw by benches/fixtures/record-listing.mjs, so every field the server sent is counted:
// titles, annotations, output schemas, _meta, execution). The baseline is the listing itself.
// "One tool" is what an agent reads to use one tool it picked from SKILL.md: SKILL.md + that
// tool's file (average over tools, and the worst tool).
//
// Goals (issue 15.6), checked on the average and printed per row: SKILL.md + one tool file at
// most 100% of the listing for any server, at most 15% for servers with 20 or more tools, at most
// 5% for 60 or more. The process exits 1 when a goal is missed, so a regression shows.
// Run: npx tsc -b packages/codegen && node benches/run.mjs tokens
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { countTokens, generateTree, measureTokens } from "../packages/codegen/dist/index.js";
import { blake3Hex, canonicalJson } from "../packages/core/dist/index.js";

const LISTINGS = new URL("./fixtures/listings/", import.meta.url);

async function manifestOf(server, recording) {
  const sorted = [...recording.tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const perTool = Object.create(null);
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

function goalFor(toolCount) {
  if (toolCount >= 60) return 0.05;
  if (toolCount >= 20) return 0.15;
  return 1;
}

const loadStart = performance.now();
await countTokens("warm up");
console.log(`\ntokenizer import + first count: ${(performance.now() - loadStart).toFixed(0)} ms`);

const percent = (ratio) => `${(ratio * 100).toFixed(1)}%`;
const lines = [
  "\n### Tokens (o200k_base): generated tree vs the recorded tools/list (baseline)",
  "",
  "| server | tools | listing (baseline) | SKILL.md | tool file avg / max | one tool avg | ratio | one tool worst | ratio | goal | met |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
];
let missed = 0;
const files = readdirSync(LISTINGS)
  .filter((file) => file.endsWith(".json"))
  .sort();
for (const file of files) {
  const text = readFileSync(new URL(file, LISTINGS), "utf8");
  const recording = JSON.parse(text);
  const server = file.replace(/\.json$/, "");
  const manifest = await manifestOf(server, recording);
  // The listing as the server sent it: the tools array of its tools/list answers.
  const listing = JSON.stringify({ tools: recording.tools });
  const report = await measureTokens([manifest], generateTree(manifest), { listings: [listing] });
  const goal = goalFor(report.toolCount);
  const met = report.oneTool.averageRatio <= goal;
  if (!met) missed++;
  lines.push(
    `| ${server} ${recording.serverInfo.version} | ${report.toolCount} | ${report.fullListing} | ${report.skill} | ${report.toolFile.average.toFixed(0)} / ${report.toolFile.largest} | ${report.oneTool.average.toFixed(0)} | ${percent(report.oneTool.averageRatio)} | ${report.oneTool.largest} | ${percent(report.oneTool.largestRatio)} | ${percent(goal)} | ${met ? "yes" : "NO"} |`,
  );
}
console.log(lines.join("\n"));
if (missed > 0) {
  console.log(`\n${missed} server(s) miss the goal`);
  process.exitCode = 1;
}
