/**
 * Defaults before validation: a property that the input schema marks required but also gives a
 * `default` (kubernetes' `namespace: "default"`, playwright's `level: "info"`) is filled in before
 * the arguments are validated, because the servers themselves do exactly that (zod's `.default()`
 * makes a property required in the JSON Schema it prints, and servers accept the call without it).
 *
 * Only what the schema says without ambiguity is filled: `properties` and `required` of an object
 * schema, nested through `properties` and through a single `items` schema. A branch of `anyOf`,
 * `oneOf`, `allOf`, `if`/`then` or a `$ref` is never guessed at. Optional properties are left out,
 * as the caller left them: the server applies its own defaults to those.
 *
 * The caller's object is never changed: objects on the path to a filled property are copied
 * (copy on write), and a default is cloned, so no two calls share one.
 */
import type { JsonSchema } from "@mcp-execution/core";

/** Nesting followed at most; deeper parts are sent as given. Schemas that deep are not real. */
const MAX_DEPTH = 32;

type SchemaObject = { readonly [keyword: string]: unknown };

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own data property, also for keys such as `__proto__` that plain assignment would not create. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function ownProperty(schema: SchemaObject, key: string): unknown {
  const properties = schema.properties;
  return isObject(properties) && Object.hasOwn(properties, key) ? properties[key] : undefined;
}

function fillObject(
  schema: SchemaObject,
  value: { readonly [key: string]: unknown },
  depth: number,
): unknown {
  if (depth > MAX_DEPTH || !isObject(schema.properties)) return value;
  let copy: Record<string, unknown> | undefined;
  const set = (key: string, next: unknown): void => {
    copy ??= { ...value };
    define(copy, key, next);
  };
  if (Array.isArray(schema.required)) {
    for (const key of schema.required) {
      if (typeof key !== "string" || Object.hasOwn(value, key)) continue;
      const property = ownProperty(schema, key);
      if (isObject(property) && Object.hasOwn(property, "default")) {
        set(key, fillValue(property, structuredClone(property.default), depth + 1));
      }
    }
  }
  for (const key of Object.keys(value)) {
    const property = ownProperty(schema, key);
    if (!isObject(property)) continue;
    const current = value[key];
    const filled = fillValue(property, current, depth + 1);
    if (filled !== current) set(key, filled);
  }
  return copy ?? value;
}

function fillValue(schema: unknown, value: unknown, depth: number): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return value;
  if (isObject(value)) return fillObject(schema, value, depth);
  if (Array.isArray(value) && isObject(schema.items)) {
    const items = schema.items;
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const filled = fillValue(items, item, depth + 1);
      if (filled !== item) {
        copy ??= [...value];
        copy[index] = filled;
      }
    });
    return copy ?? value;
  }
  return value;
}

/**
 * `args` with every absent required property that has a `default` filled in (see the module
 * comment); `args` itself when nothing was missing.
 */
export function withSchemaDefaults(
  schema: JsonSchema,
  args: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  return fillValue(schema, args, 0) as Readonly<Record<string, unknown>>;
}
