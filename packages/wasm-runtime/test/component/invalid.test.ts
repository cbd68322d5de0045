import { afterAll, describe, expect, it } from "vitest";
import { executeComponent } from "../../src/component/index.js";
import { fixture, temporaryCache, testLimits } from "./helpers.js";

const cache = temporaryCache();
afterAll(() => cache.remove());

async function refusal(bytes: Uint8Array, filename = "guest.wasm") {
  const outcome = await executeComponent({
    component: bytes,
    filename,
    cacheDir: cache.dir,
    limits: testLimits(),
  });
  if (outcome.ok) throw new Error("expected COMPONENT_INVALID");
  expect(outcome.error.code).toBe("COMPONENT_INVALID");
  expect(outcome.stats.toolCalls).toBe(0);
  return outcome.error;
}

describe("malformed .wasm gives COMPONENT_INVALID", () => {
  it("bytes that are not WebAssembly", async () => {
    const error = await refusal(new TextEncoder().encode("export default 42;\n"), "script.wasm");
    expect(error.message).toBe(
      "script.wasm is not WebAssembly (it does not start with the \\0asm magic bytes)",
    );
  });

  it("an empty file", async () => {
    expect((await refusal(new Uint8Array(0))).message).toContain("is not WebAssembly");
  });

  it("a core module instead of a component", async () => {
    const error = await refusal(fixture("core-module"), "core.wasm");
    expect(error.message).toMatch(/^core\.wasm is a core WebAssembly module, not a component/);
    expect(error.details).toMatchObject({ layer: "core-module" });
  });

  it("an unknown WebAssembly version", async () => {
    const bytes = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0e, 0x00, 0x01, 0x00]);
    expect((await refusal(bytes)).message).toContain("unknown WebAssembly version or layer (0e 00 01 00)");
  });

  it("a component using legacy exception handling (which could catch the host's limit stops), with the transpiler's reason", async () => {
    const error = await refusal(fixture("swallow-stop"), "swallow.wasm");
    expect(error.message).toMatch(/^swallow\.wasm is not a valid WebAssembly component: .*legacy_exceptions/);
  });

  it("a truncated component, with the transpiler's reason", async () => {
    const whole = fixture("ok");
    const error = await refusal(whole.subarray(0, Math.floor(whole.length / 2)), "half.wasm");
    expect(error.message).toMatch(/^half\.wasm is not a valid WebAssembly component: ./);
    expect(error.details).toMatchObject({ file: "half.wasm" });
  });
});

describe("a component with the wrong world gives COMPONENT_INVALID", () => {
  it("no run export", async () => {
    const error = await refusal(fixture("wrong-export"));
    expect(error.message).toMatch(/^the component does not export run \(it exports hello \(function\)\)/);
    expect(error.message).toContain("world mcp:tools/guest@0.1.0");
  });

  it("run with a parameter", async () => {
    const error = await refusal(fixture("run-with-param"));
    expect(error.message).toContain("the component's run has the wrong signature");
    expect(error.details).toMatchObject({ run: "run(n: number): string," });
  });

  it("run returning a number", async () => {
    const error = await refusal(fixture("run-returns-number"));
    expect(error.details).toMatchObject({ run: "run(): number," });
  });

  it("an import the sandbox does not provide", async () => {
    const error = await refusal(fixture("unknown-import"));
    expect(error.message).toMatch(
      /^the component imports fixture:net\/socket@0\.1\.0, which the sandbox does not provide/,
    );
  });

  it("the host interface with a different call-tool signature", async () => {
    const error = await refusal(fixture("wrong-host"));
    expect(error.message).toContain("imports mcp:tools/host callTool with a different signature");
  });

  it("a future version of the host interface", async () => {
    const error = await refusal(fixture("future-host"));
    expect(error.message).toMatch(
      /^the component imports mcp:tools\/host@0\.2\.0, a version this host does not serve/,
    );
  });
});
