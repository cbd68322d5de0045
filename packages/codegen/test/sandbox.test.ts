/**
 * Every generated file of every corpus loads in the real sandbox (QuickJS, sucrase, the VFS at
 * /mcp-tools). Calls through the wrappers to a real server are in sandbox.e2e.test.ts.
 */
import type { GeneratedFile } from "@mcp-execution/core";
import { QuickJsExecutor } from "@mcp-execution/wasm-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import { CORPUS, type CorpusName, corpusManifest } from "./corpus.js";
import { runWithTree, why } from "./sandbox-run.js";

let executor: QuickJsExecutor;

beforeAll(() => {
  executor = new QuickJsExecutor({ maxWorkers: 1 });
});

afterAll(async () => {
  await executor.close();
});

async function run(files: readonly GeneratedFile[], source: string) {
  return runWithTree(executor, files, source);
}

describe("generated wrappers in the real sandbox", () => {
  it.each(Object.keys(CORPUS) as CorpusName[])(
    "every generated file of corpus %s loads in QuickJS after sucrase (imported through its index.ts)",
    async (name) => {
      const manifest = await corpusManifest(name);
      const outcome = await run(
        generateTree(manifest),
        `
import * as api from "./servers/${name}/index.ts";
export default Object.keys(api).filter((key) => typeof (api as Record<string, unknown>)[key] === "function").length;
`,
      );
      expect(outcome, why(outcome)).toMatchObject({ ok: true, result: manifest.tools.length });
    },
  );
});
