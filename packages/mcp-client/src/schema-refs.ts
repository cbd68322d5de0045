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
 * - Expansion is capped by the bytes it adds (`maxExpandedBytes`, copies of `enum`, `const` and
 *   descriptions included), by the depth of the result (`maxDepth`) and by nodes (`maxNodes`): a
 *   schema whose references fan out exponentially keeps its remaining references instead of
 *   growing without bound.
 * - Remote references (`https://...`) and references that do not resolve are left as they are.
 */
import { type JsonSchema, McpCliError } from "@mcp-execution/core";
import { jsonDepth, jsonSize } from "./json-size.js";

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
  /**
   * Upper bound on the bytes of JSON that expansion adds: each inlined copy of a target counts
   * whole (its `enum`, `const`, `default` and descriptions included). A reference whose copy
   * would not fit stays a reference. The result is at most about the input plus this much.
   */
  readonly maxExpandedBytes?: number;
  /**
   * Deepest nesting of the result, in JSON levels. A reference whose copy would nest deeper stays
   * a reference; a schema that is itself deeper is refused with `LIMIT_SIZE`.
   */
  readonly maxDepth?: number;
  /** A byte budget shared by several schemas (for example all tools of a server); drawn down. */
  readonly budget?: ExpansionBudget;
}

/** Bytes of expansion still allowed across several {@link resolveLocalRefs} calls. */
export interface ExpansionBudget {
  remainingBytes: number;
}

