/**
 * Listings and schemas from hostile stdio servers are bounded: a server that paginates forever,
 * a schema bomb, a schema nested too deeply.
 */
import { afterAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually } from "../../../test/fixtures/servers/harness.mjs";
import { connectServer, type ServerConnection } from "../src/index.js";
import { introspect, listAllTools } from "../src/introspect.js";
import { DEFAULT_LISTING_LIMITS } from "../src/listing-budget.js";
import { fixtureConfig } from "./configs.js";
import { failure } from "./outcomes.js";

afterAll(async () => {
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

async function withServer<T>(
  fixture: string,
  args: string[],
  use: (connection: ServerConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectServer(fixtureConfig(fixture, args), { environment: process.env });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

describe("a server that paginates forever", () => {
  it("is stopped after the default page limit with LIMIT_SIZE", async () => {
    const error = await withServer("endless-pages", [], (connection) => failure(listAllTools(connection)));
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({
      server: "endless-pages",
      method: "tools/list",
      limit: "pages",
      max: DEFAULT_LISTING_LIMITS.maxPages,
    });
  });

  it("is stopped by the item limit", async () => {
    const error = await withServer("endless-pages", ["--page-size", "50"], (connection) =>
      failure(listAllTools(connection, { listing: { maxItems: 120 } })),
    );
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ limit: "items", max: 120 });
  });

  it("is stopped by the byte limit, counted over all pages", async () => {
    const error = await withServer("endless-pages", ["--description-bytes", "100000"], (connection) =>
      failure(listAllTools(connection, { listing: { maxBytes: 1_000_000 } })),
    );
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ limit: "bytes", max: 1_000_000 });
  });

  it("fails introspect with LIMIT_SIZE, limits passed through its options", async () => {
    const error = await withServer("endless-pages", [], (connection) =>
      failure(introspect(connection, { listing: { maxPages: 5 } })),
    );
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.details).toMatchObject({ method: "tools/list", limit: "pages", max: 5 });
  });
});

describe("hostile schemas", () => {
  it("keeps a 477 KB schema bomb to a bounded manifest, and its neighbour intact", async () => {
    const manifest = await withServer("schema-bomb", [], (connection) => introspect(connection));
    const text = JSON.stringify(manifest);
    // The input alone is 477 KB; expansion adds at most 1 MiB per schema.
    expect(text.length).toBeLessThan(477_528 + 1024 * 1024 + 100_000);
    const bomb = manifest.tools.find((tool) => tool.name === "bomb");
    const schemaText = JSON.stringify(bomb?.inputSchema);
    // What was not inlined is still a reference, and its definition is kept.
    expect(schemaText).toContain('"$ref":"#/$defs/D');
    expect(manifest.tools.find((tool) => tool.name === "fine")?.inputSchema).toEqual({
      type: "object",
      properties: { x: { type: "string" } },
    });
    expect(manifest.fingerprint.tools.bomb).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a schema nested 20,000 levels deep with LIMIT_SIZE naming the tool, without overflowing the stack", async () => {
    const error = await withServer("schema-bomb", ["--deep", "20000"], (connection) =>
      failure(listAllTools(connection)),
    );
    expect(error.code).toBe("LIMIT_SIZE");
    expect(error.message).toContain('tool "deep"');
    expect(error.details).toMatchObject({ server: "schema-bomb", tool: "deep", limit: "schemaDepth" });
  });
});
