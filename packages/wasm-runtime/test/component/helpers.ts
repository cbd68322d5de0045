import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveLimits, type SandboxLimits } from "@mcp-execution/core";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The bytes of a committed fixture component (see fixtures/build.mjs). */
export function fixture(name: string): Uint8Array {
  return readFileSync(join(fixtures, `${name}.wasm`));
}

/** The committed example guest (examples/wasm-component). */
export const EXAMPLE_COMPONENT = fileURLToPath(
  new URL("../../../../examples/wasm-component/everything-tools.wasm", import.meta.url),
);

/** Small limits so that tests hit them quickly. */
export function testLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  return resolveLimits("strict", {
    timeoutMs: 10_000,
    memoryBytes: 32 * 1024 * 1024,
    maxToolCalls: 10,
    maxOutputBytes: 16 * 1024,
    ...overrides,
  });
}

/** A temporary cache directory and its removal. */
export function temporaryCache(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "mcp-component-cache-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
