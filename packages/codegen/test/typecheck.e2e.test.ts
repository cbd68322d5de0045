import type { GeneratedFile } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import { allCorpusManifests, CORPUS, type CorpusName, corpusManifest } from "./corpus.js";
import { randomManifest } from "./random-schemas.js";
import {
  measureSmallTypecheckMs,
  NODE_AND_DOM_COMPILER_OPTIONS,
  skillExample,
  typecheckTree,
} from "./typecheck.js";

// Run twice: the first check also pays for the compiler's warm-up, which every test here shares.
measureSmallTypecheckMs();
const SMALL_CHECK_MS = measureSmallTypecheckMs();
/**
 * A test's budget as a multiple of one small check. A tree of generated files costs up to about
 * 10 of them; lib.dom with @types/node about 25 (measured: 1.7 s against 36 s on a loaded machine).
 */
const budget = (smallChecks: number): number => 10_000 + smallChecks * SMALL_CHECK_MS;
const TREE_BUDGET = budget(20);
const NODE_AND_DOM_BUDGET = budget(60);

function file(path: string, contents: string): GeneratedFile {
  return { path, contents };
}

describe("generated trees pass tsc --noEmit (strict, noUncheckedIndexedAccess)", () => {
  it.each(Object.keys(CORPUS) as CorpusName[])(
    "corpus %s, with the SKILL.md example as a script",
    async (name) => {
      const files = generateTree(await corpusManifest(name));
      const skill = files.find((entry) => entry.path === "SKILL.md")!.contents;
      expect(typecheckTree(files, [file("example.ts", skillExample(skill))])).toEqual([]);
    },
    TREE_BUDGET,
  );

  it(
    "all corpus servers in one tree (each index.ts declares the same globals)",
    async () => {
      const files = generateTree(await allCorpusManifests());
      const script = `
import { echo, getSum, getStructuredContent } from "./servers/everything/index.ts";
import { readGraph } from "./servers/knowledge-graph/read_graph.ts";
import { getFileInfo } from "./servers/filesystem/index.ts";
import { refs, type RefsInput } from "./servers/constructs/refs.ts";

const echoed: unknown = await echo({ message: "hi" });
const sum = await getSum({ a: 1, b: 2 });
const weather = await getStructuredContent({ location: "Chicago" });
const celsius: number = weather.temperature;
const graph = await readGraph();
const firstName: string | undefined = graph.entities[0]?.name;
const info = await getFileInfo({ path: "/tmp" });
const size: number = info.size;
const input: RefsInput = { tree: { value: "root", children: [{ value: "leaf" }] } };
const output = await refs(input);
const label: string | undefined = output.node.label;
const text: string = readFile("/mcp-tools/SKILL.md");
writeFile("/workspace/out.txt", text);
setState("count", listFiles("/workspace").length);
const timer = setTimeout((label: unknown) => console.debug(label), 5, "tick");
clearTimeout(timer);
console.log(echoed, sum, celsius, firstName, size, label, getState("count"));
try {
  await callTool("everything", "echo", { message: "raw" });
} catch (error) {
  const failure = error as Error & { code: string; server: string; tool: string };
  console.error(failure.code, failure.server, failure.tool);
}
export default { celsius, firstName };
`;
      expect(typecheckTree(files, [file("script.ts", script)])).toEqual([]);
    },
    TREE_BUDGET,
  );

  it(
    "the globals merge with @types/node and lib.dom (an agent's usual editor setup)",
    async () => {
      const files = generateTree([await corpusManifest("everything"), await corpusManifest("filesystem")]);
      const script = `
import { echo } from "./servers/everything/echo.ts";
const timer = setTimeout(() => console.log("later"), 10);
clearTimeout(timer);
console.info(await echo({ message: "hi" }), listFiles().length);
export default readFile("/mcp-tools/SKILL.md").length;
`;
      expect(typecheckTree(files, [file("script.ts", script)], NODE_AND_DOM_COMPILER_OPTIONS)).toEqual([]);
    },
    NODE_AND_DOM_BUDGET,
  );

  it.each([1, 2, 12])(
    "300 seeded random schemas compile (seed %i)",
    (seed) => {
      expect(typecheckTree(generateTree(randomManifest(seed, 150)))).toEqual([]);
    },
    TREE_BUDGET,
  );

  it(
    "regression: wrong argument types are compile errors, so the types are not any",
    async () => {
      const files = generateTree(await corpusManifest("everything"));
      const script = `
import { echo } from "./servers/everything/echo.ts";
import { getStructuredContent } from "./servers/everything/get-structured-content.ts";
await echo({ message: 42 });
await echo({});
await getStructuredContent({ location: "Paris" });
const weather = await getStructuredContent({ location: "Chicago" });
const wrong: string = weather.temperature;
export default wrong;
`;
      const diagnostics = typecheckTree(files, [file("bad.ts", script)]);
      expect(diagnostics.map((line) => line.replace(/:.*$/s, ""))).toEqual([
        "bad.ts(4,14)",
        "bad.ts(5,12)",
        "bad.ts(6,30)",
        "bad.ts(8,7)",
      ]);
    },
    TREE_BUDGET,
  );
});
