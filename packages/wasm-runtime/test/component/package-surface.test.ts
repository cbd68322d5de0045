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
      types: "./dist/component/index.d.ts",
      default: "./dist/component/index.js",
    });
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
