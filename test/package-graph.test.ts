/**
 * Holds the package graph of ADR-001. Every workspace package.json is read; a dependency on a
 * workspace package that is not listed here, a cycle, or a dependency on the MCP SDK outside the
 * packages allowed to speak MCP fails the test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCOPE = "@mcp-execution/";

/** Runtime edges: `dependencies`, `peerDependencies`, `optionalDependencies`. */
const ALLOWED_RUNTIME_EDGES: Readonly<Record<string, readonly string[]>> = {
  core: [],
  vfs: ["core"],
  "mcp-client": ["core"],
  codegen: ["core"],
  bridge: ["core", "mcp-client"],
  "wasm-runtime": ["core", "vfs"],
  "skill-store": ["core", "vfs"],
  // The runner wires engines for one execution (ADR-001): the second place that may, after cli.
  runner: ["core", "vfs", "mcp-client", "codegen", "bridge", "wasm-runtime", "skill-store"],
  serve: ["core", "codegen"],
  cli: ["core", "vfs", "mcp-client", "codegen", "bridge", "wasm-runtime", "skill-store", "runner", "serve"],
};

/** Extra edges allowed in `devDependencies` only, so tests can use real collaborators. */
const ALLOWED_TEST_EDGES: Readonly<Record<string, readonly string[]>> = {
  codegen: ["mcp-client", "bridge", "vfs", "wasm-runtime"],
  "wasm-runtime": ["mcp-client", "bridge"],
  "skill-store": ["codegen", "mcp-client"],
  serve: ["vfs"],
};

/** Only these packages may import the MCP SDK (ADR-001: the SDK sits behind one connection module). */
const SDK_PACKAGES: readonly string[] = ["mcp-client", "bridge", "serve"];
const SDK = "@modelcontextprotocol/sdk";
/** The SDK's packages, v1 and v2 (ADR-009): each is held like `@modelcontextprotocol/sdk`. */
const SDK_NAMES: readonly string[] = [
  SDK,
  "@modelcontextprotocol/client",
  "@modelcontextprotocol/server",
  "@modelcontextprotocol/node",
  "@modelcontextprotocol/core",
];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readWorkspace(root: string): Map<string, Manifest> {
  const packages = new Map<string, Manifest>();
  for (const entry of readdirSync(join(root, "packages"), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifest = JSON.parse(
      readFileSync(join(root, "packages", entry.name, "package.json"), "utf8"),
    ) as Manifest;
    packages.set(entry.name, manifest);
  }
  return packages;
}

function names(record: Record<string, string> | undefined): string[] {
  return Object.keys(record ?? {});
}

/** Every problem with the graph, as sentences; empty when the graph is allowed. */
function checkGraph(packages: Map<string, Manifest>): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [dir, manifest] of packages) {
    if (manifest.name !== `${SCOPE}${dir}`) problems.push(`packages/${dir} is named ${manifest.name}`);
    if (!(dir in ALLOWED_RUNTIME_EDGES)) problems.push(`packages/${dir} is not in the allowed graph`);
    const runtime = [
      ...names(manifest.dependencies),
      ...names(manifest.peerDependencies),
      ...names(manifest.optionalDependencies),
    ];
    const dev = names(manifest.devDependencies);
    const edges: string[] = [];
    for (const dependency of runtime) {
      if (SDK_NAMES.includes(dependency) && !SDK_PACKAGES.includes(dir))
        problems.push(`${dir} must not depend on ${dependency}`);
      if (!dependency.startsWith(SCOPE)) continue;
      const target = dependency.slice(SCOPE.length);
      if (!(ALLOWED_RUNTIME_EDGES[dir] ?? []).includes(target))
        problems.push(`${dir} -> ${target} is not allowed`);
      edges.push(target);
    }
    for (const dependency of dev) {
      if (SDK_NAMES.includes(dependency) && !SDK_PACKAGES.includes(dir))
        problems.push(`${dir} must not depend on ${dependency}`);
      if (!dependency.startsWith(SCOPE)) continue;
      const target = dependency.slice(SCOPE.length);
      const allowed = [...(ALLOWED_RUNTIME_EDGES[dir] ?? []), ...(ALLOWED_TEST_EDGES[dir] ?? [])];
      if (!allowed.includes(target)) problems.push(`${dir} -> ${target} (dev) is not allowed`);
      edges.push(target);
    }
    graph.set(dir, edges);
  }
  const cycle = findCycle(graph);
  if (cycle !== undefined) problems.push(`cycle: ${cycle.join(" -> ")}`);
  return problems;
}

function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "visiting");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe("package graph", () => {
  const root = join(import.meta.dirname, "..");
  const packages = readWorkspace(root);

  it("has exactly the packages of the layout", () => {
    expect([...packages.keys()].sort()).toEqual(Object.keys(ALLOWED_RUNTIME_EDGES).sort());
  });

  it("only uses allowed edges, has no cycle, keeps the SDK in mcp-client and bridge", () => {
    expect(checkGraph(packages)).toEqual([]);
  });

  it("fails when a forbidden edge is added (core -> cli)", () => {
    const broken = new Map(packages);
    const core = packages.get("core");
    if (core === undefined) throw new Error("core package missing");
    broken.set("core", { ...core, dependencies: { ...core.dependencies, [`${SCOPE}cli`]: "workspace:*" } });
    const problems = checkGraph(broken);
    expect(problems).toContain("core -> cli is not allowed");
    expect(problems.some((problem) => problem.startsWith("cycle: "))).toBe(true);
  });

  it("fails when a package other than mcp-client or bridge depends on the SDK", () => {
    const broken = new Map(packages);
    const codegen = packages.get("codegen");
    if (codegen === undefined) throw new Error("codegen package missing");
    broken.set("codegen", { ...codegen, devDependencies: { ...codegen.devDependencies, [SDK]: "^1.0.0" } });
    expect(checkGraph(broken)).toContain(`codegen must not depend on ${SDK}`);
  });

  it("holds the SDK's v2 packages the same way", () => {
    const broken = new Map(packages);
    const cli = packages.get("cli");
    if (cli === undefined) throw new Error("cli package missing");
    broken.set("cli", {
      ...cli,
      dependencies: { ...cli.dependencies, "@modelcontextprotocol/client": "^2.4.0" },
    });
    expect(checkGraph(broken)).toContain("cli must not depend on @modelcontextprotocol/client");
  });

  it("finds a cycle through test-only edges too", () => {
    expect(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
        ]),
      ),
    ).toEqual(["a", "b", "c", "a"]);
    expect(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toBeUndefined();
  });
});
