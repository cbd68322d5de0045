import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JCO_TRANSPILE_VERSION } from "../../src/component/index.js";

const packageDir = fileURLToPath(new URL("../../", import.meta.url));

describe("the component subpath", () => {
  it("pins the transpiler version that is installed", () => {
    const entry = createRequire(join(packageDir, "package.json")).resolve("@bytecodealliance/jco-transpile");
    const manifest = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as {
      version: string;
    };
    expect(manifest.version).toBe(JCO_TRANSPILE_VERSION);
    const own = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      exports: Record<string, unknown>;
    };
    expect(own.dependencies["@bytecodealliance/jco-transpile"]).toBe(JCO_TRANSPILE_VERSION);
    expect(own.exports["./component"]).toEqual({
      "mcp-execution-source": "./src/component/index.ts",
      types: "./dist/component/index.d.ts",
      default: "./dist/component/index.js",
    });
  });

  it("runs a component from a host started with Node flags such as --input-type (regression: the Worker inherited them and refused to start)", () => {
    const script = `
      import { readFileSync } from "node:fs";
      import { resolveLimits } from "@mcp-execution/core";
      import { executeComponent } from "@mcp-execution/wasm-runtime/component";
      import { tmpdir } from "node:os";
      import { mkdtempSync, rmSync } from "node:fs";
      import { join } from "node:path";
      const cacheDir = mkdtempSync(join(tmpdir(), "mcp-component-flags-"));
      try {
        const outcome = await executeComponent({
          component: readFileSync("test/component/fixtures/ok.wasm"),
          cacheDir,
          limits: resolveLimits("strict"),
        });
        process.stdout.write(JSON.stringify(outcome.ok ? outcome.result : outcome.error));
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: packageDir,
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual({ answer: 42 });
  });

  it("does not load jco until a component is prepared (importing the entry resolves no jco module)", () => {
    // A resolve hook in a child process records every specifier; the built entry is imported by
    // its package name through the exports map, as the CLI will.
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier.includes("jco-transpile")) process.stdout.write("RESOLVED " + specifier + "\\n");
      return next(specifier, context);
    }`;
    const script = `
      import { register } from "node:module";
      register("data:text/javascript,${encodeURIComponent(hook)}");
      const entry = await import("@mcp-execution/wasm-runtime/component");
      process.stdout.write("EXPORTS " + Object.keys(entry).sort().join(",") + "\\n");
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: packageDir,
      encoding: "utf8",
    });
    expect(output).toContain("EXPORTS ");
    expect(output).toContain("executeComponent");
    expect(output).not.toContain("RESOLVED");
  });
});
