#!/usr/bin/env node
/**
 * Packs mcp-cli into one installable tarball: `pnpm pack:cli` (after `pnpm build`).
 *
 * The workspace packages are bundled into the tarball with esbuild (code splitting keeps the lazy
 * `import()`s lazy: `execute` loads the sandbox only when it runs). The executable is a separate,
 * small CommonJS file (`dist/bin.cjs`): `--version` and the daemon's fast client load nothing else. Third-party dependencies stay ordinary npm dependencies, declared with the ranges the
 * workspace packages use, so `npm i -g <tarball>` installs them from the registry. Two exceptions
 * are bundled as well: blake3-wasm 3.0.0 pins a version of its helper package that was never
 * published (the workspace fixes it with a pnpm override, which npm would not apply to an
 * installed package), so its JavaScript goes into the bundle and its .wasm next to it.
 *
 * Output: `.pack/mcp-execution-cli-<version>.tgz` (path printed on stdout, nothing else), built
 * from the staging folder `.pack/cli/`. Files shipped: package.json, README.md, LICENSE (when the
 * repository has one) and dist/ (bundle, chunks, worker entries, blake3.wasm). No source maps,
 * no .tsbuildinfo, no tests.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDirectory = join(root, "packages");
const stage = join(root, ".pack", "cli");
const out = join(stage, "dist");

/**
 * Third-party packages whose code goes into the bundle instead of the dependency list: blake3 (see
 * above), and the small parsers every command loads at start, where one bundled ES module costs a
 * fraction of Node resolving and wrapping their CommonJS/UMD files (measured in benches/cli.bench.mjs:
 * jsonc-parser's UMD build alone took longer to import than a bare Node start).
 */
const INLINED = new Set(["blake3-wasm", "@c4312/blake3-internal", "jsonc-parser", "commander"]);

/**
 * Worker entry files, bundled as entries of their own, each at the path the code looks for it
 * relative to the bundle's directory (`workerScript` in wasm-runtime looks for each entry beside the
 * module that starts it; in the bundle every file sits in dist/, so the names must differ).
 */
const WORKER_ENTRIES = [
  {
    package: "wasm-runtime",
    file: "dist/component/component-worker-entry.js",
    out: "component-worker-entry",
  },
  // execute --check's compiler worker (codegen's type-check.ts looks for ./type-check-worker.js).
  { package: "codegen", file: "dist/type-check-worker.js", out: "type-check-worker" },
];

/**
 * The QuickJS sandbox worker's entry, bundled apart: one self-contained file with
 * quickjs-emscripten-core and the QuickJS variant's JavaScript inlined and no chunk shared with the
 * main bundle, plus one chunk of its own for sucrase, which the worker imports only when a run
 * needs TypeScript transpiled (or in idle time). Every cold `execute` starts this worker, and one
 * file it reads and compiles in a single step costs a fraction of resolving and loading sucrase's
 * ~70 CommonJS files and the chunks one by one; keeping sucrase's 770 KB out of that file spares
 * a run that does not need it from compiling them (both measured in benches/cli.bench.mjs). The
 * variant package stays a dependency: the main thread reads its .wasm from there.
 */
const SANDBOX_WORKER_ENTRY = {
  package: "wasm-runtime",
  file: "dist/quickjs-worker-entry.js",
  // CommonJS: a worker whose entry is an ES module starts Node's ES module loader first. The
  // handle (quickjs-worker-handle.ts) is told the name through __MCP_SANDBOX_WORKER_ENTRY__.
  out: "quickjs-worker-entry.cjs",
};

/** Where code bundled as CommonJS finds `import.meta.url` (its own file's URL). */
const commonJsBanner = 'const __mcpImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';

/** Defines for every bundle that holds wasm-runtime's worker handle. */
const handleDefines = { __MCP_SANDBOX_WORKER_ENTRY__: JSON.stringify(`./${SANDBOX_WORKER_ENTRY.out}`) };

/** bin.cjs's early sandbox start for `execute`, beside it in dist/. */
const PRESTART_FILE = "prestart.cjs";

/** The file the worker entry imports sucrase from, beside it in dist/. */
const SANDBOX_SUCRASE_FILE = "sandbox-sucrase.cjs";

/** Leaves the worker entry's `import("sucrase")` a real import of {@link SANDBOX_SUCRASE_FILE}. */
const sucraseApart = {
  name: "sucrase-apart",
  setup(builder) {
    builder.onResolve({ filter: /^sucrase$/ }, () => ({ path: `./${SANDBOX_SUCRASE_FILE}`, external: true }));
  },
};

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

const workspace = new Map();
for (const name of readdirSync(packagesDirectory)) {
  const manifestPath = join(packagesDirectory, name, "package.json");
  if (existsSync(manifestPath))
    workspace.set(name, { directory: join(packagesDirectory, name), manifest: readJson(manifestPath) });
}
const workspaceNames = new Set([...workspace.values()].map((entry) => entry.manifest.name));

