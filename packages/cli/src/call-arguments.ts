/**
 * `call` arguments: `key=value` pairs coerced by the tool's input schema, `key:=json` for raw
 * JSON, `key=@file` for a file's contents, and `--args <json>` underneath.
 *
 * Coercion follows what the schema says the property is, so `id=007` stays the string "007" when
 * the schema says string, and becomes the number 7 only when it says number or integer:
 * 1. an object or array property takes a value that parses as a JSON object or array;
 * 2. a string property takes the text as it is;
 * 3. a number or integer property takes a numeric literal (an integer property only an integer);
 * 4. a boolean property takes `true` or `false`; a null property takes `null`;
 * 5. an array property also takes repeated `key=item` pairs, each coerced by `items`;
 * 6. a property the schema says nothing about takes a JSON literal when the text is one
 *    (`42`, `true`, `null`, `{"a":1}`), otherwise the text.
 * Anything else is `ARGS_INVALID` naming the argument, what the schema wants and what was given.
 * `@@text` is the text `@text`.
 */
import { type JsonSchema, McpCliError } from "@mcp-execution/core";

export type ValueType = "string" | "number" | "integer" | "boolean" | "null" | "object" | "array";

const ALL_TYPES: readonly ValueType[] = ["string", "number", "integer", "boolean", "null", "object", "array"];

type SchemaObject = { readonly [key: string]: unknown };

function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeOfValue(value: unknown): ValueType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as ValueType;
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
    if (schema.items !== undefined) types.add("array");
  }
  return types;
}

/** The schema of property `key` of an object schema, looking into allOf/anyOf/oneOf members. */
export function propertySchema(schema: JsonSchema | undefined, key: string): unknown {
  if (!isSchemaObject(schema)) return undefined;
  const properties = schema.properties;
  if (isSchemaObject(properties) && Object.hasOwn(properties, key)) return properties[key];
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const members = schema[keyword];
    if (!Array.isArray(members)) continue;
    for (const member of members) {
      const found = propertySchema(member as JsonSchema, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
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

/** Coerces one text value by the types its schema admits (rules 1 to 4 and 6 above). */
export function coerceValue(key: string, text: string, schema: unknown): unknown {
  const types = schemaTypes(schema);
  if (types.size === 0) {
    const parsed = tryJson(text);
    return parsed.ok ? parsed.value : text;
  }
  if (types.has("object") || types.has("array")) {
    const trimmed = text.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
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
  }
  if (types.has("string")) return text;
  if ((types.has("number") || types.has("integer")) && NUMBER_LITERAL.test(text.trim())) {
    const value = Number(text.trim());
    if (!types.has("number") && !Number.isInteger(value)) {
      throw argumentError(key, `expected an integer, got ${text}`, { expected: [...types] });
    }
    return value;
  }
  if (types.has("boolean") && (text === "true" || text === "false")) return text === "true";
  if (types.has("null") && text === "null") return null;
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

/** The arguments object for a tool call. */
export function buildCallArguments(sources: CallArgumentSources): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (sources.json !== undefined) {
    const parsed = tryJson(sources.json);
    if (!parsed.ok || !isSchemaObject(parsed.value)) {
      throw new McpCliError("ARGS_INVALID", "--args must be a JSON object", {
        details: { argument: "--args" },
      });
    }
    base = { ...parsed.value };
  }
  const fromPairs: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const word of sources.pairs) {
    const pair = splitPair(word);
    let text = pair.text;
    if (text.startsWith("@@")) text = text.slice(1);
    else if (text.startsWith("@")) text = sources.readFile(text.slice(1));
    const schema = propertySchema(sources.inputSchema, pair.key);
    let value: unknown;
    if (pair.raw) {
      const parsed = tryJson(text);
      if (!parsed.ok) throw argumentError(pair.key, `${JSON.stringify(text)} is not valid JSON (after :=)`);
      value = parsed.value;
    } else {
      const types = schemaTypes(schema);
      const isArrayProperty = types.has("array") && !types.has("string");
      if (isArrayProperty && !text.trim().startsWith("[")) {
        // Repeated key=item pairs build the array.
        const items = isSchemaObject(schema) ? schema.items : undefined;
        const item = coerceValue(pair.key, text, items);
        const previous = seen.has(pair.key) ? fromPairs[pair.key] : [];
        fromPairs[pair.key] = [...(Array.isArray(previous) ? previous : []), item];
        seen.add(pair.key);
        continue;
      }
      value = coerceValue(pair.key, text, schema);
    }
    if (seen.has(pair.key)) {
      throw argumentError(pair.key, "given more than once (only array arguments may repeat)");
    }
    seen.add(pair.key);
    fromPairs[pair.key] = value;
  }
  return { ...base, ...fromPairs };
}
