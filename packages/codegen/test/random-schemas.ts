/**
 * Seeded random JSON Schemas mixing every construct the converter handles, nested and combined in
 * ways no hand-written fixture does (refs inside tuples inside unions, closing constraints beside
 * compositions, odd keys). Deterministic: the same seed gives the same schemas.
 */
import type { JsonSchema, ServerManifest, ToolDescriptor } from "@mcp-execution/core";

const KEYS = [
  "a",
  "b",
  "my-key",
  "",
  "__proto__",
  "constructor",
  "x y",
  "*/",
  "1",
  "é",
  "toString",
  "$ref",
  "\u2028",
];

export function randomManifest(seed: number, toolCount: number): ServerManifest {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  const schema = (depth: number, defs: Record<string, JsonSchema>): JsonSchema => {
    if (depth > 4) return pick<JsonSchema>([{ type: "string" }, true, {}, { type: "integer" }]);
    const next = () => schema(depth + 1, defs);
    switch (Math.floor(random() * 16)) {
      case 0:
        return {
          type: pick(["string", "number", "integer", "boolean", "null", "weird"]),
          description: pick(["d */ x", "text", "@tag"]),
        };
      case 1: {
        const properties: Record<string, JsonSchema> = {};
        for (let index = Math.floor(random() * 4); index > 0; index--) properties[pick(KEYS)] = next();
        const required = Object.keys(properties).filter(() => random() < 0.5);
        if (random() < 0.2) required.push("extra");
        const object: Record<string, unknown> = { type: "object", properties, required };
        if (random() < 0.3) object.additionalProperties = random() < 0.5 ? false : next();
        return object;
      }
      case 2:
        return { type: "array", items: next() };
      case 3: {
        const tuple: Record<string, unknown> = { type: "array", prefixItems: [next(), next()] };
        if (random() < 0.5) tuple.items = random() < 0.5 ? false : next();
        if (random() < 0.5) tuple.minItems = Math.floor(random() * 3);
        if (random() < 0.3) tuple.maxItems = Math.floor(random() * 3);
        return tuple;
      }
      case 4:
        return { anyOf: [next(), next()] };
      case 5:
        return { oneOf: [next(), next(), next()] };
      case 6:
        return { allOf: [next(), next()] };
      case 7:
        return {
          enum: [
            pick<unknown>(["a", 1, null, true, { x: 1 }, [1], "q\"'"]),
            pick<unknown>(["b", 2.5, -1, false]),
          ],
        };
      case 8:
        return { const: pick<unknown>(["c", 0, null, { "a-b": [null] }, []]) };
      case 9:
        return {
          type: pick([["string", "null"], ["object", "null"], ["array", "integer"], []]),
          properties: { p: next() },
          items: next(),
        };
      case 10: {
        const name = pick(["A", "B", "C", "Node", "a/b"]);
        defs[name] ??= next();
        return { $ref: `#/$defs/${name.replace("/", "~1")}` };
      }
      case 11:
        return { $ref: pick(["#", "#/$defs/Missing", "http://x/y.json", "#/properties"]) };
      case 12:
        return { type: "object", patternProperties: { "^x": next() }, properties: { q: next() } };
      case 13:
        return { type: "string", nullable: true, format: "uri", default: "x */", examples: ["e"] };
      case 14:
        return { type: "object", additionalProperties: false, allOf: [next()], anyOf: [{ required: ["a"] }] };
      default:
        return pick<JsonSchema>([false, true, {}, { not: {} }]);
    }
  };

  const tools: ToolDescriptor[] = [];
  for (let index = 0; index < toolCount; index++) {
    const defs: Record<string, JsonSchema> = {};
    const input = schema(0, defs);
    const output = random() < 0.5 ? schema(0, {}) : undefined;
    tools.push({
      name: `t${index}`,
      description: "random",
      inputSchema: typeof input === "object" ? { ...input, $defs: defs } : input,
      ...(output === undefined ? {} : { outputSchema: output }),
    });
  }
  return {
    server: "random",
    serverInfo: { name: "random", version: "1" },
    protocolVersion: "2025-11-25",
    capabilities: {},
    tools,
    fingerprint: { algorithm: "blake3", digest: "0".repeat(64), tools: {} },
  };
}
