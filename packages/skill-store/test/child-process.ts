/** Spawning the save child (test/fixtures/save-child.mjs), which runs the built store. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CHILD_SCRIPT = fileURLToPath(new URL("./fixtures/save-child.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Fails with a clear message when the package was not built (the child imports dist/). */
export function requireBuild(): void {
  if (!existsSync(BUILT))
    throw new Error(`run \`npx tsc -b packages/skill-store\` first: ${BUILT} is missing`);
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function startChild(config: object): { child: ChildProcess; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, [CHILD_SCRIPT, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  // "close" comes after "exit" and after the streams end; by then Node has reaped the process, so
  // its pid no longer looks alive to a stale-lock check.
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runChild(config: object): Promise<ChildResult> {
  return startChild(config).done;
}

/** Resolves with the first complete stdout line of the child that starts with `prefix`. */
export function waitForLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("utf8");
      const line = seen
        .split("\n")
        .slice(0, -1)
        .find((candidate) => candidate.startsWith(prefix));
      if (line !== undefined) {
        child.stdout?.off("data", onData);
        resolve(line);
      }
    };
    child.stdout?.on("data", onData);
    child.on("close", () => reject(new Error(`child exited before printing ${prefix}`)));
  });
}

/** Hidden entries (temporary, old, trash, lock) in a skills directory. */
export function sideEntries(skillsDirectory: string): string[] {
  return readdirSync(skillsDirectory).filter((entry) => entry.startsWith("."));
}

/**
 * How long one child takes on this machine right now (start Node, import the built store, save
 * one skill), measured with a real child. Tests that run dozens of children budget their time as
 * a multiple of it, so a loaded machine gets a proportionally longer deadline instead of a
 * timeout: the budget follows the work, not the clock.
 */
export async function measureOneChildMs(skillsDirectory: string, inputPath: string): Promise<number> {
  const started = performance.now();
  const result = await runChild({ mode: "step", skillsDirectory, input: inputPath, killAtStep: -1 });
  if (result.code !== 0) throw new Error(`the calibration child failed: ${result.stderr}`);
  return performance.now() - started;
}

/** A test's time budget for `children` child runs of about `childMs` each, with room for the checks between them. */
export function budgetForChildren(children: number, childMs: number): number {
  return 10_000 + children * childMs * 4;
}
