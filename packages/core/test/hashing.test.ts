import { describe, expect, it } from "vitest";
import {
  blake3Hex,
  canonicalJson,
  createBlake3Hasher,
  diffFingerprints,
  digestsEqual,
  isFingerprintDiffEmpty,
  McpCliError,
  type ToolFingerprint,
} from "../src/index.js";

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([undefined, "x"])).toBe('[null,"x"]');
  });

  it("refuses values JSON cannot hold", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, Number.NaN, Number.POSITIVE_INFINITY, 10n, () => 1, Symbol("s")]) {
      expect(() => canonicalJson(value)).toThrow(McpCliError);
    }
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
  });
});

describe("blake3", () => {
  it("matches the published test vector for 'abc'", async () => {
    expect(await blake3Hex("abc")).toBe("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
  });

  it("streams input larger than the one-shot limit of blake3-wasm", async () => {
    const hasher = await createBlake3Hasher();
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    for (let i = 0; i < 12; i++) hasher.update(chunk);
    expect(hasher.digestHex()).toMatch(/^[0-9a-f]{64}$/);
    expect(() => hasher.digestHex()).toThrow(/already finished/);
  });

  it("hashes one update larger than blake3-wasm's 8 MiB copy limit (regression)", async () => {
    const big = new Uint8Array(20 * 1024 * 1024).fill(7);
    const sliced = await createBlake3Hasher();
    for (let offset = 0; offset < big.length; offset += 3 * 1024 * 1024)
      sliced.update(big.subarray(offset, offset + 3 * 1024 * 1024));
    expect(await blake3Hex(big)).toBe(sliced.digestHex());
    expect(await blake3Hex("x".repeat(9 * 1024 * 1024))).toMatch(/^[0-9a-f]{64}$/);
  });

  it("compares digests exactly", () => {
    expect(digestsEqual("ab", "ab")).toBe(true);
    expect(digestsEqual("ab", "ac")).toBe(false);
    expect(digestsEqual("ab", "abc")).toBe(false);
  });
});

describe("fingerprint diff", () => {
  const fingerprint = (tools: Record<string, string>): ToolFingerprint => ({
    algorithm: "blake3",
    digest: canonicalJson(tools),
    tools,
  });

  it("reports tools added, removed and changed", () => {
    const diff = diffFingerprints(
      fingerprint({ a: "1", b: "2", c: "3" }),
      fingerprint({ a: "1", b: "9", d: "4" }),
    );
    expect(diff).toEqual({ added: ["d"], removed: ["c"], changed: ["b"] });
    expect(isFingerprintDiffEmpty(diff)).toBe(false);
    expect(isFingerprintDiffEmpty(diffFingerprints(fingerprint({ a: "1" }), fingerprint({ a: "1" })))).toBe(
      true,
    );
  });
});
