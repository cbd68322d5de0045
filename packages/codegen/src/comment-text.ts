/**
 * Makes untrusted text (descriptions, titles, names from a server) safe where generated code puts
 * it: inside block comments, on one line, or in Markdown. Nothing a server sends can end a comment
 * early or start code.
 */

// Every character sequence JavaScript treats as a line break.
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;
// C0 and C1 controls other than tab and line feed; they have no business in documentation.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Invisible format characters (Unicode category Cf): the bidi controls U+202A-202E and U+2066-2069
 * that reorder what a reader sees ("Trojan Source"), zero-width spaces and joiners, the BOM, tag
 * characters. Server text never carries them into generated files; they become a visible `\u202E`.
 */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/** `\u202E` (or `\u{E0001}` above the BMP): an invisible character shown as its code. */
export function visibleEscape(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/**
 * True when normalizeText would change more than the outer whitespace: a carriage return, line or
 * paragraph separator, control character, invisible format character, or spaces before a line
 * break. Most descriptions have none of these, and generation cleans every description of every
 * property, so this is a plain loop rather than a regular expression (the Cf test runs only for
 * text with a character at or above U+00AD, the first Cf character).
 */
function needsNormalizing(text: string): boolean {
  let previous = 0;
  let beyondLatin = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20) {
      if (code !== 0x09 && code !== 0x0a) return true;
      if (code === 0x0a && (previous === 0x20 || previous === 0x09)) return true;
      if (code === 0x0a && (text.charCodeAt(index + 1) === 0x20 || text.charCodeAt(index + 1) === 0x09)) {
        return true;
      }
    } else if ((code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      return true;
    } else if (code >= 0xad) {
      beyondLatin = true;
    }
    previous = code;
  }
  return beyondLatin && /\p{Cf}/u.test(text);
}

/**
 * Normalizes line breaks to `\n`, drops control characters, shows invisible format characters
 * as their code (see {@link visibleEscape}) and trims trailing spaces per line.
 */
export function normalizeText(text: string): string {
  if (!needsNormalizing(text)) return text.trim();
  return dedentContinuation(
    text
      .replace(LINE_BREAKS, "\n")
      .replace(CONTROL_CHARACTERS, "")
      .replace(FORMAT_CHARACTERS, visibleEscape)
      .replace(/[ \t]+$/gm, "")
      .trim(),
  );
}

/**
 * Removes the indentation that every line after the first shares, as Python does for docstrings
 * (PEP 257): a description written inside indented source code keeps its own structure but loses
 * the dozen spaces per line that only cost tokens.
 */
function dedentContinuation(text: string): string {
  const lines = text.split("\n");
  let common = Number.POSITIVE_INFINITY;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line === "") continue;
    const indent = line.length - line.trimStart().length;
    if (indent < common) common = indent;
    if (common === 0) return text;
  }
  if (!Number.isFinite(common)) return text;
  return lines.map((line, index) => (index === 0 ? line : line.slice(common))).join("\n");
}

/** Collapses text to one line: every run of whitespace, line breaks included, becomes one space. */
export function singleLine(text: string): string {
  const normalized = normalizeText(text);
  return /\s\s|[^\S ]/.test(normalized) ? normalized.replace(/\s+/g, " ") : normalized;
}

/**
 * Text for the inside of a `/* *\/` block comment: `*\/` cannot close the comment, and an `@`
 * at the start of a line cannot turn prose into a JSDoc tag.
 */
export function commentSafe(text: string): string {
  let safe = normalizeText(text);
  if (safe.includes("*/")) safe = safe.replace(/\*\//g, "*\\/");
  if (safe.includes("@")) safe = safe.replace(/^@/gm, "\\@");
  return safe;
}

/** A JSDoc tag such as `["default", "10"]`, rendered `@default 10`. */
export type JsDocTag = readonly [tag: string, value: string];

/**
 * The lines of a JSDoc block (without the opening and closing markers), comment-safe: prose
 * paragraphs separated by empty lines, then the tags, each on one line, right after the prose;
 * or everything on one line when a one-line description and its tags fit in 90 characters.
 */
export function jsDocLines(
  paragraphs: readonly (string | undefined)[],
  tags: readonly JsDocTag[] = [],
): string[] {
  const lines: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph === undefined || paragraph === "") continue;
    const safe = commentSafe(paragraph);
    if (safe === "") continue;
    if (lines.length > 0) lines.push("");
    if (safe.includes("\n")) for (const line of safe.split("\n")) lines.push(line);
    else lines.push(safe);
  }
  if (tags.length === 0) return lines;
  // A one-line description with a few short tags reads fine, and costs less, on a single line.
  let compact = lines.length <= 1 ? (lines[0] ?? "") : undefined;
  for (const [tag, value] of tags) {
    const safe = PLAIN_TAG_VALUE.test(value) ? value : commentSafe(singleLine(value));
    const line = safe === "" ? `@${tag}` : `@${tag} ${safe}`;
    lines.push(line);
    if (compact !== undefined) compact = compact === "" ? line : `${compact} ${line}`;
  }
  if (compact !== undefined && compact.length <= COMPACT_JSDOC_WIDTH) return [compact];
  return lines;
}

