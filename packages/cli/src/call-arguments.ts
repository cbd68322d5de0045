/**
 * `call` arguments: `key=value` pairs coerced by the tool's input schema, `key:=json` for raw
 * JSON, `key=@file` for a file's contents, dotted keys for nested fields, and `--args <json>`
 * underneath. `mcp-cli call --help` prints the rules (`call-help.ts`).
 *
 * A value becomes what the schema allows, trying the non-string types first, so a value that
 * parses as one of them is sent as that type (`value=500` for `string | number` gives 500) and
 * `id=007` stays the string "007" when the schema says string:
 * 1. an enum member given as its text is that member;
 * 2. an object or array property takes a value that parses as a JSON object or array;
 * 3. a number or integer property takes a numeric literal (an integer property only an integer);
 * 4. a boolean property takes `true` or `false`; a null property takes `null`;
 * 5. a string property takes the text as it is;
 * 6. an array property also takes repeated `key=item` pairs, each coerced by `items`;
 * 7. a property the schema says nothing about takes a JSON literal when the text is one
 *    (`42`, `true`, `null`, `{"a":1}`), otherwise the text.
 * A value in JSON double quotes (`key='"500"'`) is always that string; `key:=json` is always the
 * JSON value. Anything else is `ARGS_INVALID` naming the argument, what the schema wants and what
 * was given. `@@text` is the text `@text`.
 *
 * Names are checked against the schema before anything is sent: a name the schema does not list
 * (where it lists its properties and does not allow others) is `ARGS_INVALID` with the closest
 * listed name. Dotted keys (`edits.0.oldText=x`) set nested fields and array items by index; they
 * are bounded in depth and refuse the segments `__proto__`, `constructor` and `prototype`, and
 * every object is built with own data properties only, so no input can reach a prototype.
 */
import { closestName, type JsonSchema, McpCliError } from "@mcp-execution/core";

export type ValueType = "string" | "number" | "integer" | "boolean" | "null" | "object" | "array";

const ALL_TYPES: readonly ValueType[] = ["string", "number", "integer", "boolean", "null", "object", "array"];

type SchemaObject = { readonly [key: string]: unknown };
type Container = Record<string, unknown> | unknown[];

/** Segments a dotted key may have at most. */
const MAX_PATH_DEPTH = 16;
/** Characters of a key at most (a key is a name, not a document). */
const MAX_KEY_LENGTH = 512;
/** Segments that would reach an object's prototype if a careless consumer used them as keys. */
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
const INDEX = /^(0|[1-9][0-9]{0,8})$/;

function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeOfValue(value: unknown): ValueType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as ValueType;
}

/** An own data property, also for names such as `__proto__` that assignment would not create. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The JSON types a schema admits; empty when it does not say. */
export function schemaTypes(schema: unknown): Set<ValueType> {
  const types = new Set<ValueType>();
  if (!isSchemaObject(schema)) return types;
  const add = (type: unknown): void => {
    if (typeof type === "string" && (ALL_TYPES as readonly string[]).includes(type))
      types.add(type as ValueType);
  };
  if (Array.isArray(schema.type)) schema.type.forEach(add);
  else add(schema.type);
  if (Array.isArray(schema.enum)) for (const value of schema.enum) types.add(typeOfValue(value));
  if (Object.hasOwn(schema, "const")) types.add(typeOfValue(schema.const));
  for (const keyword of ["anyOf", "oneOf", "allOf"]) {
    const members = schema[keyword];
    if (Array.isArray(members))
      for (const member of members) for (const type of schemaTypes(member)) types.add(type);
  }
  if (types.size === 0) {
    if (isSchemaObject(schema.properties)) types.add("object");
    if (schema.items !== undefined || schema.prefixItems !== undefined) types.add("array");
  }
  return types;
}

/** Object schemas that make up `schema`: itself and its allOf/anyOf/oneOf members, recursively. */
function objectBranches(schema: unknown, depth = 0): SchemaObject[] {
  if (!isSchemaObject(schema) || depth > MAX_PATH_DEPTH) return [];
  const branches = [schema];
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const members = schema[keyword];
    if (Array.isArray(members))
      for (const member of members) branches.push(...objectBranches(member, depth + 1));
  }
  return branches;
}

