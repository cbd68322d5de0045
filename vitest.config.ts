import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real MCP servers and sandboxes; two cores do not like more than two forks.
    pool: "forks",
    maxWorkers: 2,
  },
});
