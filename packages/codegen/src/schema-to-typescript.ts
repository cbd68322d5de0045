/**
 * JSON Schema (draft-07 and 2020-12, as MCP servers send them) to TypeScript type declarations.
 *
 * The converter is total: every input, however odd, gives a type that compiles under `strict`
 * and `noUncheckedIndexedAccess` (test/typecheck.e2e.test.ts checks the corpus and seeded random
 * schemas). What TypeScript cannot say (patterns, numeric ranges, `not`,
 * `if`/`then`/`else`) widens to the nearest type that accepts every valid value, and constraints
 * that only narrow values become JSDoc tags. Why it is hand-written: docs/adr/004-generated-code.md.
 */
import { canonicalJson, type JsonSchema } from "@mcp-execution/core";
import {
  commentSafe,
  type JsDocTag,
  jsDocLines,
  jsString,
  renderJsDoc,
  singleLine,
  truncate,
} from "./comment-text.js";
import { pascalCase, propertyKey } from "./identifiers.js";

/** One `export type <name> = <type>;` declaration. */
export interface TypeDeclaration {
  readonly name: string;
  /** JSDoc lines, already comment-safe (see `renderJsDoc`). */
  readonly doc: readonly string[];
  /** The type expression; continuation lines are indented for column 0. */
  readonly type: string;
}

/** How the root of a converted schema is treated. */
export interface RootOptions {
  /**
   * Tool input schemas must describe an object (MCP sends arguments as an object): a root that
   * says nothing (missing, `{}`, `true`) becomes `{ [key: string]: unknown }` instead of `unknown`.
   */
  readonly objectRoot: boolean;
}

/** Precedence of a rendered type: what it needs parentheses for. */
const Precedence = { Union: 0, Intersection: 1, Primary: 2 } as const;
type Precedence = (typeof Precedence)[keyof typeof Precedence];

interface Rendered {
  readonly text: string;
  readonly precedence: Precedence;
  /** A union's members, so a union inside a union is flattened rather than nested. */
  readonly members?: readonly Rendered[];
  /** `unknown`, possibly with a comment saying why (an unresolved or circular reference). */
  readonly unknown?: true;
}

interface NodeContext {
  /**
   * Inside an object property, an index signature or an array item, where a reference back to an
   * enclosing declaration compiles. Tuple elements do not count (see #array).
   */
  readonly guarded: boolean;
  /** The pointer of the declaration being rendered (`#` for the root). */
  readonly declaration: string;
  readonly depth: number;
}

type SchemaObject = { readonly [key: string]: unknown };

const UNKNOWN: Rendered = { text: "unknown", precedence: Precedence.Primary, unknown: true };
const STRING: Rendered = { text: "string", precedence: Precedence.Primary };
const NUMBER: Rendered = { text: "number", precedence: Precedence.Primary };
const BOOLEAN: Rendered = { text: "boolean", precedence: Precedence.Primary };
const NEVER: Rendered = { text: "never", precedence: Precedence.Primary };
const NULL: Rendered = { text: "null", precedence: Precedence.Primary };
const UNDEFINED: Rendered = { text: "undefined", precedence: Precedence.Primary };

/** Nesting deeper than this renders as `unknown`; real schemas stay far below it. */
const MAX_DEPTH = 48;
/** A union longer than this is written one member per line. */
const INLINE_UNION_WIDTH = 80;
/** JSON values in JSDoc tags (defaults, examples) are cut to this length. */
const MAX_TAG_VALUE = 160;

const COMPOSITION_KEYWORDS = ["allOf", "anyOf", "oneOf"] as const;
/** Members every object literal has through Object.prototype (TypeScript's `Object` interface). */
const INHERITED_MEMBERS: ReadonlySet<string> = new Set([
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
]);

