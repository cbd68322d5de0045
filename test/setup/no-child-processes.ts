/**
 * Setup file of the vitest project `unit`: unit tests start no child processes.
 *
 * Starting a process (a stdio MCP server, the built CLI, a fixture server, `git`, `tsc`) costs
 * hundreds of milliseconds of a loaded machine's time, and a process runs from `dist/` or from a
 * package's published entry, not from the `src/` under test. Such a test belongs in a file named
 * `*.e2e.test.ts` (project `e2e`; see docs/testing.md). Threads are fine: the sandbox's QuickJS and
 * component workers run in this process.
 *
 * Every function of `node:child_process` that starts a process is replaced by one that throws,
 * both on the CommonJS module object (what `cross-spawn` and the MCP SDK's stdio transport call)
 * and, through `syncBuiltinESMExports`, on the ES module's named exports. Libraries often catch a
 * failed start and report it as their own error, so an attempt is also recorded, and the test
 * that made it fails after it runs with the message below even when the throw was swallowed.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";
import { afterEach } from "vitest";

const STARTERS = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;

/** The attempts not yet reported; `test/unit-guard.test.ts` takes them to check the guard itself. */
export const spawnAttempts: string[] = [];

export function unitSpawnMessage(name: string, command: unknown): string {
  return (
    `unit tests start no child processes (child_process.${name}(${JSON.stringify(String(command))})): ` +
    "name this test file *.e2e.test.ts, or split its process-starting cases into one (docs/testing.md)"
  );
}

const childProcess = createRequire(import.meta.url)("node:child_process") as Record<string, unknown>;
for (const name of STARTERS) {
  childProcess[name] = function refusedInUnitTests(command: unknown): never {
    const message = unitSpawnMessage(name, command);
    spawnAttempts.push(message);
    throw new Error(message);
  };
}
syncBuiltinESMExports();

afterEach(() => {
  const attempts = spawnAttempts.splice(0);
  if (attempts.length > 0) throw new Error(attempts[0]);
});