/** The schema of property `key` of an object schema, looking into allOf/anyOf/oneOf members. */
export function propertySchema(schema: JsonSchema | undefined, key: string): unknown {
  for (const branch of objectBranches(schema)) {
    const properties = branch.properties;
    if (isSchemaObject(properties) && Object.hasOwn(properties, key)) return properties[key];
  }
  return undefined;
}

/** The property names an object schema lists (all branches). */
function listedProperties(schema: unknown): string[] {
  const names = new Set<string>();
  for (const branch of objectBranches(schema)) {
    if (isSchemaObject(branch.properties)) for (const name of Object.keys(branch.properties)) names.add(name);
  }
  return [...names];
}

/**
 * Whether the schema accepts a property it does not list: not when it lists properties and says
 * nothing more (a name outside the list is almost always a typo), nor when it forbids others.
 * `additionalProperties` given as `true` or a schema, or `patternProperties`, allow them.
 */
function acceptsUnlisted(schema: unknown): boolean {
  const branches = objectBranches(schema);
  if (!branches.some((branch) => isSchemaObject(branch.properties))) return true;
  return branches.some(
    (branch) =>
      branch.additionalProperties === true ||
      isSchemaObject(branch.additionalProperties) ||
      isSchemaObject(branch.patternProperties),
  );
}

/** The schema for a property the schema does not list, when `additionalProperties` gives one. */
function unlistedSchema(schema: unknown): unknown {
  for (const branch of objectBranches(schema)) {
    if (isSchemaObject(branch.additionalProperties)) return branch.additionalProperties;
  }
  return undefined;
}

/** The schema of item `index` of an array schema (tuple forms included). */
function itemSchema(schema: unknown, index: number): unknown {
  for (const branch of objectBranches(schema)) {
    if (Array.isArray(branch.prefixItems) && index < branch.prefixItems.length)
      return branch.prefixItems[index];
    if (Array.isArray(branch.items)) {
      if (index < branch.items.length) return branch.items[index];
      continue;
    }
    if (branch.items !== undefined) return branch.items;
  }
  return undefined;
}

/** Names listed in a message at most; a schema may have hundreds. */
const NAMES_IN_MESSAGE = 40;

function shownNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_IN_MESSAGE).join(", ");
  return names.length > NAMES_IN_MESSAGE ? `${shown}, ... (${names.length} in all)` : shown;
}

function argumentError(key: string, message: string, details: Record<string, unknown> = {}): McpCliError {
  return new McpCliError("ARGS_INVALID", `argument "${key}": ${message}`, {
    details: { argument: key, ...details },
  });
}

function describeTypes(types: ReadonlySet<ValueType>): string {
  return [...types].join(" or ");
}

const NUMBER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `"text"` in JSON double quotes: the string inside, else undefined. */
function quotedString(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return undefined;
  const parsed = tryJson(text);
  return parsed.ok && typeof parsed.value === "string" ? parsed.value : undefined;
}

function enumMember(schema: unknown, text: string): { found: true; value: unknown } | { found: false } {
  for (const branch of objectBranches(schema)) {
    const members = Array.isArray(branch.enum)
      ? branch.enum
      : Object.hasOwn(branch, "const")
        ? [branch.const]
        : undefined;
    if (members === undefined) continue;
    if (members.includes(text)) return { found: true, value: text };
    const parsed = tryJson(text);
    if (parsed.ok && typeof parsed.value !== "object" && members.includes(parsed.value)) {
      return { found: true, value: parsed.value };
    }
  }
  return { found: false };
}

/** Coerces one text value by the types its schema admits (rules 1 to 5 and 7 above). */
export function coerceValue(key: string, text: string, schema: unknown): unknown {
  const quoted = quotedString(text);
  if (quoted !== undefined) return quoted;
  const types = schemaTypes(schema);
  if (types.size === 0) {
    const parsed = tryJson(text);
    return parsed.ok ? parsed.value : text;
  }
  const member = enumMember(schema, text);
  if (member.found) return member.value;
  const trimmed = text.trim();
  if ((types.has("object") || types.has("array")) && (trimmed.startsWith("{") || trimmed.startsWith("["))) {
    const parsed = tryJson(trimmed);
    if (
      parsed.ok &&
      ((types.has("object") && isSchemaObject(parsed.value)) ||
        (types.has("array") && Array.isArray(parsed.value)))
    ) {
      return parsed.value;
    }
    if (!types.has("string")) {
      throw argumentError(key, `expected ${describeTypes(types)} as JSON, got ${JSON.stringify(text)}`, {
        expected: [...types],
      });
    }
  }
  if ((types.has("number") || types.has("integer")) && NUMBER_LITERAL.test(trimmed)) {
    const value = Number(trimmed);
    if (types.has("number") || Number.isInteger(value)) return value;
    if (!types.has("string")) {
      throw argumentError(key, `expected an integer, got ${text}`, { expected: [...types] });
    }
  }
  if (types.has("boolean") && (text === "true" || text === "false")) return text === "true";
  if (types.has("null") && text === "null") return null;
  if (types.has("string")) return text;
  throw argumentError(key, `expected ${describeTypes(types)}, got ${JSON.stringify(text)}`, {
    expected: [...types],
  });
}

