/**
 * Two projects: `unit` (everything in-process: the sandbox, real MCP servers over stdio and HTTP,
 * the CLI through `main()`) and `e2e` (files named `*.e2e.test.ts`, which spawn the built CLI and
 * so need `pnpm build` first). `pnpm test` builds and runs both; `pnpm test:unit` runs the first.
 *
 * Workspace packages resolve through their `source` export condition, so tests run `src/`, never
 * a stale `dist/` (the sandbox's worker entry points are the exception: a worker thread cannot
 * load TypeScript, so they run from `dist/`).
 */
import { defineConfig } from "vitest/config";

const E2E = "**/*.e2e.test.ts";
const TEST_FILES = ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"];

export default defineConfig({
  resolve: { conditions: ["mcp-execution-source", "module", "node", "development|production"] },
  ssr: { resolve: { conditions: ["mcp-execution-source", "module", "node", "development|production"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real MCP servers and sandboxes; two cores do not like more than two forks.
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
        },
      },
      {
        extends: true,
        test: { name: "e2e", include: TEST_FILES.map((glob) => glob.replace("*.test.ts", "*.e2e.test.ts")) },
      },
    ],
  },
});
