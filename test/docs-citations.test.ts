/**
 * Every file a document or a source comment cites exists: markdown links, repository paths
 * (`docs/…`, `packages/…`, `test/…`), and bare document names (`CONVENTIONS.md`). A moved or
 * missing document fails here instead of leaving readers with a dead reference.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", ".git", "generated"]);
const SCANNED = /\.(md|ts|mts|mjs)$/;

/** Names of files the tool generates or reads (not documents of this repository). */
const FORMAT_NAMES = new Set(["SKILL.md", "REFERENCE.md", "AGENTS.md", "CLAUDE.md"]);
/**
 * The team's shared notes outside the repository (measured facts about dependencies, the style
 * guide). Cited for provenance; they are not part of the project's contract, which is in docs/.
 */
const EXTERNAL_NOTES = new Set(["STACK.md", "STYLE.md"]);

function filesUnder(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else if (SCANNED.test(entry.name)) found.push(path);
  }
  return found;
}

/** CHANGELOG.md records history, including files that have since moved; this file cites dead names on purpose. */
const NOT_SCANNED = new Set(["CHANGELOG.md", join("test", "docs-citations.test.ts")]);

function scannedFiles(): string[] {
  const top = readdirSync(ROOT)
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(ROOT, name));
  return [
    ...top,
    ...["docs", "packages", "test", "benches", "examples"].flatMap((dir) => filesUnder(join(ROOT, dir))),
  ].filter((path) => !NOT_SCANNED.has(relative(ROOT, path)));
}

const MARKDOWN_LINK = /\[[^\]]*\]\(([^)\s]+)\)/g;
const REPOSITORY_PATH =
  /(?<![\w./<>{}$*-])((?:docs|packages|test|benches|examples|wit)\/[\w.-]+(?:\/[\w.-]+)*\.(?:md|ts|mjs|json|wit|wasm))(?![\w*<>{}/])/g;
// Inside a string literal a bare name is data (a file a test writes), not a citation.
const BARE_DOCUMENT = /(?<![\w./"'`-])([A-Z][A-Z0-9_-]*\.md)\b/g;
const PACKAGES = readdirSync(join(ROOT, "packages"));

/** A repository path as cited: from the root, or (guides say `test/…` for a package's tests) inside a package. */
function repositoryPathExists(target: string): boolean {
  return (
    existsSync(join(ROOT, target)) ||
    PACKAGES.some((name) => existsSync(join(ROOT, "packages", name, target)))
  );
}

/** Sentences naming each dead citation: `file: target`. */
function deadCitations(path: string, text: string): string[] {
  const dead: string[] = [];
  const where = relative(ROOT, path);
  if (path.endsWith(".md")) {
    for (const match of text.matchAll(MARKDOWN_LINK)) {
      const target = (match[1] as string).split("#")[0] as string;
      if (target === "" || /^[a-z]+:/i.test(target)) continue;
      if (!existsSync(join(dirname(path), target))) dead.push(`${where}: link ${target}`);
    }
  }
  for (const match of text.matchAll(REPOSITORY_PATH)) {
    const target = match[1] as string;
    if (!repositoryPathExists(target)) dead.push(`${where}: ${target}`);
  }
  for (const match of text.matchAll(BARE_DOCUMENT)) {
    const name = match[1] as string;
    if (FORMAT_NAMES.has(name) || EXTERNAL_NOTES.has(name)) continue;
    if (!existsSync(join(ROOT, name))) dead.push(`${where}: ${name}`);
  }
  return dead;
}

describe("citations of files", () => {
  it("every cited document and repository path exists", () => {
    const dead = scannedFiles().flatMap((path) => deadCitations(path, readFileSync(path, "utf8")));
    expect(dead).toEqual([]);
  });

  it("catches a citation of a document that is not in the repository (can fail)", () => {
    const path = join(ROOT, "docs", "example.md");
    expect(deadCitations(path, "the rules of CONVENTIONS.md section 3")).toEqual([
      "docs/example.md: CONVENTIONS.md",
    ]);
    expect(deadCitations(path, "see [the guide](missing-guide.md) and docs/gone.md")).toEqual([
      "docs/example.md: link missing-guide.md",
      "docs/example.md: docs/gone.md",
    ]);
    expect(
      deadCitations(path, "see [the rules](conventions.md#3-the-guest-api) and docs/conventions.md"),
    ).toEqual([]);
  });
});
