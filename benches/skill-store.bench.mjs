// Skill store: save and load (with verification) of a 50-tool skill, against plain fs baselines
// measured in the same run. The skill is codegen's tree for the first 50 tools of the synthetic
// 100-tool fixture. Run after building: node benches/run.mjs skill-store
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATOR_VERSION, generateTree, skillIdentity } from "../packages/codegen/dist/index.js";
import { blake3Hex } from "../packages/core/dist/index.js";
import { computeFingerprint } from "../packages/mcp-client/dist/index.js";
import { FileSkillStore } from "../packages/skill-store/dist/index.js";
import { printTable, summarize } from "./lib/measure.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const recording = JSON.parse(
  readFileSync(join(here, "../packages/codegen/test/fixtures/synthetic-100.json"), "utf8"),
);
const tools = recording.tools.slice(0, 50);
const manifest = {
  server: "synthetic",
  serverInfo: recording.serverInfo,
  protocolVersion: recording.protocolVersion,
  capabilities: recording.capabilities,
  tools,
  fingerprint: await computeFingerprint(tools),
};
const files = generateTree(manifest);
const identity = skillIdentity([manifest]);
const input = {
  name: identity.name,
  description: identity.description,
  manifest,
  files,
  generatorVersion: GENERATOR_VERSION,
};

/**
 * Like `measure`, for several cases at once, interleaved: run i of every case happens before run
 * i + 1 of any, so a burst of disk activity from other processes on this shared machine hits all
 * cases alike instead of spoiling one block of runs.
 */
async function measureInterleaved(cases, { iterations, warmup }) {
  for (let i = 0; i < warmup; i++) for (const [, fn] of cases) await fn();
  const samples = cases.map(() => []);
  for (let i = 0; i < iterations; i++) {
    for (const [index, [, fn]] of cases.entries()) {
      const start = performance.now();
      await fn();
      samples[index].push(performance.now() - start);
    }
  }
  return cases.map(([name], index) => summarize(name, samples[index]));
}

const root = mkdtempSync(join(tmpdir(), "skill-store-bench-"));
try {
  const store = new FileSkillStore(join(root, "skills"));
  await store.save(input);
  const skillDirectory = join(root, "skills", identity.name);
  const onDisk = [];
  const walk = (relative) => {
    for (const entry of readdirSync(join(skillDirectory, relative), { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else onDisk.push(path);
    }
  };
  walk("");
  const stored = onDisk.map((path) => ({ path, bytes: readFileSync(join(skillDirectory, path)) }));
  const totalBytes = stored.reduce((sum, file) => sum + file.bytes.byteLength, 0);
  console.log(
    `\n50-tool skill: ${files.length} generated files, ${stored.length} files on disk, ${(totalBytes / 1024).toFixed(1)} KiB; temp dir on ${root}`,
  );

  let counter = 0;
  const writePlain = (durable) => {
    const directory = join(root, `plain-${counter++}`);
    for (const file of stored) {
      const path = join(directory, file.path);
      mkdirSync(dirname(path), { recursive: true });
      if (!durable) {
        writeFileSync(path, file.bytes);
        continue;
      }
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, file.bytes);
      fsyncSync(fd);
      closeSync(fd);
    }
  };
  const saves = await measureInterleaved(
    [
      ["plain writeFileSync of the same files (no fsync, no rename)", () => writePlain(false)],
      ["plain write + fsync per file, sequential", () => writePlain(true)],
      ["store.save, new skill", () => store.save({ ...input, name: `bench-${counter++}` })],
      ["store.save, replacing the skill", () => store.save(input)],
    ],
    { iterations: 40, warmup: 5 },
  );
  printTable("save a 50-tool skill", saves, "plain writeFileSync of the same files (no fsync, no rename)");

  const readPlain = () => {
    for (const file of stored) readFileSync(join(skillDirectory, file.path));
  };
  const loads = await measureInterleaved(
    [
      ["plain readFileSync of every file", readPlain],
      [
        "plain read + blake3 of every file",
        async () => {
          for (const file of stored) await blake3Hex(readFileSync(join(skillDirectory, file.path)));
        },
      ],
      ["store.info (metadata.json only)", () => store.info(identity.name)],
      ["store.verify (every checksum + structure)", () => store.verify(identity.name)],
      [
        "store.load (verify + metadata + sealed VFS)",
        async () => {
          (await store.load(identity.name)).vfs.dispose();
        },
      ],
    ],
    { iterations: 200, warmup: 20 },
  );
  printTable("load a 50-tool skill", loads, "plain readFileSync of every file");
  console.log("\nTargets from the issue: save < 10 ms, load < 3 ms (medians above).");
} finally {
  rmSync(root, { recursive: true, force: true });
}
