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
    expect(build(["anything=12", "anything2=x".replace("anything2", "either")])).toEqual({
      anything: 12,
      either: "x",
    });
    const open = { type: "object", properties: { a: { type: "string" } }, additionalProperties: true };
    expect(
      buildCallArguments({ pairs: ["other=true", "text=hello"], inputSchema: open, readFile: () => "" }),
    ).toEqual({ other: true, text: "hello" });
    expect(
      buildCallArguments({ pairs: ["x=1", "y=a"], inputSchema: { type: "object" }, readFile: () => "" }),
    ).toEqual({ x: 1, y: "a" });
  });
  it("takes raw JSON after :=", () => {
    expect(build(['id:="x"', "count:=5", 'filter:={"deep":[1]}'])).toEqual({
      id: "x",
      count: 5,
      filter: { deep: [1] },
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

// Shapes of real servers' schemas: filesystem's edit_file, a string|number value, a kubernetes-style
// namespace with a default.
const shapes = {
  type: "object",
  properties: {
    path: { type: "string" },
    value: { type: ["string", "number"] },
    note: { anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] },
    count: { type: "integer" },
    label: { type: ["string", "integer"] },
    edits: {
      type: "array",
      items: {
        type: "object",
        properties: { oldText: { type: "string" }, newText: { type: "string" }, line: { type: "integer" } },
        required: ["oldText", "newText"],
        additionalProperties: false,
      },
    },
    options: {
      type: "object",
      properties: { depth: { type: "integer" }, "dotted.name": { type: "boolean" } },
    },
    labels: { type: "object", additionalProperties: { type: "number" } },
    "a.b": { type: "integer" },
    // Computed, so that the literal gets an own property named __proto__ (not a prototype).
    ["__proto__"]: { type: "string" },
  },
  required: ["path"],
  additionalProperties: false,
} as const;

function shaped(pairs: string[], json?: string): Record<string, unknown> {
  return buildCallArguments({
    pairs,
    ...(json === undefined ? {} : { json }),
    inputSchema: JSON.parse(JSON.stringify(shapes)),
    readFile: () => "",
  });
}

function errorOf(action: () => unknown): McpCliError {
  try {
    action();
  } catch (error) {
    if (error instanceof McpCliError) return error;
    throw error;
  }
  throw new Error("expected an McpCliError");
}

describe("coercion when the schema allows several types", () => {
  it("a value that parses as an allowed non-string type becomes that type", () => {
    expect(shaped(["value=500"])).toEqual({ value: 500 });
    expect(shaped(["value=five hundred"])).toEqual({ value: "five hundred" });
    expect(shaped(["note=true", "label=7"])).toEqual({ note: true, label: 7 });
    expect(shaped(["note=12.5"])).toEqual({ note: 12.5 });
    // An integer-or-string property keeps a fraction as text rather than refusing it.
    expect(shaped(["label=1.5"])).toEqual({ label: "1.5" });
    // Leading zeros are not a JSON number: the text is kept.
    expect(shaped(["value=007"])).toEqual({ value: "007" });
  });
  it("a value in JSON double quotes is always a string; := is always JSON", () => {
    expect(shaped(['value="500"'])).toEqual({ value: "500" });
    expect(shaped(['note="true"'])).toEqual({ note: "true" });
    expect(shaped(['path="a b"'])).toEqual({ path: "a b" });
    expect(shaped(["value:=500", 'note:="x"'])).toEqual({ value: 500, note: "x" });
  });
});

describe("dotted keys", () => {
  it("set nested fields and array items by index, coerced by the nested schema", () => {
    expect(
      shaped([
        "path=a.txt",
        "edits.0.oldText=foo",
        "edits.0.newText=bar",
        "edits.0.line=3",
        "edits.1.oldText=1",
        "edits.1.newText=2",
        "options.depth=4",
        "labels.cpu=0.5",
      ]),
    ).toEqual({
      path: "a.txt",
      edits: [
        { oldText: "foo", newText: "bar", line: 3 },
        { oldText: "1", newText: "2" },
      ],
      options: { depth: 4 },
      labels: { cpu: 0.5 },
    });
  });
  it("a property whose name contains a dot is reached whole", () => {
    expect(shaped(["a.b=3", "options.dotted.name=true"])).toEqual({
      "a.b": 3,
      options: { "dotted.name": true },
    });
  });
  it("merge into --args", () => {
    expect(shaped(["edits.0.newText=new"], '{"path":"p","edits":[{"oldText":"old"}]}')).toEqual({
      path: "p",
      edits: [{ oldText: "old", newText: "new" }],
    });
  });
  it("refuse a skipped index, a non-index for an array, a repeated field and a scalar in the way", () => {
    expect(errorOf(() => shaped(["edits.1.oldText=x"])).message).toBe(
      'argument "edits.1.oldText": index 1 in "edits" skips items: the next item is 0',
    );
    expect(errorOf(() => shaped(["edits.first.oldText=x"])).message).toContain(
      '"first" in "edits" must be an array index',
    );
    expect(errorOf(() => shaped(["edits.0.oldText=x", "edits.0.oldText=y"])).message).toContain(
      "given more than once",
    );
    expect(errorOf(() => shaped(["path=x", "path.deeper=y"])).code).toBe("ARGS_INVALID");
    expect(errorOf(() => shaped(["options..depth=1"])).message).toContain("empty segment");
  });
  it("refuse __proto__, constructor and prototype segments, and paths deeper than 16", () => {
    for (const key of ["labels.__proto__.polluted", "labels.constructor", "labels.prototype"]) {
      const error = errorOf(() => shaped([`${key}=1`]));
      expect(error.code).toBe("ARGS_INVALID");
      expect(error.message).toContain("is not allowed in a dotted name");
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    const open = { type: "object" };
    const deep = Array.from({ length: 17 }, (_, index) => `k${index}`).join(".");
    const error = errorOf(() =>
      buildCallArguments({ pairs: [`${deep}=1`], inputSchema: open, readFile: () => "" }),
    );
    expect(error.message).toContain("nested deeper than 16 levels");
    expect(errorOf(() => shaped([`${"x".repeat(600)}=1`])).message).toContain("longer than 512 characters");
  });
  it("a listed property named __proto__ becomes an own property, not the prototype", () => {
    const args = shaped(["__proto__=x"]);
    expect(Object.hasOwn(args, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(JSON.stringify(args)).toBe('{"__proto__":"x"}');
  });
});

describe("unknown argument names", () => {
  it("regression: paht= is refused with a did-you-mean instead of being dropped", () => {
    const error = errorOf(() => shaped(["paht=/tmp/x"]));
    expect(error.code).toBe("ARGS_INVALID");
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('unknown argument "paht"; did you mean "path"?');
    expect(error.details).toMatchObject({ argument: "paht", suggestion: "path" });
  });
  it("inside nested objects too, with the full path", () => {
    const error = errorOf(() => shaped(["edits.0.oldTxt=x"]));
    expect(error.message).toContain('unknown argument "edits.0.oldTxt"; did you mean "edits.0.oldText"?');
  });
  it("a schema with many properties lists 40 of them and the count", () => {
    const properties = Object.fromEntries(
      Array.from({ length: 100 }, (_, index) => [`p${index}`, { type: "string" }]),
    );
    const error = errorOf(() =>
      buildCallArguments({
        pairs: ["zzzz=1"],
        inputSchema: { type: "object", properties },
        readFile: () => "",
      }),
    );
    expect(error.message).toMatch(/p38, p39, \.\.\. \(100 in all\)$/);
    expect(error.details?.valid).toHaveLength(100);
  });
  it("no suggestion when nothing is close", () => {
    expect(errorOf(() => shaped(["zzzzzzzz=1"])).message).toMatch(
      /^unknown argument "zzzzzzzz" The tool accepts: path, value/,
    );
  });
});
