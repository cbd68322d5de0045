/**
 * Regression (issue 11.2, 11.8): nothing a server says becomes shell code, HTML or hidden text.
 * The hostile corpus (fixtures/hostile.json) has a tool whose name is shell code, an enum value
 * with quotes, `$(...)` and bidi isolates, HTML and backslashes in titles and instructions, bidi
 * controls and zero-width characters in descriptions, and tools named `constructor`, `toString`,
 * `__proto__` and `hasOwnProperty`. Its tree is compared byte for byte in generate.test.ts and
 * type-checked in typecheck.e2e.test.ts; here each class of attack is checked on its own. SKILL.md's
 * shell line, run by a real shell, is in hostile.e2e.test.ts.
 */
import type { ServerManifest } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { generateTree } from "../src/generate.js";
import { corpusManifest, fileOf } from "./corpus.js";

const INVISIBLE = /[\u2028\u2029\p{Cf}]/u;

/** The Markdown outside fenced code blocks and inline code spans: where HTML would be live. */
function markdownProse(markdown: string): string {
  const withoutFences = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "");
  return withoutFences.replace(/(?<!\\)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

/** `<` characters in prose that are not escaped by an odd run of backslashes. */
function rawAngleBrackets(prose: string): string[] {
  const found: string[] = [];
  for (const match of prose.matchAll(/(\\*)</g)) {
    if ((match[1]?.length ?? 0) % 2 === 0) found.push(prose.slice(match.index, match.index + 20));
  }
  return found;
}

describe("the hostile corpus", () => {
  it("no generated file carries a raw bidi control, invisible format character or line separator", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    for (const file of files) expect(INVISIBLE.test(file.contents), file.path).toBe(false);
    // manifest.json keeps the same data: the escapes are JSON escapes.
    const manifest = JSON.parse(fileOf(files, "servers/hostile/manifest.json")) as ServerManifest;
    expect(manifest.serverInfo.name).toBe("hostile\u202e-server");
    expect(fileOf(files, "SKILL.md")).toContain("Returns the \\\\u202Egnirts\\\\u202C constructor.");
  });

  it("SKILL.md and REFERENCE.md have no raw HTML outside code, backslashes included", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    for (const path of ["SKILL.md", "REFERENCE.md"]) {
      const prose = markdownProse(fileOf(files, path));
      expect(prose, path).toContain("\\\\\\<script\\>");
      expect(rawAngleBrackets(prose), path).toEqual([]);
    }
  });

  it("tools named constructor, toString, __proto__ and hasOwnProperty each get their own file and function", async () => {
    const files = generateTree(await corpusManifest("hostile"));
    const index = fileOf(files, "servers/hostile/index.ts");
    for (const [name, stem] of [
      ["constructor", "constructor"],
      ["toString", "toString"],
      ["proto", "__proto__"],
      ["hasOwnProperty", "hasOwnProperty"],
    ]) {
      expect(index).toContain(`export { ${name} } from "./${stem}.ts";`);
    }
    expect(fileOf(files, "servers/hostile/__proto__.ts")).toContain('callTool("hostile", "__proto__", args)');
  });
});
