/**
 * Resolving local `$ref`s in tool schemas, so code generators and validators see each schema as
 * one self-contained document.
 *
 * - A local reference (`#`, `#/$defs/X`, `#/definitions/X`, any JSON pointer into the same
 *   document) is replaced by a copy of its target, itself resolved. Sibling keywords next to the
 *   `$ref` are kept: annotation keywords (`description`, `title`, `default`, ...) override the
 *   target's, anything else goes into an `allOf` with it.
 * - A reference met again while its own target is being expanded is recursive: it stays a
 *   `$ref`, and its target is kept in the output at the same pointer (so `$defs` keep what the
 *   remaining references need and lose the rest). Recursive schemas therefore stay finite.
 * - Expansion is capped (`maxNodes`): a schema whose references fan out exponentially keeps its
 *   remaining references instead of growing without bound.
 * - Remote references (`https://...`) and references that do not resolve are left as they are.
 */
import type { JsonSchema } from "@mcp-execution/core";

/** Keywords that only describe a schema; a `$ref`'s siblings of this kind override the target's. */
const ANNOTATION_KEYWORDS = new Set([
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$comment",
]);

const DEFINITION_CONTAINERS = ["$defs", "definitions"] as const;

/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAP_KEYWORDS = new Set([
  "properties",
  "patternProperties",
  "dependentSchemas",
  "dependencies",
  "$defs",
  "definitions",
]);
/** Keywords whose value is an array of subschemas (`items` too, in its draft-07 tuple form). */
const SCHEMA_ARRAY_KEYWORDS = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"]);
/** Keywords whose value is one subschema. Everything not listed in these sets is data. */
const SCHEMA_KEYWORDS = new Set([
  "items",
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "contentSchema",
]);

export interface ResolveRefsOptions {
  /** Upper bound on the number of schema nodes written by expansion. */
  readonly maxNodes?: number;
}

export const DEFAULT_MAX_SCHEMA_NODES = 20_000;

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes a JSON pointer fragment (`#/a/b~1c`) into path segments, or undefined if not local. */
function pointerSegments(ref: string): string[] | undefined {
  if (!ref.startsWith("#")) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === "") return [];
  if (!fragment.startsWith("/")) return undefined; // an anchor (#foo), not a pointer
  return fragment
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolvePointer(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Returns `schema` with local `$ref`s resolved as described above. The input is not modified.
 * A schema without references is returned as an equal copy.
 */
export function resolveLocalRefs(schema: JsonSchema, options: ResolveRefsOptions = {}): JsonSchema {
  if (typeof schema === "boolean") return schema;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_SCHEMA_NODES;
  let nodes = 0;
  /** Pointers (as written in `$ref`) whose targets must stay in the output. */
  const kept = new Map<string, readonly string[]>();

  const expand = (node: unknown, stack: readonly string[]): unknown => {
    nodes += 1;
    if (!isObject(node)) return node; // `true`, `false`, or not a schema at all
    const ref = node.$ref;
    if (typeof ref === "string") {
      const segments = pointerSegments(ref);
      const target = segments === undefined ? undefined : resolvePointer(schema, segments);
      if (segments !== undefined && target !== undefined) {
        if (stack.includes(ref) || nodes >= maxNodes) {
          kept.set(ref, segments);
        } else {
          const resolved = expand(target, [...stack, ref]);
          const siblings = node === schema ? withoutDefinitions(node) : node;
          return mergeSiblings(resolved, siblings, (key, value) => expandKeyword(key, value, stack));
        }
      }
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      // The root's definitions are rebuilt below from what the remaining references need.
      if (node === schema && (DEFINITION_CONTAINERS as readonly string[]).includes(key)) continue;
      out[key] = expandKeyword(key, value, stack);
    }
    return out;
  };

  /** Expands the subschemas a keyword holds; other keywords' values are data and kept as they are. */
  const expandKeyword = (key: string, value: unknown, stack: readonly string[]): unknown => {
    if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      const out: JsonObject = {};
      for (const [name, subschema] of Object.entries(value)) {
        // draft-04..07 `dependencies` may hold property-name arrays as well as schemas.
        out[name] = Array.isArray(subschema) ? subschema : expand(subschema, stack);
      }
      return out;
    }
    if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) {
      return value.map((subschema) => expand(subschema, stack));
    }
    if (SCHEMA_KEYWORDS.has(key)) return expand(value, stack);
    return value;
  };

  // The root is on the stack from the start: `{"$ref": "#"}` inside it is recursion.
  const result = expand(schema, ["#"]) as JsonObject;
  // Keep each target a remaining reference points to, at the same pointer. Keeping a target can
  // reveal further references (inside it), so repeat until nothing new is needed.
  const written = new Set<string>();
  let pending = [...kept.entries()].filter(([ref]) => !written.has(ref));
  while (pending.length > 0) {
    for (const [ref, segments] of pending) {
      written.add(ref);
      if (segments.length === 0) continue; // `#`: the root itself
      if (readAt(result, segments) !== undefined) continue;
      const target = resolvePointer(schema, segments);
      writeAt(result, segments, expand(target, [ref]));
    }
    pending = [...kept.entries()].filter(([ref]) => !written.has(ref));
  }
  return result;
}

function withoutDefinitions(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (!(DEFINITION_CONTAINERS as readonly string[]).includes(key)) out[key] = value;
  }
  return out;
}

function mergeSiblings(
  resolved: unknown,
  refNode: JsonObject,
  expandValue: (key: string, value: unknown) => unknown,
): unknown {
  const siblings = Object.entries(refNode).filter(([key]) => key !== "$ref");
  if (siblings.length === 0) return resolved;
  const annotations: JsonObject = {};
  const constraints: JsonObject = {};
  for (const [key, value] of siblings) {
    if (ANNOTATION_KEYWORDS.has(key)) annotations[key] = value;
    else constraints[key] = expandValue(key, value);
  }
  if (Object.keys(constraints).length === 0 && isObject(resolved)) {
    return { ...resolved, ...annotations };
  }
  const allOf = Array.isArray(constraints.allOf) ? [...constraints.allOf, resolved] : [resolved];
  return { ...constraints, ...annotations, allOf };
}

/** Reads a value in the output, without following references. */
function readAt(root: JsonObject, segments: readonly string[]): unknown {
  return resolvePointer(root, segments);
}

/** Writes `value` at `segments`, creating objects on the way. */
function writeAt(root: JsonObject, segments: readonly string[], value: unknown): void {
  let current: unknown = root;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (Array.isArray(current)) {
      const position = Number(segment);
      if (last) current[position] = value;
      else current = current[position];
      continue;
    }
    if (!isObject(current)) return;
    if (last) {
      current[segment] = value;
      return;
    }
    if (!isObject(current[segment]) && !Array.isArray(current[segment])) current[segment] = {};
    current = current[segment];
  }
}