/** The union of the third-party dependencies of the packages the CLI bundles. */
function collectDependencies() {
  const seen = new Set();
  const dependencies = new Map();
  const visit = (packageName) => {
    if (seen.has(packageName)) return;
    seen.add(packageName);
    const entry = [...workspace.values()].find((candidate) => candidate.manifest.name === packageName);
    if (!entry) throw new Error(`pack-cli: workspace package ${packageName} not found`);
    for (const [dependency, range] of Object.entries(entry.manifest.dependencies ?? {})) {
      if (workspaceNames.has(dependency)) {
        visit(dependency);
        continue;
      }
      if (INLINED.has(dependency)) continue;
      const previous = dependencies.get(dependency);
      if (previous !== undefined && previous.range !== range) {
        throw new Error(
          `pack-cli: ${dependency} is declared as ${previous.range} by ${previous.by} and as ${range} by ${packageName}; align them`,
        );
      }
      dependencies.set(dependency, { range, by: packageName });
    }
  };
  visit("@mcp-execution/cli");
  return Object.fromEntries(
    [...dependencies].sort(([a], [b]) => a.localeCompare(b)).map(([name, { range }]) => [name, range]),
  );
}

const dependencies = collectDependencies();
const requireFromCore = createRequire(join(workspace.get("core").directory, "package.json"));
const jsoncParserModule = join(dirname(requireFromCore.resolve("jsonc-parser")), "..", "esm", "main.js");
const external = Object.keys(dependencies);

const cli = workspace.get("cli");
// The full CLI (run-main.js) is the ES module entry; bin.cjs (built below) loads it with import().
const entryPoints = [{ in: join(cli.directory, "dist", "run-main.js"), out: "run-main" }];
for (const worker of WORKER_ENTRIES) {
  const path = join(workspace.get(worker.package).directory, worker.file);
  if (!existsSync(path))
    throw new Error(`pack-cli: worker entry ${relative(root, path)} is missing; run pnpm build first`);
  entryPoints.push({ in: path, out: worker.out });
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// CommonJS code inside an ES module bundle needs `require`, `__filename` and `__dirname`; every
// output file sits directly in dist/, so one banner is right for entries and chunks alike.
const banner = [
  'import { createRequire as __mcpCreateRequire } from "node:module";',
  'import { fileURLToPath as __mcpFileURLToPath } from "node:url";',
  "const require = __mcpCreateRequire(import.meta.url);",
  "const __filename = __mcpFileURLToPath(import.meta.url);",
  'const __dirname = __mcpFileURLToPath(new URL(".", import.meta.url));',
].join("\n");

/** jsonc-parser's "main" is a UMD wrapper; its ES module build (the "module" field) bundles into plain code. */
const jsoncParserAsModule = {
  name: "jsonc-parser-as-module",
  setup(builder) {
    builder.onResolve({ filter: /^jsonc-parser$/ }, () => ({ path: jsoncParserModule }));
  },
};

await build({
  entryPoints,
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  chunkNames: "chunk-[hash]",
  define: handleDefines,
  banner: { js: banner },
  logLevel: "warning",
  legalComments: "none",
  plugins: [
    jsoncParserAsModule,
    {
      name: "third-party-external",
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith("node:")) return { path: args.path, external: true };
          const name = args.path.startsWith("@")
            ? args.path.split("/").slice(0, 2).join("/")
            : args.path.split("/")[0];
          if (external.includes(name)) return { path: args.path, external: true };
          return undefined;
        });
      },
    },
  ],
});

// The executable: bin.js bundled as one CommonJS file, because Node starts a CommonJS entry faster
// than an ES module one (measured in benches/cli.bench.mjs). It holds only what `--version` and the
// daemon's fast client need, with the version inlined so `--version` reads no file; run-main.js
// (the ES module bundle above) stays an import() of the file beside it.
await build({
  entryPoints: [join(cli.directory, "dist", "bin.js")],
  outfile: join(out, "bin.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  define: { __MCP_CLI_VERSION__: JSON.stringify(cli.manifest.version) },
  external: ["./run-main.js", `./${PRESTART_FILE}`],
  logLevel: "warning",
  // The workspace reads the version from package.json through import.meta.url; that branch is
  // dead once the version is inlined.
  logOverride: { "empty-import-meta": "silent" },
  legalComments: "none",
  plugins: [
    {
      name: "builtins-only",
      setup(builder) {
        // The entry must not pull a package in: everything but node: builtins and its own files
        // would be parsed on every start.
        builder.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("node:")
            ? { path: args.path, external: true }
            : { errors: [{ text: `bin.cjs must not import ${args.path}` }] },
        );
        // An `execute`'s early sandbox start is a file of its own, read only by that command.
        builder.onResolve({ filter: /^\.\/execution-prestart\.js$/ }, () => ({
          path: `./${PRESTART_FILE}`,
          external: true,
        }));
      },
    },
  ],
});

