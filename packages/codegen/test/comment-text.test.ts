import { describe, expect, it } from "vitest";
import {
  commentSafe,
  fenceFor,
  firstSentence,
  jsDocLines,
  jsString,
  markdownInline,
  normalizeText,
  renderJsDoc,
  shellWord,
  singleLine,
  truncate,
  visibleJson,
} from "../src/comment-text.js";

describe("text that lands in generated code and Markdown", () => {
  it("normalizes line breaks and control characters, trims line ends", () => {
    expect(normalizeText("  a \r\nb\rc\u2028d\u2029e\u0007f\u0085  \n")).toBe("a\nb\nc\nd\nef");
    expect(normalizeText("plain text")).toBe("plain text");
    expect(singleLine(" a\n\n b\t c ")).toBe("a b c");
  });

  it("a description cannot end a comment or start a JSDoc tag", () => {
    expect(commentSafe("ends */ here\n@param x")).toBe("ends *\\/ here\n\\@param x");
    expect(commentSafe("mail me@example.com")).toBe("mail me@example.com");
  });

  it("JSDoc: paragraphs, tags, and one line when short", () => {
    expect(jsDocLines(["First.", undefined, "", "Second\nline."])).toEqual(["First.", "", "Second", "line."]);
    expect(jsDocLines(["Page size."], [["default", "30"]])).toEqual(["Page size. @default 30"]);
    expect(jsDocLines(["x".repeat(100)], [["default", "30"]])).toEqual(["x".repeat(100), "@default 30"]);
    expect(jsDocLines([], [["pattern", "a*/b\nc"]])).toEqual(["@pattern a*\\/b c"]);
    expect(renderJsDoc([], "  ")).toBe("");
    expect(renderJsDoc(["one"], "  ")).toBe("  /** one */\n");
    expect(renderJsDoc(["one", "", "two"], "")).toBe("/**\n * one\n *\n * two\n */\n");
  });

  it("string literals escape line and paragraph separators (safe in // comments too)", () => {
    expect(jsString('a"b\u2028c\u2029')).toBe('"a\\"b\\u2028c\\u2029"');
    expect(jsString("plain")).toBe('"plain"');
  });

  it("first sentences and truncation at word boundaries", () => {
    expect(firstSentence("Gets a thing. Then more.")).toBe("Gets a thing.");
    expect(firstSentence("Version 1.2 is here")).toBe("Version 1.2 is here");
    expect(firstSentence(undefined)).toBe("");
    expect(truncate("one two three four", 12)).toBe("one two…");
    expect(truncate("short", 12)).toBe("short");
  });

  it("Markdown: inline text escapes HTML and table characters; fences outgrow backtick runs", () => {
    expect(markdownInline("a <b> | `c`\nd")).toBe("a \\<b\\> \\| \\`c\\` d");
    expect(fenceFor("no fences")).toBe("```");
    expect(fenceFor("has ```ts\nand ````")).toBe("`````");
  });

  it("regression: bidi controls and other invisible format characters become visible escapes", () => {
    expect(normalizeText("a\u202eb\u2066c\u2069\u200b\ufeffd\u{e0041}")).toBe(
      "a\\u202Eb\\u2066c\\u2069\\u200B\\uFEFFd\\u{E0041}",
    );
    expect(commentSafe("x\u202ey")).toBe("x\\u202Ey");
    expect(jsString("a\u202eb\u{e0041}")).toBe('"a\\u202Eb\\u{E0041}"');
    expect(visibleJson(JSON.stringify({ k: "\u202e\u{e0041}" }))).toBe('{"k":"\\u202E\\uDB40\\uDC41"}');
    expect(JSON.parse(visibleJson(JSON.stringify("\u202e\u{e0041}")))).toBe("\u202e\u{e0041}");
    // Letters outside Latin-1 that are not format characters stay as they are.
    expect(normalizeText("créer ✓ 日本")).toBe("créer ✓ 日本");
  });

  it("regression: Markdown escaping escapes backslashes first, so no raw tag survives", () => {
    expect(markdownInline("\\<script>")).toBe("\\\\\\<script\\>");
  });

  it("shell words: single-quoted unless plainly safe, quotes written '\\''", () => {
    expect(shellWord("everything")).toBe("everything");
    expect(shellWord("a b")).toBe("'a b'");
    expect(shellWord("it's $(id) `x`")).toBe("'it'\\''s $(id) `x`'");
    expect(shellWord("")).toBe("''");
  });

  it("regression: one-line summaries stop at a line that starts a list, a label or a heading", () => {
    expect(firstSentence("Read a file\nArgs:\n  path: where")).toBe("Read a file");
    expect(firstSentence("# Search\n\nFinds things")).toBe("Search");
    expect(firstSentence("Lists items\n- one\n- two")).toBe("Lists items");
    expect(firstSentence("Creates a page in\nthe workspace. More.")).toBe("Creates a page in the workspace.");
  });
});
