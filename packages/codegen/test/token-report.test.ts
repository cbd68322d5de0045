import { isMcpCliError } from "@mcp-execution/core";
import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import { countTokens, measureTokens } from "../src/token-report.js";
import { corpusManifest, manifestFromRecording, readRecording } from "./corpus.js";

describe("token report", () => {
  it("counts server-everything's tree with o200k, against its tools/list JSON", async () => {
    const manifest = await corpusManifest("everything");
    const files = generateTree(manifest);
    const report = await measureTokens([manifest], files);
    const tokensOf = (path: string) => o200k(files.find((file) => file.path === path)!.contents);
    const toolFiles = files.filter((file) => file.path.endsWith(".ts") && !file.path.endsWith("/index.ts"));
    const perFile = toolFiles.map((file) => o200k(file.contents));

    // The recording's listing is what STACK.md measured independently: 1,712 tokens.
    expect(report.fullListing).toBe(
      o200k(JSON.stringify({ tools: readRecording("server-everything.json").tools })),
    );
    expect(report.fullListing).toBe(1712);
    expect(report.toolCount).toBe(13);
    expect(report.skill).toBe(tokensOf("SKILL.md"));
    expect(report.index).toBe(tokensOf("servers/everything/index.ts"));
    expect(report.reference).toBe(tokensOf("REFERENCE.md"));
    expect(report.toolFile.largest).toBe(Math.max(...perFile));
    expect(report.toolFile.largestPath).toBe(toolFiles[perFile.indexOf(Math.max(...perFile))]!.path);
    expect(report.toolFile.average).toBeCloseTo(perFile.reduce((a, b) => a + b, 0) / perFile.length, 10);
    expect(report.oneTool.average).toBeCloseTo(report.skill + report.toolFile.average, 10);
    expect(report.oneTool.largest).toBe(report.skill + report.toolFile.largest);
    expect(report.oneTool.averageRatio).toBeCloseTo(report.oneTool.average / report.fullListing, 10);
    expect(report.oneToolWithIndex.largest).toBe(report.skill + report.index + report.toolFile.largest);
  });

  it("sums listings and indexes over the servers of a multi-server tree", async () => {
    const everything = await corpusManifest("everything");
    const filesystem = await corpusManifest("filesystem");
    const files = generateTree([everything, filesystem]);
    const report = await measureTokens([everything, filesystem], files);
    expect(report.fullListing).toBe(
      (await countTokens(JSON.stringify({ tools: everything.tools }))) +
        (await countTokens(JSON.stringify({ tools: filesystem.tools }))),
    );
    expect(report.toolCount).toBe(everything.tools.length + filesystem.tools.length);
  });

  it("a 100-tool server: using one tool reads a small share of the listing (numbers in benches/tokens)", async () => {
    const manifest = await manifestFromRecording("synthetic", readRecording("synthetic-100.json"));
    const report = await measureTokens([manifest], generateTree(manifest));
    expect(report.toolCount).toBe(100);
    // Not a performance assertion: a structural one. The whole point of the tree is that one
    // tool costs a fraction of the listing; a template change that made SKILL.md list every
    // tool's signature would push this far above 10%.
    expect(report.oneTool.largestRatio).toBeLessThan(0.1);
  });

  it("counts the listing the server sent when given, every field included (issue 15.6)", async () => {
    const manifest = await corpusManifest("everything");
    const files = generateTree(manifest);
    // What a server sends carries more than the manifest's normalized tools: _meta, icons, ...
    const sent = JSON.stringify({
      tools: manifest.tools.map((tool) => ({ ...tool, _meta: { "vendor/note": "x".repeat(200) } })),
    });
    const report = await measureTokens([manifest], files, { listings: [sent] });
    expect(report.fullListing).toBe(await countTokens(sent));
    expect(report.fullListing).toBeGreaterThan((await measureTokens([manifest], files)).fullListing);
    const error = await measureTokens([manifest], files, { listings: [] }).catch((caught: unknown) => caught);
    expect(isMcpCliError(error, "USAGE")).toBe(true);
  });

  it("FILE_NOT_FOUND when the tree lacks SKILL.md", async () => {
    const manifest = await corpusManifest("everything");
    const files = generateTree(manifest).filter((file) => file.path !== "SKILL.md");
    const error = await measureTokens([manifest], files).catch((caught: unknown) => caught);
    expect(isMcpCliError(error, "FILE_NOT_FOUND")).toBe(true);
  });
});