// bin.ts import()s execution-prestart.js (the workspace runs it as an ES module); esbuild keeps an
// external import() as it is, and an import() goes through Node's ES module loader even for a
// CommonJS file: the few milliseconds its start costs are the ones this file is there to save.
{
  const binPath = join(out, "bin.cjs");
  const binText = readFileSync(binPath, "utf8");
  const prestartImport = `import("./${PRESTART_FILE}")`;
  if (binText.split(prestartImport).length !== 2)
    throw new Error(`pack-cli: expected bin.cjs to import ./${PRESTART_FILE} exactly once`);
  writeFileSync(binPath, binText.replace(prestartImport, `Promise.resolve(require("./${PRESTART_FILE}"))`));
}

// The early sandbox start of `execute` (cli's execution-prestart.ts with wasm-runtime's prestart
// chain), as CommonJS beside bin.cjs: bin.cjs requires it before the ES module bundle loads, so the
// sandbox worker starts that much earlier (the first import() of an ES module alone costs several
// milliseconds; measured in benches/cli.bench.mjs). The bundle's executor adopts the worker through
// the process-wide slot in wasm-runtime's prestart.ts, which both copies of that module share.
await build({
  entryPoints: [join(cli.directory, "dist", "execution-prestart.js")],
  outfile: join(out, PRESTART_FILE),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  // The worker entry and the QuickJS .wasm are found relative to the module that starts the worker.
  define: { "import.meta.url": "__mcpImportMetaUrl", ...handleDefines },
  banner: { js: commonJsBanner },
  logLevel: "warning",
  legalComments: "none",
  plugins: [
    {
      name: "workspace-and-builtins-only",
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("node:") || args.path.startsWith("@mcp-execution/")
            ? args.path.startsWith("node:")
              ? { path: args.path, external: true }
              : undefined
            : { errors: [{ text: `${PRESTART_FILE} must not import ${args.path}` }] },
        );
      },
    },
  ],
});

const sandboxWorkerEntry = join(
  workspace.get(SANDBOX_WORKER_ENTRY.package).directory,
  SANDBOX_WORKER_ENTRY.file,
);
if (!existsSync(sandboxWorkerEntry))
  throw new Error(
    `pack-cli: worker entry ${relative(root, sandboxWorkerEntry)} is missing; run pnpm build first`,
  );
await build({
  entryPoints: [sandboxWorkerEntry],
  outfile: join(out, SANDBOX_WORKER_ENTRY.out),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  // The one import() left is sucrase's file: a require, so the worker never starts Node's ES module loader.
  supported: { "dynamic-import": false },
  define: {
    "import.meta.url": "__mcpImportMetaUrl",
    // The synchronous fallback of transpile.ts's loadTranspilerNow reads the same file.
    __MCP_SANDBOX_SUCRASE__: JSON.stringify(`./${SANDBOX_SUCRASE_FILE}`),
  },
  banner: { js: commonJsBanner },
  logLevel: "warning",
  legalComments: "none",
  plugins: [jsoncParserAsModule, sucraseApart],
});
// sucrase, bundled into a file of its own beside the worker entry (see SANDBOX_WORKER_ENTRY).
await build({
  stdin: {
    contents: 'export { transform } from "sucrase";',
    resolveDir: workspace.get(SANDBOX_WORKER_ENTRY.package).directory,
    sourcefile: "sandbox-sucrase.js",
  },
  outfile: join(out, SANDBOX_SUCRASE_FILE),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  logLevel: "warning",
  legalComments: "none",
});

// blake3-wasm's emscripten loader reads blake3.wasm from its own directory (__dirname).
const blake3Main = requireFromCore.resolve("blake3-wasm");
copyFileSync(join(dirname(blake3Main), "..", "wasm", "blake3.wasm"), join(out, "blake3.wasm"));

chmodSync(join(out, "bin.cjs"), 0o755);

const cliManifest = cli.manifest;
const packed = {
  name: cliManifest.name,
  version: cliManifest.version,
  description: cliManifest.description,
  license: cliManifest.license,
  type: "module",
  engines: cliManifest.engines,
  bin: { "mcp-cli": "./dist/bin.cjs" },
  files: ["dist"],
  dependencies,
};
writeFileSync(join(stage, "package.json"), `${JSON.stringify(packed, null, 2)}\n`);
copyFileSync(join(root, "README.md"), join(stage, "README.md"));
if (existsSync(join(root, "LICENSE"))) copyFileSync(join(root, "LICENSE"), join(stage, "LICENSE"));

const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", join(root, ".pack")], {
  cwd: stage,
  encoding: "utf8",
}).trim();
process.stdout.write(`${join(root, ".pack", tarball.split("\n").at(-1))}\n`);
