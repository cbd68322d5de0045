/**
 * Two projects (the rule and how to run them: docs/testing.md):
 * - `unit`: files named `*.test.ts`. In one process (threads are fine: the sandbox's workers) and
 *   quick: the whole project runs in under 30 s on an idle 2-core machine. It starts no child
 *   process; test/setup/no-child-processes.ts refuses every `child_process` starter, so a test that
 *   starts one fails with a message naming the rule.
 * - `e2e`: files named `*.e2e.test.ts`. Everything that starts a process (a stdio MCP server, an
 *   HTTP fixture server, the built CLI, a shell), and the few in-process files that run a whole
 *   pipeline for seconds on end (the sandbox until each limit, the TypeScript compiler over
 *   generated trees, the `execute` command through `main()`).
 * `pnpm test` runs both, `pnpm test:unit` / `pnpm test:e2e` one, `pnpm test:watch` watches `unit`.
 *
 * Workspace packages resolve through their `mcp-execution-source` export condition, so tests
 * import `src/`. What cannot run from `src/` runs from `dist/`: the sandbox's worker entry points (a
 * worker thread on Node 20 cannot load TypeScript) and every process a test starts. So the global
 * setup (test/setup/build.ts) runs `pnpm build`'s incremental build before the run and again
 * before every watch-mode rerun: no test runs a stale `dist/`, and a fresh build costs a `tsc -b`
 * up-to-date check (about a second).
 */
import { defineConfig } from "vitest/config";

const E2E = "**/*.e2e.test.ts";
const TEST_FILES = ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"];

export default defineConfig({
  resolve: { conditions: ["mcp-execution-source", "module", "node", "development|production"] },
  ssr: { resolve: { conditions: ["mcp-execution-source", "module", "node", "development|production"] } },
  test: {
    globalSetup: ["test/setup/build.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests start real MCP servers and sandboxes; two cores do not like more than two forks.
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: TEST_FILES,
          exclude: [E2E, "**/node_modules/**"],
          setupFiles: ["test/setup/no-child-processes.ts"],
          // One module graph per worker instead of one per file: unit files own their state (no
          // processes, no mocks, no chdir), and a fresh graph per file was half the project's CPU
          // (measured in docs/testing.md). The guard above runs again for every file.
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: "e2e", include: TEST_FILES.map((glob) => glob.replace("*.test.ts", "*.e2e.test.ts")) },
      },
    ],
  },
});
