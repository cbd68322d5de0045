/**
 * Global setup: the incremental build (`pnpm build`'s own command line) before a run and before
 * every rerun in watch mode, so no test ever runs a stale `dist/`.
 *
 * Tests import `src/` (the `mcp-execution-source` condition), but three things run from `dist/`:
 * the sandbox's worker entry points (a worker thread on Node 20 cannot load TypeScript), and the
 * processes e2e tests start (the built CLI, fixture servers and children that import packages).
 * When nothing changed, the build is a `tsc -b` up-to-date check (under a second on an idle
 * machine); after an edit it compiles only the packages that changed and those that depend on them.
 *
 * Runs once per vitest process: the root project runs it (every project inherits this file, so
 * the others return at once).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The root package.json's `build` script, so that this and `pnpm build` cannot drift apart. */
function buildCommand(): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const command = manifest.scripts.build;
  if (command === undefined) throw new Error("package.json has no build script");
  return command;
}

/** Runs the build; rejects with its output when it fails. */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      "/bin/sh",
      ["-c", buildCommand()],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error === null) resolve();
        else reject(new Error(`the build before the tests failed (pnpm build):\n${stdout}${stderr}`));
      },
    );
  });
}

export default async function buildBeforeTests(project: TestProject): Promise<void> {
  if (!project.isRootProject()) return;
  await build();
  project.onTestsRerun(async () => {
    try {
      await build();
    } catch (error) {
      // Throwing here would end watch mode; the failure is printed and the rerun goes ahead, so
      // the tests that import src/ still report (the ones that need dist/ may fail with it).
      process.stderr.write(`\n${(error as Error).message}\n`);
    }
  });
}
