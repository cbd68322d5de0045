/**
 * Helpers for end-to-end tests: spawn the built CLI (packages/cli/dist/bin.js) in a temporary
 * directory with an isolated HOME, XDG directories and environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI_BIN = join(REPO_ROOT, "packages", "cli", "dist", "bin.js");
export const EVERYTHING_BIN = join(REPO_ROOT, "node_modules", ".bin", "mcp-server-everything");
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Added to the isolated environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Extra node flags, e.g. `--import` a tracer. */
  readonly nodeArgs?: readonly string[];
}

/** A temporary directory with its own home; `remove()` deletes it. */
export interface Sandbox {
  readonly root: string;
  readonly home: string;
  readonly cwd: string;
  /** Writes a file relative to `root` (or absolute), creating directories. */
  write(path: string, text: string): string;
  /** The isolated environment variables for a child process. */
  env(): Record<string, string>;
  remove(): void;
}

export function createSandbox(prefix = "mcp-cli-e2e-"): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const home = join(root, "home");
  const cwd = join(root, "work");
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  return {
    root,
    home,
    cwd,
    write(path, text) {
      const target = path.startsWith("/") ? path : join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
      return target;
    },
    env() {
      return {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        XDG_CONFIG_HOME: join(home, ".config"),
        XDG_STATE_HOME: join(home, ".local", "state"),
        TERM: "dumb",
        // Tests write project files (.mcp.json) that start servers; approving each one is what
        // config-trust.e2e.test.ts tests. For CI and tests only: see docs/adr/010-config-trust.md.
        MCP_CLI_TRUST_ALL: "1",
      };
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Spawns the built CLI and collects its output. Rejects only if it cannot be spawned or times out. */
export function runCli(
  sandbox: Sandbox,
  args: readonly string[],
  options: Partial<RunOptions> = {},
): Promise<CliResult> {
  const { child, result } = startCli(sandbox, args, options);
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return result;
}

export interface StartedCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves when stderr (or stdout) has contained `text`. */
  waitForOutput(text: string): Promise<void>;
}

export function startCli(
  sandbox: Sandbox,
  args: readonly string[],
  options: Partial<RunOptions> = {},
): StartedCli {
  const env: Record<string, string> = sandbox.env();
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI_BIN, ...args], {
    cwd: options.cwd ?? sandbox.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      if (stderr.includes(waiter.text) || stdout.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    check();
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `mcp-cli ${args.join(" ")} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    result,
    waitForOutput(text) {
      return new Promise((resolve) => {
        waiters.push({ text, resolve });
        check();
      });
    },
  };
}

/** Parses stdout as exactly one JSON document (one line), failing the test otherwise. */
export function parseDocument(result: CliResult): Record<string, unknown> {
  const text = result.stdout.trim();
  if (text === "" || text.includes("\n")) {
    throw new Error(
      `expected exactly one JSON document on stdout, got:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** A small `mcp-cli` shell wrapper in `<sandbox>/bin`, for completion scripts that call back into the CLI. */
export function installCliWrapper(sandbox: Sandbox): string {
  const bin = join(sandbox.root, "bin");
  const wrapper = sandbox.write(
    join(bin, "mcp-cli"),
    `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return bin;
}

/**
 * Runs one shell line with `sh -c` in the sandbox's project folder, the built CLI on PATH as
 * `mcp-cli` (see {@link installCliWrapper}): a command exactly as a person or an agent would type it.
 */
export function runShellLine(sandbox: Sandbox, bin: string, line: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", line], {
      cwd: sandbox.cwd,
      env: { ...sandbox.env(), PATH: `${bin}:${sandbox.env().PATH}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
