/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped.
 * Two values that are equal as JSON give the same string, so the string can be hashed for
 * fingerprints and cache keys.
 */
import { McpCliError } from "./errors.js";

export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) {
        throw new McpCliError("RESULT_UNSERIALIZABLE", `canonical JSON cannot hold the number ${value}`);
      }
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new McpCliError(
        "RESULT_UNSERIALIZABLE",
        `canonical JSON cannot hold a value of type ${typeof value}`,
      );
  }
  const object = value as object;
  if (seen.has(object)) throw new McpCliError("RESULT_UNSERIALIZABLE", "canonical JSON cannot hold a cycle");
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item) => (item === undefined ? "null" : write(item, seen))).join(",")}]`;
    }
    const record = object as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${write(record[key], seen)}`);
    return `{${members.join(",")}}`;
  } finally {
    seen.delete(object);
  }
}