export interface CallArgumentSources {
  /** `key=value`, `key:=json`, `key=@file` words. */
  readonly pairs: readonly string[];
  /** The text of `--args`, already read when it named a file. */
  readonly json?: string;
  readonly inputSchema: JsonSchema | undefined;
  /** Reads a file named by `key=@file`; missing files are `FILE_NOT_FOUND`. */
  readonly readFile: (path: string) => string;
}

interface Pair {
  readonly key: string;
  readonly raw: boolean;
  readonly text: string;
}

function splitPair(word: string): Pair {
  const equals = word.indexOf("=");
  if (equals <= 0) {
    throw new McpCliError(
      "USAGE",
      `malformed argument ${JSON.stringify(word)}: expected key=value, key:=json or key=@file`,
      { details: { argument: word } },
    );
  }
  const raw = word[equals - 1] === ":";
  const key = word.slice(0, raw ? equals - 1 : equals);
  if (key === "") {
    throw new McpCliError("USAGE", `malformed argument ${JSON.stringify(word)}: the key is empty`, {
      details: { argument: word },
    });
  }
  return { key, raw, text: word.slice(equals + 1) };
}

/** One step of a dotted key, resolved against the schema at that level. */
interface Step {
  readonly segment: string;
  /** An array index (the schema says array here, or the existing value is an array). */
  readonly index: number | undefined;
  /** The schema of the value this step reaches. */
  readonly schema: unknown;
}

/**
 * Splits a key into steps. At each level a whole remaining key that the schema lists as a property
 * is one step (so a property named `a.b` is reachable); otherwise the key splits at its first dot.
 */
function resolvePath(key: string, rootSchema: JsonSchema | undefined, root: Container): Step[] {
  if (key.length > MAX_KEY_LENGTH) {
    throw argumentError(key.slice(0, 40), `the name is longer than ${MAX_KEY_LENGTH} characters`);
  }
  const steps: Step[] = [];
  let schema: unknown = rootSchema;
  let container: unknown = root;
  let rest = key;
  let walked = "";
  while (rest !== "") {
    if (steps.length >= MAX_PATH_DEPTH) {
      throw argumentError(key, `nested deeper than ${MAX_PATH_DEPTH} levels`);
    }
    const types = schemaTypes(schema);
    const arrayHere =
      Array.isArray(container) || (container === undefined && types.has("array") && !types.has("object"));
    let segment: string;
    if (!arrayHere && propertySchema(schema as JsonSchema, rest) !== undefined) {
      segment = rest;
      rest = "";
    } else {
      const dot = rest.indexOf(".");
      segment = dot === -1 ? rest : rest.slice(0, dot);
      rest = dot === -1 ? "" : rest.slice(dot + 1);
      if (dot !== -1 && rest === "") throw argumentError(key, "the name ends with a dot");
    }
    if (segment === "")
      throw argumentError(key, "the name has an empty segment (two dots, or a leading dot)");
    const nested = steps.length > 0 || rest !== "";
    if (nested && FORBIDDEN_SEGMENTS.has(segment)) {
      throw argumentError(key, `"${segment}" is not allowed in a dotted name`, { segment });
    }
    const where = walked === "" ? "" : ` in "${walked}"`;
    let index: number | undefined;
    let next: unknown;
    if (arrayHere) {
      if (!INDEX.test(segment)) {
        throw argumentError(key, `"${segment}"${where} must be an array index (0, 1, ...)`, { segment });
      }
      index = Number(segment);
      const length = Array.isArray(container) ? container.length : 0;
      if (index > length) {
        throw argumentError(key, `index ${index}${where} skips items: the next item is ${length}`, {
          segment,
        });
      }
      next = itemSchema(schema, index);
      container = Array.isArray(container) ? container[index] : undefined;
    } else {
      const listed = propertySchema(schema as JsonSchema, segment);
      if (listed === undefined && !acceptsUnlisted(schema)) {
        const names = listedProperties(schema);
        const best = closestName(segment, names);
        throw new McpCliError(
          "ARGS_INVALID",
          `unknown argument "${walked === "" ? segment : `${walked}.${segment}`}"${best === undefined ? "" : `; did you mean "${walked === "" ? best : `${walked}.${best}`}"?`} The tool accepts: ${shownNames(names)}`,
          { details: { argument: key, ...(best === undefined ? {} : { suggestion: best }), valid: names } },
        );
      }
      next = listed ?? unlistedSchema(schema);
      container =
        isSchemaObject(container) && Object.hasOwn(container, segment)
          ? (container as Record<string, unknown>)[segment]
          : undefined;
    }
    steps.push({ segment, index, schema: next });
    schema = next;
    walked = walked === "" ? segment : `${walked}.${segment}`;
  }
  return steps;
}

