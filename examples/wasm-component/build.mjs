// Builds everything-tools.wasm from guest.js with ComponentizeJS (the engine behind
// `jco componentize`). The toolchain is about 385 MB, so it is not a dependency of the
// workspace: this script installs @bytecodealliance/jco into a cache directory on first use
// (npm registry only) and reuses it afterwards. The built .wasm is committed, so running the
// example never needs this script.
//
//   node examples/wasm-component/build.mjs [--toolchain-dir <dir>]
//
// Measured here: about 40 s and 800 MB of memory for a 12.5 MB component.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const JCO_VERSION = "1.35.0";
const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf("--toolchain-dir");
const toolchain =
  flag === -1
    ? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mcp-execution", `jco-${JCO_VERSION}`)
    : process.argv[flag + 1];

const jcoPackage = join(toolchain, "node_modules", "@bytecodealliance", "jco", "package.json");
if (!existsSync(jcoPackage)) {
  console.error(`installing @bytecodealliance/jco@${JCO_VERSION} into ${toolchain} (once)...`);
  mkdirSync(toolchain, { recursive: true });
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      toolchain,
      "--no-save",
      "--no-audit",
      "--no-fund",
      `@bytecodealliance/jco@${JCO_VERSION}`,
    ],
    { stdio: "inherit" },
  );
}

// Use the ComponentizeJS that jco itself depends on (npm may nest it under jco), and the WASI
// shim that ComponentizeJS resolves.
const componentizeDir = [
  join(dirname(jcoPackage), "node_modules", "@bytecodealliance", "componentize-js"),
  join(toolchain, "node_modules", "@bytecodealliance", "componentize-js"),
].find((candidate) => existsSync(join(candidate, "package.json")));
if (componentizeDir === undefined)
  throw new Error(`@bytecodealliance/componentize-js not found under ${toolchain}`);
const componentizePath = join(componentizeDir, "src", "componentize.js");
const fromComponentize = createRequire(componentizePath);
// Its bundled wasm-tools reads the WIT through WASI without preopened directories and fails
// with "os error 44"; preopening "/" (on the build machine, for the build only) fixes that.
const filesystem = await import(
  pathToFileURL(fromComponentize.resolve("@bytecodealliance/preview2-shim/filesystem")).href
);
filesystem._setPreopens({ "/": "/" });
const { componentize } = await import(pathToFileURL(componentizePath).href);

const started = Date.now();
const { component } = await componentize({
  sourcePath: join(here, "guest.js"),
  witPath: join(here, "..", "..", "wit"),
  worldName: "guest",
});
const output = join(here, "everything-tools.wasm");
writeFileSync(output, component);
console.error(
  `built ${output}: ${component.length} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
