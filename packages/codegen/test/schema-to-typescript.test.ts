import type { JsonSchema } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { type RootOptions, SchemaConverter } from "../src/schema-to-typescript.js";

/** The declarations for `schema` as source text, root named `T`. */
function typescript(schema: JsonSchema | undefined, options: RootOptions = { objectRoot: false }): string {
  const converter = new SchemaConverter(["TOutput"]);
  return converter
    .convert(schema, "T", options)
    .map((declaration) => {
      const doc = declaration.doc.length === 0 ? "" : `/** ${declaration.doc.join(" / ")} */ `;
      return `${doc}type ${declaration.name} = ${declaration.type};`;
    })
    .join("\n");
}

describe("JSON Schema to TypeScript", () => {
  it("empty and missing schemas", () => {
    expect(typescript(undefined)).toBe("type T = unknown;");
    expect(typescript({})).toBe("type T = unknown;");
    expect(typescript(true)).toBe("type T = unknown;");
    expect(typescript(false)).toBe("type T = never;");
    expect(typescript({}, { objectRoot: true })).toBe("type T = { [key: string]: unknown };");
    expect(typescript(undefined, { objectRoot: true })).toBe("type T = { [key: string]: unknown };");
  });

  it("primitive types, integer documented, unknown type names widened", () => {
    expect(typescript({ type: "string" })).toBe("type T = string;");
    expect(typescript({ type: "integer" })).toBe("type T = number;");
    expect(typescript({ type: "boolean" })).toBe("type T = boolean;");
    expect(typescript({ type: "null" })).toBe("type T = null;");
    expect(typescript({ type: "file" })).toBe("type T = unknown;");
    expect(typescript({ not: { type: "string" } })).toBe("type T = unknown;");
  });

  it("type arrays with null, and OpenAPI nullable", () => {
    expect(typescript({ type: ["string", "null"] })).toBe("type T = string | null;");
    expect(typescript({ type: ["object", "null"], properties: { a: { type: "string" } } })).toBe(
      "type T = { a?: string } | null;",
    );
    expect(typescript({ type: "number", nullable: true })).toBe("type T = number | null;");
    expect(typescript({ type: [] })).toBe("type T = unknown;");
  });

  it("required and optional properties, non-identifier names, required names without a schema", () => {
    expect(
      typescript({
        type: "object",
        properties: { id: { type: "string" }, "my-key": { type: "number" }, "": { type: "boolean" } },
        required: ["id", "extra"],
      }),
    ).toBe('type T = {\n  id: string;\n  "my-key"?: number;\n  ""?: boolean;\n  extra: unknown;\n};');
  });

  it("additionalProperties: schema, true, false, absent", () => {
    expect(typescript({ type: "object", additionalProperties: { type: "string" } })).toBe(
      "type T = { [key: string]: string };",
    );
    expect(typescript({ type: "object", additionalProperties: true })).toBe(
      "type T = { [key: string]: unknown };",
    );
    expect(typescript({ type: "object" })).toBe("type T = { [key: string]: unknown };");
    expect(typescript({ type: "object", additionalProperties: false })).toBe(
      "type T = { [key: string]: never };",
    );
    expect(
      typescript({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false }),
    ).toBe("type T = { a?: string };");
  });

  it("regression: an index signature admits the named properties' types and undefined for optional ones", () => {
    expect(
      typescript({
        type: "object",
        properties: { name: { type: "string" }, count: { type: "integer" } },
        required: ["name"],
        additionalProperties: { type: "boolean" },
      }),
    ).toBe(
      "type T = {\n  name: string;\n  /** @integer */\n  count?: number;\n  [key: string]: boolean | string | number | undefined;\n};",
    );
  });

  it("patternProperties become a documented index signature", () => {
    expect(
      typescript({
        type: "object",
        patternProperties: { "^x-": { type: "string" }, "^n_": { type: "number" } },
        additionalProperties: false,
      }),
    ).toBe("type T = {\n  /** Keys matching /^x-/, /^n_/. */\n  [key: string]: string | number;\n};");
  });

  it("arrays and tuples (prefixItems, array items, additionalItems, minItems, maxItems)", () => {
    expect(typescript({ type: "array", items: { type: "string" } })).toBe("type T = string[];");
    expect(typescript({ type: "array" })).toBe("type T = unknown[];");
    expect(typescript({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } })).toBe(
      "type T = (string | number)[];",
    );
    expect(
      typescript({
        type: "array",
        prefixItems: [{ type: "number" }, { type: "number" }],
        minItems: 2,
        maxItems: 2,
      }),
    ).toBe("type T = [number, number];");
    expect(
      typescript({
        type: "array",
        prefixItems: [{ type: "string" }, { type: "boolean" }],
        items: false,
        minItems: 1,
      }),
    ).toBe("type T = [string, boolean?];");
    expect(
      typescript({
        type: "array",
        prefixItems: [{ type: "string" }],
        items: { type: "number" },
        minItems: 1,
      }),
    ).toBe("type T = [string, ...number[]];");
    expect(typescript({ type: "array", prefixItems: [{ type: ["string", "null"] }] })).toBe(
      "type T = [(string | null)?, ...unknown[]];",
    );
    expect(
      typescript({
        type: "array",
        items: [{ type: "string" }, { type: "integer" }],
        additionalItems: false,
        minItems: 2,
      }),
    ).toBe("type T = [string, number];");
    expect(
      typescript({ type: "array", items: [{ type: "string" }], additionalItems: { type: "boolean" } }),
    ).toBe("type T = [string?, ...boolean[]];");
    expect(
      typescript({ type: "array", prefixItems: [{ type: "string" }, { type: "string" }], maxItems: 1 }),
    ).toBe("type T = [string?];");
  });

  it("enum and const of every JSON type; large enums one member per line", () => {
    expect(typescript({ enum: ["a", 'it\'s "q"', 1, -2.5, true, null, "a"] })).toBe(
      'type T = "a" | "it\'s \\"q\\"" | 1 | -2.5 | true | null;',
    );
    expect(typescript({ const: { a: 1, "b-c": [true, null] } })).toBe(
      'type T = { a: 1; "b-c": [true, null] };',
    );
    expect(typescript({ const: {} })).toBe("type T = { [key: string]: never };");
    expect(typescript({ enum: [] })).toBe("type T = unknown;");
    const large = typescript({ enum: Array.from({ length: 30 }, (_, index) => `value-${index}`) });
    expect(large.split("\n")).toHaveLength(31);
    expect(large.startsWith('type T = \n  | "value-0"\n  | "value-1"\n')).toBe(true);
    expect(large.endsWith('\n  | "value-29";')).toBe(true);
  });

  it("oneOf, anyOf, allOf, alone and beside properties", () => {
    expect(typescript({ anyOf: [{ type: "string" }, { type: "integer" }] })).toBe(
      "type T = string | number;",
    );
    expect(typescript({ oneOf: [{ type: "string" }, {}] })).toBe("type T = unknown;");
    expect(typescript({ allOf: [{ type: "string" }, false] })).toBe("type T = never;");
    expect(
      typescript({
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { type: "object", properties: { b: { type: "number" } } },
        ],
      }),
    ).toBe("type T = { a: string } & { b?: number };");
    expect(
      typescript({
        type: "object",
        properties: { email: { type: "string" }, phone: { type: "string" } },
        anyOf: [{ required: ["email"] }, { required: ["phone"] }],
      }),
    ).toBe("type T = {\n  email?: string;\n  phone?: string;\n};");
    expect(
      typescript({
        type: "object",
        additionalProperties: false,
        allOf: [{ properties: { a: { type: "string" } } }],
      }),
    ).toBe("type T = { a?: string };");
    expect(
      typescript({
        oneOf: [
          {
            type: "object",
            properties: { kind: { const: "circle" }, radius: { type: "number" } },
            required: ["kind", "radius"],
          },
          {
            type: "object",
            properties: { kind: { const: "square" }, side: { type: "number" } },
            required: ["kind", "side"],
          },
        ],
      }),
    ).toBe(
      'type T = \n  | {\n    kind: "circle";\n    radius: number;\n  }\n  | {\n    kind: "square";\n    side: number;\n  };',
    );
  });

  it("regression: a union inside a union is flattened (a nested multi-line union does not parse)", () => {
    const long = {
      enum: ["alpha-value", "beta-value", "gamma-value", "delta-value", "epsilon-value", "zeta-value"],
    };
    expect(typescript({ anyOf: [long, { anyOf: [{ type: "number" }, { type: "null" }] }] })).toBe(
      'type T = \n  | "alpha-value"\n  | "beta-value"\n  | "gamma-value"\n  | "delta-value"\n  | "epsilon-value"\n  | "zeta-value"\n  | number\n  | null;',
    );
  });

  it("regression: an array of an unresolved reference is not mistaken for unknown", () => {
    expect(
      typescript({
        type: "object",
        properties: { q: { type: "string" } },
        additionalProperties: { type: "array", items: { $ref: "https://example.com/x.json" } },
      }),
    ).toBe(
      "type T = {\n  q?: string;\n  [key: string]: unknown /* unresolved $ref https://example.com/x.json */[] | string | undefined;\n};",
    );
  });

  it("regression: recursion through tuple elements widens to unknown (TypeScript rejects some of it)", () => {
    expect(
      typescript({
        anyOf: [
          { type: "array", prefixItems: [{ type: "array", prefixItems: [{ $ref: "#" }] }] },
          { type: "number" },
        ],
      }),
    ).toBe("type T = [[unknown /* circular reference */?, ...unknown[]]?, ...unknown[]] | number;");
    expect(typescript({ type: "array", items: { type: "array", items: { $ref: "#" } } })).toBe(
      "type T = T[][];",
    );
  });

  it("$ref into $defs and definitions, with recursion through properties and arrays", () => {
    expect(
      typescript({
        $ref: "#/$defs/Node",
        $defs: {
          Node: { type: "object", description: "A node.", properties: { next: { $ref: "#/$defs/Node" } } },
        },
      }),
    ).toBe("type T = Node;\n/** A node. */ type Node = { next?: Node };");
    expect(
      typescript({
        type: "object",
        properties: { items: { type: "array", items: { $ref: "#/definitions/item" } } },
        definitions: { item: { type: "string" } },
      }),
    ).toBe("type T = { items?: Item[] };\ntype Item = string;");
    expect(typescript({ type: "array", items: { $ref: "#" } })).toBe("type T = T[];");
  });

  it("regression: references that would make a type alias circular widen to unknown", () => {
    expect(typescript({ anyOf: [{ $ref: "#" }, { type: "string" }] })).toBe(
      "type T = unknown /* circular reference */;",
    );
    expect(
      typescript({
        $ref: "#/$defs/A",
        $defs: { A: { $ref: "#/$defs/B" }, B: { allOf: [{ $ref: "#/$defs/A" }] } },
      }),
    ).toBe("type T = A;\ntype A = unknown /* circular reference */;");
  });

  it("unresolved, external and escaped references, anchors", () => {
    expect(typescript({ $ref: "https://example.com/x.json" })).toBe(
      "type T = unknown /* unresolved $ref https://example.com/x.json */;",
    );
    expect(typescript({ $ref: "#/$defs/Missing" })).toBe(
      "type T = unknown /* unresolved $ref #/$defs/Missing */;",
    );
    expect(typescript({ $ref: "#/$defs/x*/y" })).toBe(
      "type T = unknown /* unresolved $ref #/$defs/x*\\/y */;",
    );
    expect(typescript({ $ref: "#/$defs/a~1b%20c", $defs: { "a/b c": { type: "string" } } })).toBe(
      "type T = ABC;\ntype ABC = string;",
    );
    expect(typescript({ $ref: "#here", $defs: { P: { $anchor: "here", type: "number" } } })).toBe(
      "type T = P;\ntype P = number;",
    );
  });

  it("names helper types apart from names the file already uses", () => {
    const converter = new SchemaConverter(["EchoInput", "EchoOutput"]);
    const input = converter.convert(
      { $ref: "#/$defs/EchoOutput", $defs: { EchoOutput: { type: "string" } } },
      "EchoInput",
      { objectRoot: true },
    );
    const output = converter.convert(
      { $ref: "#/$defs/EchoOutput", $defs: { EchoOutput: { type: "number" } } },
      "EchoOutput",
      { objectRoot: false },
    );
    expect(input.map((declaration) => declaration.name)).toEqual(["EchoInput", "EchoOutput2"]);
    expect(output.map((declaration) => [declaration.name, declaration.type])).toEqual([
      ["EchoOutput", "EchoOutput3"],
      ["EchoOutput3", "number"],
    ]);
  });

  it("documents what types cannot say, escaping comment ends", () => {
    expect(
      typescript({
        type: "object",
        properties: {
          count: { type: "integer", minimum: 1, maximum: 100, default: 30, description: "Page size." },
          name: { type: "string", title: "Name", pattern: "^[a-z]+$" },
          note: { type: "string", description: "Ends */ here\n@param is prose", deprecated: true },
        },
      }),
    ).toBe(
      [
        "type T = {",
        "  /** Page size. @integer @minimum 1 @maximum 100 @default 30 */",
        "  count?: number;",
        "  /** @pattern ^[a-z]+$ */",
        "  name?: string;",
        "  /**",
        "   * Ends *\\/ here",
        "   * \\@param is prose",
        "   * @deprecated",
        "   */",
        "  note?: string;",
        "};",
      ].join("\n"),
    );
  });

  it("regression: descriptions of array items and of anyOf/oneOf branches are kept (issue 15.4)", () => {
    const text = typescript({
      type: "object",
      properties: {
        tags: { type: "array", items: { type: "string", description: "A lowercase tag." } },
        target: {
          anyOf: [
            { type: "string", description: "A file path." },
            { type: "integer", description: "A file descriptor." },
          ],
        },
        maybe: { oneOf: [{ type: "string", description: "A name, when known." }, { type: "null" }] },
      },
    });
    expect(text).toContain("/** Each item: A lowercase tag. */\n  tags?: string[];");
    expect(text).toContain("   * One of:\n   * - A file path.\n   * - A file descriptor.\n");
    expect(text).toContain("/** A name, when known. */\n  maybe?: string | null;");
  });

  it("stops at a nesting depth instead of overflowing", () => {
    let schema: JsonSchema = { type: "string" };
    for (let depth = 0; depth < 200; depth++) schema = { type: "array", items: schema };
    const text = typescript(schema);
    expect(text).toMatch(/^type T = unknown(\[\])+;$/);
  });
});