function read(container: Container, step: Step): unknown {
  if (Array.isArray(container)) return container[step.index as number];
  return Object.hasOwn(container, step.segment) ? container[step.segment] : undefined;
}

function write(container: Container, step: Step, value: unknown): void {
  if (Array.isArray(container)) container[step.index as number] = value;
  else define(container, step.segment, value);
}

/** The arguments object for a tool call. */
export function buildCallArguments(sources: CallArgumentSources): Record<string, unknown> {
  let root: Record<string, unknown> = {};
  if (sources.json !== undefined) {
    const parsed = tryJson(sources.json);
    if (!parsed.ok || !isSchemaObject(parsed.value)) {
      throw new McpCliError("ARGS_INVALID", "--args must be a JSON object", {
        details: { argument: "--args" },
      });
    }
    root = parsed.value as Record<string, unknown>;
  }
  // Keys set by pairs so far: a pair replaces what --args gave; a second pair for the same key
  // appends to an array argument and is an error otherwise.
  const setByPairs = new Set<string>();
  for (const word of sources.pairs) {
    const pair = splitPair(word);
    let text = pair.text;
    if (text.startsWith("@@")) text = text.slice(1);
    else if (text.startsWith("@")) text = sources.readFile(text.slice(1));
    const steps = resolvePath(pair.key, sources.inputSchema, root);
    const last = steps[steps.length - 1] as Step;
    const path = steps.map((step) => step.segment).join(".");

    // Walk to the container of the last step, creating objects and arrays as the schema says.
    let container: Container = root;
    for (let index = 0; index < steps.length - 1; index++) {
      const step = steps[index] as Step;
      let next = read(container, step);
      if (next === undefined) {
        // resolvePath made the next step an index exactly when this value is to be an array.
        next = (steps[index + 1] as Step).index === undefined ? {} : [];
        write(container, step, next);
      } else if (typeof next !== "object" || next === null) {
        throw argumentError(
          pair.key,
          `"${step.segment}" already holds ${JSON.stringify(next)}, not an object or array`,
        );
      }
      container = next as Container;
    }

    let value: unknown;
    if (pair.raw) {
      const parsed = tryJson(text);
      if (!parsed.ok) throw argumentError(pair.key, `${JSON.stringify(text)} is not valid JSON (after :=)`);
      value = parsed.value;
    } else {
      const types = schemaTypes(last.schema);
      const isArrayProperty = types.has("array") && !types.has("string");
      if (isArrayProperty && !text.trim().startsWith("[")) {
        // Repeated key=item pairs build the array.
        const previous = setByPairs.has(path) ? read(container, last) : [];
        const items = Array.isArray(previous) ? previous : [];
        items.push(coerceValue(pair.key, text, itemSchema(last.schema, items.length)));
        write(container, last, items);
        setByPairs.add(path);
        continue;
      }
      value = coerceValue(pair.key, text, last.schema);
    }
    if (setByPairs.has(path)) {
      throw argumentError(pair.key, "given more than once (only array arguments may repeat)");
    }
    setByPairs.add(path);
    write(container, last, value);
  }
  return root;
}
