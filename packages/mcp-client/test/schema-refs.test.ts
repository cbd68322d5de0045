import { McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { deepSchema, schemaBomb } from "../../../test/fixtures/servers/lib/schema-bomb.mjs";
import { jsonDepth } from "../src/json-size.js";
import { resolveLocalRefs } from "../src/schema-refs.js";

describe("resolveLocalRefs", () => {
  it("inlines $defs references and drops the definitions", () => {
    const schema = {
      type: "object",
      properties: { a: { $ref: "#/$defs/A" }, b: { $ref: "#/definitions/B" } },
      $defs: { A: { type: "string" }, Unused: { type: "number" } },
      definitions: { B: { type: "boolean" } },
    };
    expect(resolveLocalRefs(schema)).toEqual({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "boolean" } },
    });
  });

  it("lets annotation siblings override and puts constraint siblings in allOf", () => {
    const schema = {
      type: "object",
      properties: {
        described: { $ref: "#/$defs/Name", description: "the name" },
        constrained: { $ref: "#/$defs/Name", maxLength: 3 },
      },
      $defs: { Name: { type: "string", description: "a name" } },
    };
    expect(resolveLocalRefs(schema)).toEqual({
      type: "object",
      properties: {
        described: { type: "string", description: "the name" },
        constrained: { maxLength: 3, allOf: [{ type: "string", description: "a name" }] },
      },
    });
  });

  it("keeps a self-recursive reference and exactly the definition it needs", () => {
    const schema = {
      type: "object",
      properties: { root: { $ref: "#/$defs/Node" } },
      $defs: {
        Node: {
          type: "object",
          properties: { children: { type: "array", items: { $ref: "#/$defs/Node" } } },
        },
        Other: { type: "null" },
      },
    };
    const node = {
      type: "object",
      properties: { children: { type: "array", items: { $ref: "#/$defs/Node" } } },
    };
    expect(resolveLocalRefs(schema)).toEqual({
      type: "object",
      properties: { root: node },
      $defs: { Node: node },
    });
  });

  it("keeps mutually recursive definitions finite", () => {
    const schema = {
      $ref: "#/$defs/A",
      $defs: {
        A: { type: "object", properties: { b: { $ref: "#/$defs/B" } } },
        B: { type: "object", properties: { a: { $ref: "#/$defs/A" } } },
      },
    };
    const resolved = resolveLocalRefs(schema) as Record<string, unknown>;
    const text = JSON.stringify(resolved);
    expect(text.length).toBeLessThan(1000);
    expect(resolved.$defs).toEqual({
      A: { type: "object", properties: { b: { type: "object", properties: { a: { $ref: "#/$defs/A" } } } } },
    });
    expect(resolved.properties).toEqual({
      b: { type: "object", properties: { a: { $ref: "#/$defs/A" } } },
    });
  });

  it("treats a reference to the root as recursion", () => {
    const schema = { type: "object", properties: { next: { $ref: "#" }, value: { type: "number" } } };
    expect(resolveLocalRefs(schema)).toEqual(schema);
  });

  it("caps expansion of references that fan out exponentially", () => {
    const defs: Record<string, unknown> = { D0: { type: "string" } };
    for (let level = 1; level <= 30; level++) {
      defs[`D${level}`] = {
        type: "object",
        properties: { left: { $ref: `#/$defs/D${level - 1}` }, right: { $ref: `#/$defs/D${level - 1}` } },
      };
    }
    const schema = { $ref: "#/$defs/D30", $defs: defs };
    const resolved = resolveLocalRefs(schema, { maxNodes: 2_000 });
    const text = JSON.stringify(resolved);
    expect(text.length).toBeLessThan(2_000 * 200);
    // What was not inlined stays a reference whose target is still present.
    const refs = [...text.matchAll(/"\$ref":"#\/\$defs\/(D\d+)"/g)].map((match) => match[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    const kept = (resolved as { $defs: Record<string, unknown> }).$defs;
    for (const name of refs) expect(kept[name]).toBeDefined();
  });

  it("leaves remote, anchor and dangling references alone", () => {
    const schema = {
      type: "object",
      properties: {
        remote: { $ref: "https://example.com/schema.json" },
        anchor: { $ref: "#thing" },
        dangling: { $ref: "#/$defs/Missing" },
      },
    };
    expect(resolveLocalRefs(schema)).toEqual(schema);
  });

  it("resolves pointers with escapes and into arrays, and draft-07 tuple items", () => {
    const schema = {
      type: "object",
      properties: {
        slash: { $ref: "#/$defs/a~1b" },
        tuple: { type: "array", items: [{ $ref: "#/$defs/a~1b" }, { $ref: "#/properties/first/anyOf/1" }] },
        first: { anyOf: [{ type: "null" }, { type: "integer" }] },
      },
      $defs: { "a/b": { type: "string" } },
    };
    expect(resolveLocalRefs(schema)).toEqual({
      type: "object",
      properties: {
        slash: { type: "string" },
        tuple: { type: "array", items: [{ type: "string" }, { type: "integer" }] },
        first: { anyOf: [{ type: "null" }, { type: "integer" }] },
      },
    });
  });

  it("resolves schemas under properties named like keywords, and never looks inside data keywords", () => {
    const schema = {
      type: "object",
      properties: { default: { $ref: "#/$defs/S" }, enum: { $ref: "#/$defs/S" } },
      default: { $ref: "#/$defs/S" },
      examples: [{ $ref: "not a schema" }],
      $defs: { S: { type: "string" } },
    };
    expect(resolveLocalRefs(schema)).toEqual({
      type: "object",
      properties: { default: { type: "string" }, enum: { type: "string" } },
      default: { $ref: "#/$defs/S" },
      examples: [{ $ref: "not a schema" }],
    });
  });

  it("does not modify its input", () => {
    const schema = { properties: { a: { $ref: "#/$defs/A" } }, $defs: { A: { type: "string" } } };
    const copy = structuredClone(schema);
    resolveLocalRefs(schema);
    expect(schema).toEqual(copy);
  });

  it("passes boolean schemas through", () => {
    expect(resolveLocalRefs(true)).toBe(true);
    expect(resolveLocalRefs(false)).toBe(false);
  });

  it("bounds a 477 KB schema bomb by the bytes its copies add (enum and descriptions included)", () => {
    const bomb = schemaBomb();
    const input = JSON.stringify(bomb).length;
    const resolved = resolveLocalRefs(bomb);
    const output = JSON.stringify(resolved).length;
    expect(output).toBeLessThan(input + 1024 * 1024 + 10_000);
    const refs = [...JSON.stringify(resolved).matchAll(/"\$ref":"#\/\$defs\/(D\d+)"/g)].map(
      (match) => match[1] as string,
    );
    expect(refs.length).toBeGreaterThan(0);
    const kept = (resolved as { $defs: Record<string, unknown> }).$defs;
    for (const name of refs) expect(kept[name]).toBeDefined();
  });

  it("draws a shared budget down across schemas, and inlines nothing once it is spent", () => {
    const budget = { remainingBytes: 600_000 };
    resolveLocalRefs(schemaBomb(), { budget });
    expect(budget.remainingBytes).toBeGreaterThanOrEqual(0);
    expect(budget.remainingBytes).toBeLessThan(600_000);
    const schema = {
      properties: { a: { $ref: "#/$defs/A" } },
      $defs: { A: { type: "string", enum: ["x".repeat(700_000)] } },
    };
    expect(resolveLocalRefs(schema, { budget })).toEqual(schema);
  });

  it("follows a chain of 5,000 references without recursion overflowing, and keeps the result shallow", () => {
    const defs: Record<string, unknown> = { R0: { type: "string" } };
    for (let index = 1; index <= 5_000; index++)
      defs[`R${index}`] = { type: "object", properties: { next: { $ref: `#/$defs/R${index - 1}` } } };
    const resolved = resolveLocalRefs({ $ref: "#/$defs/R5000", $defs: defs });
    expect(jsonDepth(resolved)).toBeLessThanOrEqual(128);
  });

  it("refuses a schema, or a value in it, nested deeper than maxDepth with LIMIT_SIZE", () => {
    const deep = () => resolveLocalRefs(deepSchema(20_000));
    expect(deep).toThrow(McpCliError);
    try {
      deep();
    } catch (error) {
      expect((error as McpCliError).code).toBe("LIMIT_SIZE");
      expect((error as McpCliError).details).toMatchObject({ limit: "schemaDepth", max: 128 });
    }
    let value: unknown = 1;
    for (let level = 0; level < 10_000; level++) value = [value];
    expect(() => resolveLocalRefs({ type: "array", const: value })).toThrow(/deeper than 128 levels/);
    expect(resolveLocalRefs(deepSchema(60))).toEqual(deepSchema(60));
  });

  it("keeps a property named __proto__ as a property", () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"$ref":"#/$defs/S"}},"$defs":{"S":{"type":"string"}}}',
    );
    const resolved = resolveLocalRefs(schema) as { properties: Record<string, unknown> };
    expect(Object.hasOwn(resolved.properties, "__proto__")).toBe(true);
    expect(JSON.stringify(resolved)).toBe('{"type":"object","properties":{"__proto__":{"type":"string"}}}');
  });
});