// Tag values that need no cleaning: numbers, words, simple patterns without comment ends or breaks.
const PLAIN_TAG_VALUE = /^[\w.:+-]*$/;

/** Longest JSDoc text kept on one line when it has tags. */
const COMPACT_JSDOC_WIDTH = 90;

/** Renders JSDoc lines as a block comment indented by `indent`; empty lines give "". */
export function renderJsDoc(lines: readonly string[], indent: string): string {
  if (lines.length === 0) return "";
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  const body = lines.map((line) => (line === "" ? `${indent} *` : `${indent} * ${line}`)).join("\n");
  return `${indent}/**\n${body}\n${indent} */\n`;
}

// A line that starts a list, heading, table, quote or code block, or a label such as "Args:".
const STRUCTURE_LINE = /^(?:[-*+>#|]|\d+[.)]\s|```|[A-Za-z][\w ]{0,30}:$)/;

/**
 * The prose a description opens with: its first lines up to an empty line, a sentence end, or a
 * line that starts a list, heading, table or labelled section. Joining those lines into one
 * merged "Read a file Args: path: ..." into nonsense; a heading on the first line is kept as text.
 */
function leadingProse(text: string): string {
  const lines = normalizeText(text).split("\n");
  const taken: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") {
      if (taken.length === 0) continue;
      break;
    }
    if (taken.length === 0) {
      taken.push(line.replace(/^#+\s*/, ""));
    } else {
      if (STRUCTURE_LINE.test(line)) break;
      taken.push(line);
    }
    if (/[.!?]$/.test(line)) break;
  }
  return taken.join(" ");
}

/**
 * The first sentence of a description, on one line, at most `maxLength` characters (cut at a
 * word boundary with an ellipsis). Used for one-line tool summaries.
 */
export function firstSentence(text: string | undefined, maxLength = 120): string {
  if (text === undefined) return "";
  const line = singleLine(leadingProse(text));
  const end = line.search(/[.!?](\s|$)/);
  const sentence = end === -1 ? line : line.slice(0, end + 1);
  return truncate(sentence, maxLength);
}

/** Cuts `text` to at most `maxLength` characters at a word boundary, ending with an ellipsis. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Text for Markdown prose: one line, with characters that would start HTML, code or a table cell
 * escaped. Backslashes are escaped first, so a server's `\\<b>` cannot turn our escape into a
 * literal backslash followed by a raw tag.
 */
export function markdownInline(text: string): string {
  return singleLine(text).replace(/[\\<>|`]/g, (character) => `\\${character}`);
}

// Characters a string literal must not carry raw: line and paragraph separators (they end a `//`
// comment) and invisible format characters (they hide what the code does from a reader).
const UNSAFE_IN_LITERAL = /[\u2028\u2029\p{Cf}]/gu;

/**
 * A JavaScript string literal for `value`. Unlike plain `JSON.stringify`, U+2028, U+2029 and
 * every invisible format character (Unicode Cf, the bidi controls among them) are escaped too, so
 * the literal is also safe inside a `//` comment and reads as what it is.
 */
export function jsString(value: string): string {
  const literal = JSON.stringify(value);
  return needsLiteralEscapes(literal) ? literal.replace(UNSAFE_IN_LITERAL, visibleEscape) : literal;
}

/**
 * JSON text with line separators and invisible format characters written as `\\uXXXX` escapes,
 * which JSON allows only inside strings, where they are: the same value, and nothing hidden.
 */
export function visibleJson(json: string): string {
  return needsLiteralEscapes(json) ? json.replace(UNSAFE_IN_LITERAL, jsonEscape) : json;
}

/** `\\u202E`; above the BMP as a surrogate pair, the only form JSON has. */
function jsonEscape(character: string): string {
  let escaped = "";
  for (let index = 0; index < character.length; index++) {
    escaped += `\\u${character.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return escaped;
}

function needsLiteralEscapes(literal: string): boolean {
  for (let index = 0; index < literal.length; index++) {
    if (literal.charCodeAt(index) >= 0xad) return /[\u2028\u2029\p{Cf}]/u.test(literal);
  }
  return false;
}

/**
 * A word for a POSIX shell (sh, bash, zsh): in single quotes, where nothing is special, with each
 * `'` written as `'\\''`. Words made only of safe characters stay bare.
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** A Markdown code fence longer than any backtick run in `text`, so the text cannot close it. */
export function fenceFor(text: string): string {
  if (!text.includes("```")) return "```";
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}