function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function integerOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The reference a schema node makes: `$ref`, or the draft 2019/2020 recursive forms. */
function referenceOf(schema: SchemaObject): string | undefined {
  for (const keyword of ["$ref", "$recursiveRef", "$dynamicRef"]) {
    const value = schema[keyword];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/**
 * Converts the schemas of one generated file. Type names are unique within the file: the
 * caller passes the names it uses itself (`EchoInput`, `EchoOutput`), and helper types for
 * `$defs`, `definitions` and other referenced locations get names that avoid them.
 */
export class SchemaConverter {
  readonly #taken: Set<string>;
  // Per root document: pointer to type name, and the queue of declarations still to render.
  #names = new Map<string, string>();
  #pending: { pointer: string; name: string; label: string }[] = [];
  // Helper types without references, by base name and content: an input and an output that
  // both define the same `Entity` share one declaration instead of `Entity` and `Entity2`.
  readonly #shared = new Map<string, string>();
  #root: JsonSchema | undefined;
  #anchors: Map<string, string> | undefined;
  #unguardedCache = new Map<string, readonly string[]>();

  constructor(reservedNames: Iterable<string>) {
    this.#taken = new Set(reservedNames);
  }

  /**
   * Declarations for a root schema: the root under `rootName` first, then one declaration per
   * referenced location, in the order they were first referenced. `rootDoc` becomes the root's
   * JSDoc (comment-safe lines).
   */
  convert(
    schema: JsonSchema | undefined,
    rootName: string,
    options: RootOptions,
    rootDoc: readonly string[] = [],
  ): TypeDeclaration[] {
    this.#root = schema;
    this.#names = new Map([["#", rootName]]);
    this.#pending = [];
    this.#anchors = undefined;
    this.#unguardedCache = new Map();
    this.#taken.add(rootName);

    let root = this.#node(schema, "", { guarded: false, declaration: "#", depth: 0 });
    if (options.objectRoot && isUnknown(root)) {
      root = { text: "{ [key: string]: unknown }", precedence: Precedence.Primary };
    }
    const declarations: TypeDeclaration[] = [{ name: rootName, doc: rootDoc, type: root.text }];
    for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) {
      const target = this.#resolvePointer(next.pointer);
      const type = this.#node(target, "", { guarded: false, declaration: next.pointer, depth: 0 });
      declarations.push({
        name: next.name,
        doc: isSchemaObject(target) ? schemaDoc(target, next.label) : [],
        type: type.text,
      });
    }
    return declarations;
  }

  #node(schema: unknown, indent: string, context: NodeContext): Rendered {
    if (schema === undefined || schema === true) return UNKNOWN;
    if (schema === false) return NEVER;
    if (!isSchemaObject(schema) || context.depth > MAX_DEPTH) return UNKNOWN;

    const reference = referenceOf(schema);
    const composed =
      schema.allOf !== undefined ||
      schema.anyOf !== undefined ||
      schema.oneOf !== undefined ||
      schema.nullable === true;
    // Most nodes are a plain typed schema: no reference, no composition.
    if (
      reference === undefined &&
      !composed &&
      !Object.hasOwn(schema, "const") &&
      schema.enum === undefined
    ) {
      return this.#typed(schema, indent, context) ?? UNKNOWN;
    }

    const parts: Rendered[] = [];
    if (reference !== undefined) parts.push(this.#reference(reference, context));

    if (Object.hasOwn(schema, "const")) {
      parts.push(literal(schema.const, indent));
    } else if (Array.isArray(schema.enum)) {
      parts.push(
        union(
          schema.enum.map((value) => literal(value, indent)),
          indent,
        ),
      );
    } else {
      const base = this.#typed(schema, indent, context);
      if (base !== undefined) parts.push(base);
    }

    const next: NodeContext = {
      guarded: context.guarded,
      declaration: context.declaration,
      depth: context.depth + 1,
    };
    if (Array.isArray(schema.allOf)) {
      for (const member of schema.allOf) parts.push(this.#node(member, indent, next));
    }
    for (const keyword of ["anyOf", "oneOf"] as const) {
      const members = schema[keyword];
      if (Array.isArray(members) && members.length > 0) {
        parts.push(
          union(
            members.map((member) => this.#node(member, indent, next)),
            indent,
          ),
        );
      }
    }

    const result = intersection(parts);
    // OpenAPI 3.0's `nullable`, which some servers still send.
    return schema.nullable === true ? union([result, NULL], indent) : result;
  }

  /** The type from `type` (or the type implied by object or array keywords); undefined when none. */
  #typed(schema: SchemaObject, indent: string, context: NodeContext): Rendered | undefined {
    const type = schema.type;
    if (typeof type === "string") return this.#ofType(type, schema, indent, context);
    if (Array.isArray(type)) {
      const rendered: Rendered[] = [];
      for (const member of type) {
        if (typeof member !== "string") continue;
        const one = this.#ofType(member, schema, indent, context);
        if (one === undefined) return undefined;
        rendered.push(one);
      }
      return rendered.length === 0 ? undefined : union(rendered, indent);
    }
    if (
      isSchemaObject(schema.properties) ||
      schema.additionalProperties !== undefined ||
      isSchemaObject(schema.patternProperties)
    ) {
      return this.#object(schema, indent, context);
    }
    if (schema.items !== undefined || Array.isArray(schema.prefixItems))
      return this.#array(schema, indent, context);
    return undefined;
  }

  /** One `type` name; undefined for an object that is only a closing constraint (see #object). */
  #ofType(type: string, schema: SchemaObject, indent: string, context: NodeContext): Rendered | undefined {
    switch (type) {
      case "string":
        return STRING;
      case "number":
      case "integer":
        return NUMBER;
      case "boolean":
        return BOOLEAN;
      case "null":
        return NULL;
      case "array":
        return this.#array(schema, indent, context);
      case "object":
        return this.#object(schema, indent, context);
      default:
        return UNKNOWN;
    }
  }

  #object(schema: SchemaObject, indent: string, context: NodeContext): Rendered | undefined {
    const inner = `${indent}  `;
    const child: NodeContext = { guarded: true, declaration: context.declaration, depth: context.depth + 1 };
    const properties = isSchemaObject(schema.properties) ? schema.properties : {};
    const required: readonly unknown[] = Array.isArray(schema.required) ? schema.required : [];
    const members: string[] = [];
    const propertyTypes: Rendered[] = [];
    let anyOptional = false;

    for (const key in properties) {
      if (!Object.hasOwn(properties, key)) continue;
      const propertySchema = properties[key];
      const optional = !required.includes(key);
      let type = this.#node(propertySchema, inner, child);
      if (optional && INHERITED_MEMBERS.has(key)) {
        // Every object literal inherits `valueOf`, `toString`...: an optional property of that
        // name must admit the inherited member, or `{}` would not be assignable to the input.
        type = union([type, { text: `Object[${jsString(key)}]`, precedence: Precedence.Primary }], inner);
      }
      anyOptional ||= optional;
      propertyTypes.push(type);
      const doc = isSchemaObject(propertySchema) ? schemaDoc(propertySchema, key) : [];
      members.push(
        `${renderJsDoc(doc, inner)}${inner}${propertyKey(key)}${optional ? "?" : ""}:${afterSeparator(type.text)};`,
      );
    }
    for (let index = 0; index < required.length; index++) {
      const key = required[index];
      if (typeof key !== "string" || Object.hasOwn(properties, key) || required.indexOf(key) !== index)
        continue;
      propertyTypes.push(UNKNOWN);
      members.push(`${inner}${propertyKey(key)}: unknown;`);
    }

    const extraTypes: Rendered[] = [];
    let patternDoc: string[] | undefined;
    if (isSchemaObject(schema.patternProperties)) {
      for (const [pattern, patternSchema] of Object.entries(schema.patternProperties)) {
        extraTypes.push(this.#node(patternSchema, inner, child));
        patternDoc ??= [];
        patternDoc.push(`/${pattern}/`);
      }
    }
    const additional = schema.additionalProperties;
    if (additional === undefined) {
      // An object type that names no properties accepts any keys; one that names some is closed
      // in TypeScript, which is what callers want to see (ADR-004).
      if (members.length === 0 && extraTypes.length === 0) extraTypes.push(UNKNOWN);
    } else if (additional !== false) {
      extraTypes.push(this.#node(additional, inner, child));
    }

    if (extraTypes.length > 0) {
      // Every named property must be assignable to the index signature, so its type joins in.
      const valueTypes = [...extraTypes, ...propertyTypes];
      if (anyOptional) valueTypes.push(UNDEFINED);
      const doc = patternDoc === undefined ? [] : jsDocLines([`Keys matching ${patternDoc.join(", ")}.`]);
      members.push(
        `${renderJsDoc(doc, inner)}${inner}[key: string]:${afterSeparator(union(valueTypes, inner).text)};`,
      );
    } else if (members.length === 0) {
      // `additionalProperties: false` and nothing named. Beside allOf/anyOf/oneOf that is a
      // closing constraint, not a type of its own: intersecting with it would make every
      // member property `never`.
      if (COMPOSITION_KEYWORDS.some((keyword) => Array.isArray(schema[keyword]))) return undefined;
      return { text: "{ [key: string]: never }", precedence: Precedence.Primary };
    }
    // A lone undocumented one-line member stays on the object's line: `{ [key: string]: string }`.
    const only = members.length === 1 ? members[0]! : undefined;
    if (only !== undefined && !only.includes("\n") && !only.trimStart().startsWith("/**")) {
      return { text: `{ ${only.trimStart().replace(/;$/, "")} }`, precedence: Precedence.Primary };
    }
    return { text: `{\n${members.join("\n")}\n${indent}}`, precedence: Precedence.Primary };
  }

  #array(schema: SchemaObject, indent: string, context: NodeContext): Rendered {
    const child: NodeContext = { guarded: true, declaration: context.declaration, depth: context.depth + 1 };
    const prefix = Array.isArray(schema.prefixItems)
      ? schema.prefixItems
      : Array.isArray(schema.items)
        ? schema.items
        : undefined;
    if (prefix === undefined) {
      return arrayOf(this.#node(schema.items, indent, child));
    }
    // A tuple: 2020-12 `prefixItems` + `items`, or draft-07 array `items` + `additionalItems`.
    const rest = Array.isArray(schema.prefixItems) ? schema.items : schema.additionalItems;
    // Tuple elements do not guard a recursive reference the way array items do: TypeScript
    // rejects some self-references through optional tuple elements (`type A = [[A, B?]?] | C`).
    const elementContext: NodeContext = { ...child, guarded: context.guarded };
    const minItems = integerOrUndefined(schema.minItems) ?? 0;
    const maxItems = integerOrUndefined(schema.maxItems);
    const length = maxItems === undefined ? prefix.length : Math.min(prefix.length, maxItems);
    const elements: string[] = [];
    for (let index = 0; index < length; index++) {
      const element = this.#node(prefix[index], indent, elementContext);
      elements.push(index < minItems ? element.text : `${parenthesize(element, Precedence.Primary)}?`);
    }
    const closed = rest === false || (maxItems !== undefined && maxItems <= prefix.length);
    if (!closed) {
      const restType = rest === undefined || rest === true ? UNKNOWN : this.#node(rest, indent, child);
      elements.push(`...${arrayOf(restType).text}`);
    }
    return { text: `[${elements.join(", ")}]`, precedence: Precedence.Primary };
  }

  #reference(reference: string, context: NodeContext): Rendered {
    const pointer = this.#pointerOf(reference);
    if (pointer === undefined || this.#resolvePointer(pointer) === undefined) {
      return {
        text: `unknown /* unresolved $ref ${commentSafe(singleLine(reference))} */`,
        precedence: Precedence.Primary,
        unknown: true,
      };
    }
    // `type A = B | A` does not compile: a reference that can reach its own declaration without
    // passing through an object or array type widens to `unknown` instead.
    if (!context.guarded && this.#reachesUnguarded(pointer, context.declaration)) {
      return { text: "unknown /* circular reference */", precedence: Precedence.Primary, unknown: true };
    }
    return { text: this.#nameFor(pointer), precedence: Precedence.Primary };
  }

  #nameFor(pointer: string): string {
    const existing = this.#names.get(pointer);
    if (existing !== undefined) return existing;
    const segments = pointer.split("/");
    const label = (segments[segments.length - 1] ?? "").replaceAll("~1", "/").replaceAll("~0", "~");
    const base = pascalCase(label, "Type");
    const sharedKey = this.#sharedKey(base, this.#resolvePointer(pointer));
    const shared = sharedKey === undefined ? undefined : this.#shared.get(sharedKey);
    if (shared !== undefined) {
      this.#names.set(pointer, shared);
      return shared;
    }
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}${n}`;
    this.#taken.add(name);
    this.#names.set(pointer, name);
    if (sharedKey !== undefined) this.#shared.set(sharedKey, name);
    this.#pending.push({ pointer, name, label });
    return name;
  }

  /** Identifies a helper type by name and content when it refers to nothing else (so means the same anywhere). */
  #sharedKey(base: string, target: unknown): string | undefined {
    const referencesSomething = (node: unknown, depth: number): boolean => {
      if (depth > MAX_DEPTH) return true;
      if (Array.isArray(node)) return node.some((item) => referencesSomething(item, depth + 1));
      if (!isSchemaObject(node)) return false;
      if (referenceOf(node) !== undefined) return true;
      return Object.values(node).some((value) => referencesSomething(value, depth + 1));
    };
    if (referencesSomething(target, 0)) return undefined;
    try {
      return `${base}\u0000${canonicalJson(target)}`;
    } catch {
      return undefined;
    }
  }

  /** A local reference as a normalized pointer (`#`, `#/$defs/A`), or undefined when not local. */
  #pointerOf(reference: string): string | undefined {
    if (!reference.startsWith("#")) return undefined;
    let fragment: string;
    try {
      fragment = decodeURIComponent(reference.slice(1));
    } catch {
      return undefined;
    }
    if (fragment === "" || fragment === "/") return "#";
    if (fragment.startsWith("/")) return `#${fragment}`;
    return this.#anchor(fragment);
  }

  /** The pointer of a plain-name anchor (`$anchor`, `$dynamicAnchor`, or a draft-07 `$id: "#name"`). */
  #anchor(name: string): string | undefined {
    if (this.#anchors === undefined) {
      const anchors = new Map<string, string>();
      const visit = (node: unknown, pointer: string, depth: number): void => {
        if (depth > MAX_DEPTH) return;
        if (Array.isArray(node)) {
          for (const [index, item] of node.entries()) visit(item, `${pointer}/${index}`, depth + 1);
          return;
        }
        if (!isSchemaObject(node)) return;
        for (const keyword of ["$anchor", "$dynamicAnchor"]) {
          const value = node[keyword];
          if (typeof value === "string" && !anchors.has(value)) anchors.set(value, pointer);
        }
        if (typeof node.$id === "string" && node.$id.startsWith("#") && !anchors.has(node.$id.slice(1))) {
          anchors.set(node.$id.slice(1), pointer);
        }
        for (const [key, value] of Object.entries(node)) {
          if (key === "enum" || key === "const" || key === "default" || key === "examples") continue;
          visit(value, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`, depth + 1);
        }
      };
      visit(this.#root, "#", 0);
      this.#anchors = anchors;
    }
    return this.#anchors.get(name);
  }

  #resolvePointer(pointer: string): unknown {
    if (pointer === "#") return this.#root ?? true;
    let node: unknown = this.#root;
    for (const encoded of pointer.slice(2).split("/")) {
      const segment = encoded.replaceAll("~1", "/").replaceAll("~0", "~");
      if (Array.isArray(node)) node = node[Number(segment)];
      else if (isSchemaObject(node) && Object.hasOwn(node, segment)) node = node[segment];
      else return undefined;
    }
    return node;
  }

  /** True when `from` reaches `target` through references that are not inside objects or arrays. */
  #reachesUnguarded(from: string, target: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const pointer = stack.pop()!;
      if (pointer === target) return true;
      if (seen.has(pointer)) continue;
      seen.add(pointer);
      stack.push(...this.#unguardedReferences(pointer));
    }
    return false;
  }

  #unguardedReferences(pointer: string): readonly string[] {
    const cached = this.#unguardedCache.get(pointer);
    if (cached !== undefined) return cached;
    const found: string[] = [];
    const visit = (node: unknown, depth: number): void => {
      if (!isSchemaObject(node) || depth > MAX_DEPTH) return;
      const reference = referenceOf(node);
      const target = reference === undefined ? undefined : this.#pointerOf(reference);
      if (target !== undefined) found.push(target);
      for (const keyword of COMPOSITION_KEYWORDS) {
        const members = node[keyword];
        if (Array.isArray(members)) for (const member of members) visit(member, depth + 1);
      }
      // Tuple elements, both dialects (see #array).
      for (const elements of [node.prefixItems, node.items]) {
        if (Array.isArray(elements)) for (const element of elements) visit(element, depth + 1);
      }
    };
    visit(this.#resolvePointer(pointer), 0);
    this.#unguardedCache.set(pointer, found);
    return found;
  }
}

/** A JSON value as a TypeScript literal type. */
function literal(value: unknown, indent: string): Rendered {
  if (value === null) return NULL;
  switch (typeof value) {
    case "string":
      return { text: jsString(value), precedence: Precedence.Primary };
    case "number":
      return Number.isFinite(value)
        ? { text: String(value), precedence: Precedence.Primary }
        : { text: "number", precedence: Precedence.Primary };
    case "boolean":
      return { text: String(value), precedence: Precedence.Primary };
    case "object": {
      if (Array.isArray(value)) {
        return {
          text: `[${value.map((item) => literal(item, indent).text).join(", ")}]`,
          precedence: Precedence.Primary,
        };
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) return { text: "{ [key: string]: never }", precedence: Precedence.Primary };
      const members = entries.map(([key, item]) => `${propertyKey(key)}: ${literal(item, indent).text}`);
      return { text: `{ ${members.join("; ")} }`, precedence: Precedence.Primary };
    }
    default:
      return UNKNOWN;
  }
}

function isUnknown(rendered: Rendered): boolean {
  return rendered.unknown === true;
}

/** A type after `:` or `=`: a space, unless the type starts on its own line (a long union). */
export function afterSeparator(type: string): string {
  return type.startsWith("\n") ? type : ` ${type}`;
}

function parenthesize(rendered: Rendered, needed: Precedence): string {
  return rendered.precedence < needed ? `(${rendered.text})` : rendered.text;
}

function arrayOf(element: Rendered): Rendered {
  return { text: `${parenthesize(element, Precedence.Primary)}[]`, precedence: Precedence.Primary };
}

/** `A | B`, flattened and deduplicated; `unknown` absorbs the rest, `never` disappears. */
function union(members: readonly Rendered[], indent: string): Rendered {
  if (members.length === 1) return members[0]!;
  const unique = new Map<string, Rendered>();
  for (const member of members) {
    if (isUnknown(member)) return member;
    if (member.text === "never") continue;
    // `A | (B | C)` is `A | B | C`; written nested, a multi-line inner union would not parse.
    for (const flat of member.members ?? [member]) {
      if (!unique.has(flat.text)) unique.set(flat.text, flat);
    }
  }
  const list = [...unique.values()];
  if (list.length === 0) return members.length === 0 ? UNKNOWN : NEVER;
  if (list.length === 1) return list[0]!;
  const texts = list.map((member) => member.text);
  const inline = texts.join(" | ");
  if (inline.length <= INLINE_UNION_WIDTH && !inline.includes("\n")) {
    return { text: inline, precedence: Precedence.Union, members: list };
  }
  // One member per line; a member's own continuation lines move right with it.
  return {
    text: texts.map((text) => `\n${indent}  | ${text.replaceAll("\n", "\n  ")}`).join(""),
    precedence: Precedence.Union,
    members: list,
  };
}

/** `A & B`, deduplicated; `unknown` members drop out, `never` absorbs the rest. */
function intersection(members: readonly Rendered[]): Rendered {
  if (members.length === 1 && members[0]!.text !== "never") return members[0]!;
  if (members.length === 0) return UNKNOWN;
  const unique = new Map<string, Rendered>();
  let unknown = UNKNOWN;
  for (const member of members) {
    if (member.text === "never") return NEVER;
    if (isUnknown(member)) {
      unknown = member;
      continue;
    }
    if (!unique.has(member.text)) unique.set(member.text, member);
  }
  const list = [...unique.values()];
  if (list.length === 0) return unknown;
  if (list.length === 1) return list[0]!;
  return {
    text: list.map((member) => parenthesize(member, Precedence.Intersection)).join(" & "),
    precedence: Precedence.Intersection,
  };
}

function jsonForTag(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return truncate(text, MAX_TAG_VALUE);
}

function sameWords(a: string, b: string): boolean {
  const normalize = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");
  return normalize(a) === normalize(b);
}

/** Keywords that become a JSDoc tag with their value as written. */
const VALUE_TAGS: ReadonlySet<string> = new Set([
  "format",
  "pattern",
  "contentMediaType",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
]);

/**
 * JSDoc for a schema: its title (unless it only repeats the property name, as generated titles
 * do) and description, then tags for what the type cannot say: default, format, pattern, ranges,
 * integer-ness, an example, deprecation.
 */
export function schemaDoc(schema: SchemaObject, propertyName?: string): string[] {
  let title: string | undefined;
  let description: string | undefined;
  let integer = false;
  const tags: JsDocTag[] = [];
  let defaultTag: JsDocTag | undefined;
  let exampleTag: JsDocTag | undefined;
  let deprecated = false;
  // Descriptions one level down that no other comment would show: an array's items, union branches.
  let itemDescription: string | undefined;
  const branchDescriptions: string[] = [];
  // One pass over the keys the schema has, rather than a lookup for every keyword it might have.
  for (const key in schema) {
    const value = schema[key];
    switch (key) {
      case "title":
        if (typeof value === "string") title = value;
        break;
      case "description":
        if (typeof value === "string") description = value;
        break;
      case "type":
        integer = value === "integer" || (Array.isArray(value) && value.includes("integer"));
        break;
      case "default":
        defaultTag = ["default", jsonForTag(value)];
        break;
      case "examples":
        if (Array.isArray(value) && value.length > 0) exampleTag = ["example", jsonForTag(value[0])];
        break;
      case "uniqueItems":
        if (value === true) tags.push(["uniqueItems", ""]);
        break;
      case "deprecated":
        deprecated = value === true;
        break;
      case "items":
        if (isSchemaObject(value) && typeof value.description === "string")
          itemDescription = value.description;
        break;
      case "anyOf":
      case "oneOf":
        if (Array.isArray(value)) {
          for (const branch of value) {
            if (isSchemaObject(branch) && typeof branch.description === "string") {
              branchDescriptions.push(branch.description);
            }
          }
        }
        break;
      default:
        if (VALUE_TAGS.has(key) && (typeof value === "string" || typeof value === "number")) {
          tags.push([key, String(value)]);
        }
    }
  }
  const paragraphs: (string | undefined)[] = [];
  if (title !== undefined && !(propertyName !== undefined && sameWords(title, propertyName))) {
    if (description === undefined || !description.includes(title)) paragraphs.push(title);
  }
  paragraphs.push(description);
  if (itemDescription !== undefined && itemDescription !== description) {
    paragraphs.push(`Each item: ${itemDescription}`);
  }
  const branches = branchDescriptions.filter((text) => text !== description);
  if (branches.length === 1) paragraphs.push(branches[0]);
  else if (branches.length > 1)
    paragraphs.push(`One of:\n${branches.map((text) => `- ${singleLine(text)}`).join("\n")}`);
  if (integer) tags.unshift(["integer", ""]);
  if (defaultTag !== undefined) tags.push(defaultTag);
  if (exampleTag !== undefined) tags.push(exampleTag);
  if (deprecated) tags.push(["deprecated", ""]);
  return jsDocLines(paragraphs, tags);
}