export const DEFAULT_MAX_SCHEMA_NODES = 20_000;
/** Per schema: a 477 KB schema whose references fan out grows by at most this much. */
export const DEFAULT_MAX_EXPANDED_BYTES = 1024 * 1024;
/** Real schemas nest a few dozen levels; code generators and validators recurse over them. */
export const DEFAULT_MAX_SCHEMA_DEPTH = 128;

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets a property, also one named `__proto__` (which plain assignment would turn into a prototype). */
function put(target: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
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

function tooDeep(maxDepth: number): McpCliError {
  return new McpCliError("LIMIT_SIZE", `the schema nests deeper than ${maxDepth} levels`, {
    details: { limit: "schemaDepth", max: maxDepth },
  });
}

/** A subschema still to be copied, and where its copy goes. */
interface Task {
  readonly node: unknown;
  /** The references being expanded around it (recursion detection). */
  readonly stack: readonly string[];
  /** Its JSON depth in the result. */
  readonly depth: number;
  readonly set: (value: unknown) => void;
}

/**
 * Returns `schema` with local `$ref`s resolved as described above. The input is not modified.
 * A schema without references is returned as an equal copy. Work is a loop over a task list, so
 * a deep schema costs memory in proportion to its size, never call stack. Errors: `LIMIT_SIZE`
 * when the schema itself (or a value in it) nests deeper than `maxDepth`.
 */
export function resolveLocalRefs(schema: JsonSchema, options: ResolveRefsOptions = {}): JsonSchema {
  if (typeof schema === "boolean") return schema;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_SCHEMA_NODES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_SCHEMA_DEPTH;
  const allowed = Math.min(
    options.maxExpandedBytes ?? DEFAULT_MAX_EXPANDED_BYTES,
    options.budget?.remainingBytes ?? Number.POSITIVE_INFINITY,
  );
  let remainingBytes = Math.max(0, allowed);
  let nodes = 0;
  /** Pointers (as written in `$ref`) whose targets must stay in the output. */
  const kept = new Map<string, readonly string[]>();
  /** Size and depth of each reference's target, measured once. */
  const measured = new Map<string, { readonly bytes: number; readonly depth: number }>();
  const tasks: Task[] = [];

  const checkDataDepth = (value: unknown, depth: number): void => {
    if (depth + jsonDepth(value) > maxDepth) throw tooDeep(maxDepth);
  };

  /** Whether a reference at `depth` may be replaced by a copy of its target; charges the copy. */
  const admit = (ref: string, target: unknown, stack: readonly string[], depth: number): boolean => {
    if (stack.includes(ref) || nodes >= maxNodes || stack.length > maxDepth) return false;
    let measure = measured.get(ref);
    if (measure === undefined) {
      measure = { bytes: jsonSize(target), depth: jsonDepth(target) };
      measured.set(ref, measure);
    }
    if (measure.bytes > remainingBytes || depth + measure.depth > maxDepth) return false;
    remainingBytes -= measure.bytes;
    return true;
  };

  /** Copies the value of keyword `key`; subschemas in it are queued on `children`. */
  const keyword = (
    key: string,
    value: unknown,
    stack: readonly string[],
    depth: number,
    set: (value: unknown) => void,
    children: Task[],
  ): unknown => {
    if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      const out: JsonObject = {};
      for (const [name, subschema] of Object.entries(value)) {
        // draft-04..07 `dependencies` may hold property-name arrays as well as schemas.
        if (Array.isArray(subschema)) {
          checkDataDepth(subschema, depth + 1);
          put(out, name, subschema);
        } else {
          put(out, name, null);
          children.push({ node: subschema, stack, depth: depth + 1, set: (copy) => put(out, name, copy) });
        }
      }
      return out;
    }
    if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) {
      const out: unknown[] = value.map(() => null);
      value.forEach((subschema, index) => {
        children.push({ node: subschema, stack, depth: depth + 1, set: (copy) => (out[index] = copy) });
      });
      return out;
    }
    if (SCHEMA_KEYWORDS.has(key)) {
      children.push({ node: value, stack, depth, set });
      return null;
    }
    checkDataDepth(value, depth);
    return value;
  };

  /** Queues `children` so that they are taken in document order. */
  const schedule = (children: readonly Task[]): void => {
    for (let index = children.length - 1; index >= 0; index--) tasks.push(children[index] as Task);
  };

  /**
   * The copy of one schema node at `depth`, with its own keywords filled in and its subschemas
   * queued. Recurses only along a chain of references, which {@link admit} bounds by `maxDepth`.
   */
  const copy = (node: unknown, stack: readonly string[], depth: number): unknown => {
    nodes += 1;
    if (depth > maxDepth) throw tooDeep(maxDepth);
    if (!isObject(node)) {
      checkDataDepth(node, depth); // `true`, `false`, or not a schema at all
      return node;
    }
    const ref = node.$ref;
    if (typeof ref === "string") {
      const segments = pointerSegments(ref);
      const target = segments === undefined ? undefined : resolvePointer(schema, segments);
      if (segments !== undefined && target !== undefined) {
        const siblings = Object.entries(node === schema ? withoutDefinitions(node) : node).filter(
          ([key]) => key !== "$ref",
        );
        const constrained = siblings.some(([key]) => !ANNOTATION_KEYWORDS.has(key));
        // A target merged with constraint siblings lands two levels down, in `allOf`.
        const wrapped = siblings.length > 0 && (constrained || !isObject(target));
        const targetDepth = depth + (wrapped ? 2 : 0);
        if (admit(ref, target, stack, targetDepth)) {
          const resolved = copy(target, [...stack, ref], targetDepth);
          return merge(resolved, siblings, wrapped, stack, depth);
        }
        kept.set(ref, segments);
      }
    }
    const out: JsonObject = {};
    const children: Task[] = [];
    for (const [key, value] of Object.entries(node)) {
      // The root's definitions are rebuilt below from what the remaining references need.
      if (node === schema && (DEFINITION_CONTAINERS as readonly string[]).includes(key)) continue;
      put(
        out,
        key,
        keyword(key, value, stack, depth + 1, (copied) => put(out, key, copied), children),
      );
    }
    schedule(children);
    return out;
  };

  /**
   * A resolved target with the `$ref`'s siblings: annotation keywords override the target's,
   * anything else goes into an `allOf` with it.
   */
  const merge = (
    resolved: unknown,
    siblings: readonly [string, unknown][],
    wrapped: boolean,
    stack: readonly string[],
    depth: number,
  ): unknown => {
    if (siblings.length === 0) return resolved;
    for (const [key, value] of siblings) if (ANNOTATION_KEYWORDS.has(key)) checkDataDepth(value, depth + 1);
    if (!wrapped && isObject(resolved)) {
      // `resolved` is our own fresh copy (its queued subschemas point into it), so it is extended in place.
      for (const [key, value] of siblings) put(resolved, key, value);
      return resolved;
    }
    const out: JsonObject = {};
    const children: Task[] = [];
    for (const [key, value] of siblings) {
      if (ANNOTATION_KEYWORDS.has(key)) continue;
      put(
        out,
        key,
        keyword(key, value, stack, depth + 1, (copied) => put(out, key, copied), children),
      );
    }
    for (const [key, value] of siblings) if (ANNOTATION_KEYWORDS.has(key)) put(out, key, value);
    if (Array.isArray(out.allOf)) out.allOf.push(resolved);
    else put(out, "allOf", [resolved]);
    schedule(children);
    return out;
  };

  const drain = (): void => {
    for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
      task.set(copy(task.node, task.stack, task.depth));
    }
  };

  // The root is on the stack from the start: `{"$ref": "#"}` inside it is recursion.
  const result = copy(schema, ["#"], 0) as JsonObject;
  drain();
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
      writeAt(result, segments, copy(target, [ref], segments.length));
      drain();
    }
    pending = [...kept.entries()].filter(([ref]) => !written.has(ref));
  }
  if (options.budget !== undefined) options.budget.remainingBytes -= allowed - remainingBytes;
  return result;
}

function withoutDefinitions(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (!(DEFINITION_CONTAINERS as readonly string[]).includes(key)) put(out, key, value);
  }
  return out;
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
      put(current, segment, value);
      return;
    }
    if (!isObject(current[segment]) && !Array.isArray(current[segment])) put(current, segment, {});
    current = current[segment];
  }
}
