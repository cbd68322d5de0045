/**
 * JavaScript identifiers made from arbitrary names: tool names become function names, `$defs`
 * keys become type names, property names become keys in object types.
 */
import { jsString } from "./comment-text.js";

/**
 * Words that cannot name a function declared in an ES module (strict mode), plus names whose
 * shadowing would break or confuse generated code: the sandbox globals and global values.
 */
export const RESERVED_IDENTIFIERS: ReadonlySet<string> = new Set([
  // ECMAScript reserved words, strict-mode and module-only restrictions.
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "arguments",
  "eval",
  // Global values a wrapper or an agent's script relies on.
  "undefined",
  "globalThis",
  "Infinity",
  "NaN",
  "Promise",
  "Error",
  "Object",
  "Array",
  "JSON",
  // The sandbox's guest API (docs/conventions.md section 3): a wrapper named `callTool` would call itself.
  "callTool",
  "readFile",
  "writeFile",
  "listFiles",
  "getState",
  "setState",
  "console",
]);

const IDENTIFIER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** True when `name` can be written as a bare property key or identifier (ASCII identifiers only). */
export function isIdentifierName(name: string): boolean {
  return IDENTIFIER_NAME.test(name);
}

/**
 * A property key for an object type: bare when it is an identifier name, otherwise a string
 * literal (`jsString`: line separators and invisible format characters escaped).
 */
export function propertyKey(name: string): string {
  if (isIdentifierName(name)) return name;
  return jsString(name);
}

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
}

/**
 * Splits a name into ASCII words: accents are removed (`créer` gives `creer`), every other
 * character that is not a letter or digit separates words. (A loop, not a regular expression:
 * naming runs for every tool and every `$defs` key.)
 */
export function words(name: string): string[] {
  const text = isAscii(name) ? name : name.normalize("NFKD").replace(/\p{M}/gu, "");
  const result: string[] = [];
  let start = -1;
  for (let index = 0; index <= text.length; index++) {
    if (index < text.length && isAsciiAlphanumeric(text.charCodeAt(index))) {
      if (start < 0) start = index;
    } else if (start >= 0) {
      result.push(text.slice(start, index));
      start = -1;
    }
  }
  return result;
}

function capitalize(word: string): string {
  // An all-capital word (`SUM`, `HTTP`) reads as a word, not as an acronym chain: `Sum`, `Http`.
  const normalized = word.length > 1 && word === word.toUpperCase() ? word.toLowerCase() : word;
  return normalized.charAt(0).toUpperCase() + normalized.slice(1);
}

function lowerFirstWord(word: string): string {
  if (word === word.toUpperCase()) return word.toLowerCase();
  // `HTTPRequest` gives `httpRequest`: lower the leading capitals except the one that starts the next word.
  let leadingCapitals = 0;
  while (leadingCapitals < word.length) {
    const code = word.charCodeAt(leadingCapitals);
    if (code < 65 || code > 90) break;
    leadingCapitals++;
  }
  if (leadingCapitals === 0) return word;
  const cut = leadingCapitals > 1 ? leadingCapitals - 1 : leadingCapitals;
  return word.slice(0, cut).toLowerCase() + word.slice(cut);
}

function startsWithDigit(text: string): boolean {
  const code = text.charCodeAt(0);
  return code >= 48 && code <= 57;
}

/**
 * camelCase identifier for `name` (`get-sum`, `get_sum`, `GET_SUM` and `getSum` all give
 * `getSum`). A name with no letters or digits gives `fallback`, and one starting with a digit is
 * prefixed with it (`2fa` gives `tool2fa` for the fallback `tool`), so the result always starts
 * with a lower-case letter.
 * Reserved words are not handled here (see {@link RESERVED_IDENTIFIERS}).
 */
export function camelCase(name: string, fallback: string): string {
  const parts = words(name);
  if (parts.length === 0) return fallback;
  let joined = lowerFirstWord(parts[0]!);
  for (let index = 1; index < parts.length; index++) joined += capitalize(parts[index]!);
  return startsWithDigit(joined) ? fallback + joined : joined;
}

/**
 * PascalCase identifier for `name` (`$defs` keys to type names); same rules as {@link camelCase},
 * so the result always starts with an upper-case letter when `fallback` does.
 */
export function pascalCase(name: string, fallback: string): string {
  const parts = words(name);
  if (parts.length === 0) return fallback;
  let joined = "";
  for (const part of parts) joined += capitalize(part);
  return startsWithDigit(joined) ? fallback + joined : joined;
}

/** Upper-cases the first character of an identifier (`getSum` to `GetSum`). */
export function upperFirst(identifier: string): string {
  return identifier.charAt(0).toUpperCase() + identifier.slice(1);
}

/**
 * Gives every name a distinct value, deterministically and independent of input order.
 *
 * `natural(name)` is the preferred value; `key(value)` says when two values collide (identity
 * for identifiers, lower case for file names on case-insensitive file systems). Every natural
 * value that is free is taken first; in a group of names sharing one value, a name equal to the
 * value keeps it (so `getSum` keeps `getSum` beside `get-sum`), otherwise the first name in
 * code-unit order does; the others get `suffix(value, n)` with the smallest n >= 2 that is free.
 */
export function assignUnique(
  names: readonly string[],
  natural: (name: string) => string,
  suffix: (value: string, n: number) => string,
  key: (value: string) => string = (value) => value,
): Map<string, string> {
  // The common case: no two names share a value. Then every name keeps its own, in any order.
  const direct = new Map<string, string>();
  const keys = new Set<string>();
  for (const name of names) {
    if (direct.has(name)) continue;
    const value = natural(name);
    const valueKey = key(value);
    if (keys.has(valueKey)) {
      direct.clear();
      break;
    }
    keys.add(valueKey);
    direct.set(name, value);
  }
  if (direct.size > 0 || names.length === 0) return direct;

  const sorted = [...new Set(names)].sort();
  const naturals = new Map(sorted.map((name) => [name, natural(name)]));
  const naturalOf = (name: string) => naturals.get(name)!;
  const groups = new Map<string, { value: string; members: string[] }>();
  for (const name of sorted) {
    const value = naturalOf(name);
    const groupKey = key(value);
    const group = groups.get(groupKey);
    if (group === undefined) groups.set(groupKey, { value, members: [name] });
    else group.members.push(name);
  }
  const result = new Map<string, string>();
  const taken = new Set<string>();
  const losers: { name: string; value: string }[] = [];
  for (const [groupKey, { members }] of groups) {
    const owner = members.find((name) => naturalOf(name) === name) ?? members[0];
    for (const name of members) {
      const value = naturalOf(name);
      if (name === owner) {
        result.set(name, value);
        taken.add(groupKey);
      } else {
        losers.push({ name, value });
      }
    }
  }
  losers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, value } of losers) {
    let n = 2;
    let candidate = suffix(value, n);
    while (taken.has(key(candidate))) candidate = suffix(value, ++n);
    taken.add(key(candidate));
    result.set(name, candidate);
  }
  return result;
}
