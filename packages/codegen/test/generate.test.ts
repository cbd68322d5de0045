import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isMcpCliError, isSkillId, type ServerManifest } from "@mcp-execution/core";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  generateServerFiles,
  generateTree,
  SKILL_NAMES_LIMIT,
  SKILL_SUMMARY_LIMIT,
} from "../src/generate.js";
import { skillIdentity } from "../src/skill-identity.js";
import { GENERATOR_VERSION } from "../src/version.js";
import { CORPUS, type CorpusName, corpusManifest, manifestFromRecording, readRecording } from "./corpus.js";
import { typecheckTree } from "./typecheck.js";

const SNAPSHOTS = "./fixtures/generated";

function codeOf(error: unknown): string | undefined {
  return isMcpCliError(error) ? error.code : undefined;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function frontMatterOf(skill: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(skill);
  if (match?.[1] === undefined) throw new Error("SKILL.md has no front matter");
  return parse(match[1]) as Record<string, unknown>;
}

describe("generated trees match their snapshots exactly", () => {
  it.each(["everything", "constructs", "naming", "filesystem", "knowledge-graph", "hostile"] as CorpusName[])(
    "corpus %s",
    async (name) => {
      const files = generateTree(await corpusManifest(name));
      for (const file of files) {
        await expect(file.contents).toMatchFileSnapshot(`${SNAPSHOTS}/${name}/${file.path}.snap`);
      }
    },
  );

  it("two servers in one tree: one SKILL.md and REFERENCE.md covering both", async () => {
    const files = generateTree([await corpusManifest("everything"), await corpusManifest("filesystem")]);
    const paths = files.map((file) => file.path);
    expect(paths.filter((path) => path.endsWith("/index.ts"))).toEqual([
      "servers/everything/index.ts",
      "servers/filesystem/index.ts",
    ]);
    for (const path of ["SKILL.md", "REFERENCE.md"]) {
      const contents = files.find((file) => file.path === path)!.contents;
      await expect(contents).toMatchFileSnapshot(`${SNAPSHOTS}/everything+filesystem/${path}.snap`);
    }
  });

  it(`a tree of ${SKILL_SUMMARY_LIMIT} to ${SKILL_NAMES_LIMIT - 1} tools lists file names only in SKILL.md, a shared prefix once`, async () => {
    const recording = readRecording("synthetic-100.json");
    const manifest = await manifestFromRecording("synthetic", {
      ...recording,
      tools: recording.tools.slice(0, SKILL_SUMMARY_LIMIT),
    });
    const skill = generateTree(manifest).find((file) => file.path === "SKILL.md")!.contents;
    expect(skill).toContain("`servers/synthetic/index.ts` lists them with one-line summaries. Files:\n");
    expect(skill).not.toContain("- `create_alert.ts`");
    const prefixed = await manifestFromRecording("prefixed", {
      ...recording,
      tools: recording.tools
        .slice(0, SKILL_SUMMARY_LIMIT)
        .map((tool) => ({ ...tool, name: `browser_${tool.name}` })),
    });
    const prefixedSkill = generateTree(prefixed).find((file) => file.path === "SKILL.md")!.contents;
    expect(prefixedSkill).toMatch(/Files:\n`browser_\*`: [a-z]/);
  });

  it(`a tree of ${SKILL_NAMES_LIMIT} tools or more names the index.ts that lists them instead of listing them`, async () => {
    const manifest = await manifestFromRecording("synthetic", readRecording("synthetic-100.json"));
    const files = generateTree(manifest);
    const skill = files.find((file) => file.path === "SKILL.md")!.contents;
    await expect(skill).toMatchFileSnapshot(`${SNAPSHOTS}/synthetic/SKILL.md.snap`);
    expect(skill).toContain("100 tools; `servers/synthetic/index.ts` lists them with one-line summaries.\n");
    expect(skill.slice(skill.indexOf("## Tools"))).not.toContain("create_alert");
  });
});

describe("generateTree", () => {
  it("does not depend on the order the server lists its tools in", async () => {
    const manifest = await corpusManifest("naming");
    const reversed: ServerManifest = { ...manifest, tools: [...manifest.tools].reverse() };
    const withoutManifest = (files: ReturnType<typeof generateTree>) =>
      files.filter((file) => !file.path.endsWith("manifest.json"));
    expect(withoutManifest(generateTree(reversed))).toEqual(withoutManifest(generateTree(manifest)));
  });

  it("writes only plain relative POSIX paths, distinct ignoring case, sorted", async () => {
    const manifests = await Promise.all((Object.keys(CORPUS) as CorpusName[]).map(corpusManifest));
    const files = generateTree(manifests);
    const paths = files.map((file) => file.path);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(paths.map((path) => path.toLowerCase())).size).toBe(paths.length);
    for (const path of paths) {
      expect(path).toMatch(
        /^(SKILL\.md|REFERENCE\.md|servers\/[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_][A-Za-z0-9_-]*\.(ts|json))$/,
      );
    }
  });

  it("manifest.json is the manifest, fingerprint included", async () => {
    const manifest = await corpusManifest("everything");
    const file = generateServerFiles(manifest).find(
      (entry) => entry.path === "servers/everything/manifest.json",
    )!;
    expect(JSON.parse(file.contents)).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(JSON.parse(file.contents).fingerprint.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("SKILL.md front matter is valid Agent Skills YAML and matches skillIdentity", async () => {
    const manifests = [await corpusManifest("everything"), await corpusManifest("knowledge-graph")];
    const skill = generateTree(manifests).find((file) => file.path === "SKILL.md")!.contents;
    const front = frontMatterOf(skill);
    expect(Object.keys(front)).toEqual(["name", "description"]);
    expect(front).toEqual(skillIdentity(manifests));
    expect(front.name).toBe("everything-knowledge-graph");
    expect(isSkillId(String(front.name))).toBe(true);
    expect(String(front.description).length).toBeLessThanOrEqual(1024);
    expect(String(front.description)).not.toMatch(/[<>]/);
  });

  it("repairs an invalid skill name and description instead of passing them through", async () => {
    const manifest = await corpusManifest("everything");
    const description = `<b>Great</b> tools\n\nfor "quoted" work: a < b && c > d ${"long ".repeat(300)}`;
    const skill = generateTree(manifest, { skill: { name: "My Claude Skill!!", description } }).find(
      (file) => file.path === "SKILL.md",
    )!.contents;
    const front = frontMatterOf(skill);
    expect(front.name).toBe("my-skill");
    const text = String(front.description);
    expect(text.startsWith('Great tools for "quoted" work: a ‹ b && c › d long long')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(text.endsWith("…")).toBe(true);
  });

  it("keeps YAML 1.1 look-alikes strings: a skill named yes stays the string yes", async () => {
    const skill = generateTree(await corpusManifest("everything"), { skill: { name: "yes" } }).find(
      (file) => file.path === "SKILL.md",
    )!.contents;
    expect(skill).toContain('\nname: "yes"\n');
    expect(frontMatterOf(skill).name).toBe("yes");
  });

  it("errors: no manifest (USAGE), a server twice, an invalid server name (NAME_INVALID)", async () => {
    const manifest = await corpusManifest("everything");
    expect(codeOf(thrown(() => generateTree([])))).toBe("USAGE");
    const twice = thrown(() => generateTree([manifest, manifest]));
    expect(codeOf(twice)).toBe("NAME_INVALID");
    expect((twice as Error).message).toBe('the server "everything" is given twice');
    for (const server of ["../escape", "a/b", "", ".hidden"]) {
      expect(codeOf(thrown(() => generateTree({ ...manifest, server })))).toBe("NAME_INVALID");
    }
  });

  it("a server without tools gives a tree that still type-checks", async () => {
    const manifest = await manifestFromRecording("empty", {
      ...readRecording("server-everything.json"),
      tools: [],
    });
    const files = generateTree(manifest);
    expect(files.map((file) => file.path)).toEqual([
      "REFERENCE.md",
      "SKILL.md",
      "servers/empty/index.ts",
      "servers/empty/manifest.json",
    ]);
    expect(files.find((file) => file.path === "servers/empty/index.ts")!.contents).toContain(
      "\nexport {};\n",
    );
    expect(typecheckTree(files)).toEqual([]);
  });

  it("GENERATOR_VERSION is the package version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(GENERATOR_VERSION).toBe(pkg.version);
  });
});

describe("wrappers at run time (transpiled by TypeScript, callTool recorded)", () => {
  it.each(["naming", "hostile"] as const)(
    "every wrapper of the %s corpus calls callTool with its exact server and tool name",
    async (corpus) => {
      const manifest = await corpusManifest(corpus);
      const files = generateServerFiles(manifest).filter(
        (file) => file.path.endsWith(".ts") && !file.path.endsWith("/index.ts"),
      );
      const directory = mkdtempSync(join(tmpdir(), "codegen-run-"));
      const calls: unknown[][] = [];
      const global = globalThis as { callTool?: (...args: unknown[]) => Promise<unknown> };
      global.callTool = async (...args: unknown[]) => {
        calls.push(args);
        return { echoed: args[1] };
      };
      try {
        const seen: string[] = [];
        for (const file of files) {
          const js = ts.transpileModule(file.contents, {
            compilerOptions: {
              module: ts.ModuleKind.ESNext,
              target: ts.ScriptTarget.ES2022,
              verbatimModuleSyntax: true,
            },
          }).outputText;
          const target = join(directory, `${file.path.replaceAll("/", "__")}.mjs`);
          writeFileSync(target, js);
          const module = (await import(pathToFileURL(target).href)) as Record<
            string,
            (args?: unknown) => Promise<unknown>
          >;
          const exported = Object.values(module).filter((value) => typeof value === "function");
          expect(exported).toHaveLength(1);
          const result = await exported[0]!();
          seen.push(String((result as { echoed: unknown }).echoed));
        }
        expect(seen.sort()).toEqual(manifest.tools.map((tool) => tool.name).sort());
        expect(calls.every((call) => call[0] === corpus)).toBe(true);
        if (corpus === "naming") expect(calls.every((call) => JSON.stringify(call[2]) === "{}")).toBe(true);
      } finally {
        delete global.callTool;
        rmSync(directory, { recursive: true, force: true });
      }
    },
  );
});
