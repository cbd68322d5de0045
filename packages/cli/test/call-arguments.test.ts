/** `call` argument coercion by the tool's input schema (unit tests of a pure function). */
import { McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { buildCallArguments, coerceValue, schemaTypes } from "../src/call-arguments.js";

const schema = {
  type: "object",
  properties: {
    id: { type: "string" },
    count: { type: "integer" },
    ratio: { type: "number" },
    enabled: { type: "boolean" },
    tags: { type: "array", items: { type: "string" } },
    sizes: { type: "array", items: { type: "number" } },
    filter: { type: "object", properties: { name: { type: "string" } } },
    level: { enum: ["low", "high"] },
    code: { enum: [1, 2, 3] },
    maybe: { anyOf: [{ type: "number" }, { type: "null" }] },
    either: { type: ["string", "object"] },
    anything: {},
  },
} as const;

function build(pairs: string[], json?: string, files: Record<string, string> = {}): Record<string, unknown> {
  return buildCallArguments({
    pairs,
    ...(json === undefined ? {} : { json }),
    inputSchema: schema,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new McpCliError("FILE_NOT_FOUND", `no ${path}`);
      return text;
    },
  });
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as McpCliError).code;
  }
  return undefined;
}

describe("coercion by schema", () => {
  it("keeps a numeric-looking id a string when the schema says string", () => {
    expect(build(["id=007"])).toEqual({ id: "007" });
    expect(build(["id=true"])).toEqual({ id: "true" });
  });
  it("turns numbers, integers and booleans into their types", () => {
    expect(build(["count=3", "ratio=0.5", "enabled=false"])).toEqual({
      count: 3,
      ratio: 0.5,
      enabled: false,
    });
  });
  it("refuses a fraction for an integer and text for a number", () => {
    expect(codeOf(() => build(["count=1.5"]))).toBe("ARGS_INVALID");
    expect(codeOf(() => build(["ratio=abc"]))).toBe("ARGS_INVALID");
    expect(codeOf(() => build(["enabled=yes"]))).toBe("ARGS_INVALID");
  });
  it("parses arrays and objects as JSON", () => {
    expect(build(['tags=["a","b"]', 'filter={"name":"x"}'])).toEqual({
      tags: ["a", "b"],
      filter: { name: "x" },
    });
    expect(codeOf(() => build(["filter={broken"]))).toBe("ARGS_INVALID");
  });
  it("builds an array from repeated pairs, coercing each item", () => {
    expect(build(["tags=a", "tags=42"])).toEqual({ tags: ["a", "42"] });
    expect(build(["sizes=1", "sizes=2.5"])).toEqual({ sizes: [1, 2.5] });
  });
  it("refuses a repeated scalar", () => {
    expect(codeOf(() => build(["id=a", "id=b"]))).toBe("ARGS_INVALID");
  });
  it("follows enum value types and unions", () => {
    expect(build(["level=high", "code=2", "maybe=null"])).toEqual({ level: "high", code: 2, maybe: null });
    expect(build(["maybe=4"])).toEqual({ maybe: 4 });
    expect(build(["either=plain", 'either2={"a":1}'.replace("either2", "anything")])).toEqual({
      either: "plain",
      anything: { a: 1 },
    });
    expect(build(['either={"a":1}'])).toEqual({ either: { a: 1 } });
  });
  it("infers JSON literals for properties the schema does not describe", () => {
    expect(build(["anything=12", "other=true", "text=hello"])).toEqual({
      anything: 12,
      other: true,
      text: "hello",
    });
  });
  it("takes raw JSON after :=", () => {
    expect(build(['id:="x"', "count:=5", 'extra:={"deep":[1]}'])).toEqual({
      id: "x",
      count: 5,
      extra: { deep: [1] },
    });
    expect(codeOf(() => build(["id:=nope"]))).toBe("ARGS_INVALID");
  });
  it("reads key=@file and coerces the contents; @@ escapes", () => {
    expect(
      build(["id=@id.txt", "filter=@filter.json"], undefined, {
        "id.txt": "0042",
        "filter.json": '{"name":"f"}',
      }),
    ).toEqual({
      id: "0042",
      filter: { name: "f" },
    });
    expect(build(["id=@@handle"])).toEqual({ id: "@handle" });
    expect(codeOf(() => build(["id=@missing.txt"]))).toBe("FILE_NOT_FOUND");
  });
  it("merges --args under the pairs", () => {
    expect(build(["count=2"], '{"count":1,"id":"a"}')).toEqual({ count: 2, id: "a" });
    expect(codeOf(() => build([], "[1,2]"))).toBe("ARGS_INVALID");
    expect(codeOf(() => build([], "{nope"))).toBe("ARGS_INVALID");
  });
  it("a word without = is a usage error", () => {
    expect(codeOf(() => build(["count"]))).toBe("USAGE");
    expect(codeOf(() => build(["=3"]))).toBe("USAGE");
  });
  it("names the argument and what was expected", () => {
    expect(() => build(["count=many"])).toThrow('argument "count": expected integer, got "many"');
  });
});

describe("schemaTypes", () => {
  it("reads type, enum, const and combinators", () => {
    expect([...schemaTypes({ type: ["string", "null"] })]).toEqual(["string", "null"]);
    expect([...schemaTypes({ const: 3 })]).toEqual(["integer"]);
    expect([...schemaTypes({ oneOf: [{ type: "boolean" }, { enum: ["a"] }] })]).toEqual([
      "boolean",
      "string",
    ]);
    expect([...schemaTypes({ properties: {} })]).toEqual(["object"]);
    expect(schemaTypes(true).size).toBe(0);
  });
  it("coerceValue without a schema keeps non-JSON text", () => {
    expect(coerceValue("k", "hello world", undefined)).toBe("hello world");
  });
});
