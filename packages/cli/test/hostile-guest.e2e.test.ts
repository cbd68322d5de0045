/**
 * Issue 19 through the built CLI: nothing a guest sends can stall, flood or fool the host. Each
 * case runs `mcp-cli execute` in a temporary directory and checks the host afterwards: exit code,
 * error code, wall time against the deadline (generously: the machine is shared), peak RSS
 * (`/usr/bin/time`), and that stdout is complete.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureCommand } from "../../../test/fixtures/servers/harness.mjs";
import { CLI_BIN, createSandbox, parseDocument, runCli, type Sandbox, startCli } from "./helpers.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox("mcp-cli-hostile-guest-");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({ mcpServers: { hostile: fixtureCommand("hostile-text") } }),
  );
});
afterAll(() => sandbox.remove());

interface ExecutionDocument {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  logs: { level: string; text: string }[];
}

/**
 * sucrase takes exponential time on this: minutes at 26 levels. The annotation makes it TypeScript
 * (as plain JavaScript it would run without sucrase).
 */
const PATHOLOGICAL = `const x: unknown = ${"a ? (b): c => ".repeat(26)}d;\nexport default 1;\n`;

/**
 * Runs the CLI under `/usr/bin/time` and reports its peak RSS in MB with the usual result.
 * Without /usr/bin/time (not on every machine) the peak is undefined and not checked.
 */
function runMeasured(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; ms: number; peakMb?: number }> {
  const timed = existsSync("/usr/bin/time");
  const command = timed ? "/usr/bin/time" : process.execPath;
  const argv = timed ? ["-f", "peak-rss-kb=%M", process.execPath, CLI_BIN, ...args] : [CLI_BIN, ...args];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: sandbox.cwd,
      env: sandbox.env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const peak = /peak-rss-kb=(\d+)/.exec(stderr);
      resolve({
        code,
        stdout,
        ms: performance.now() - started,
        ...(peak === null ? {} : { peakMb: Number(peak[1]) / 1024 }),
      });
    });
  });
}

function documentOf(stdout: string): ExecutionDocument {
  return JSON.parse(stdout.trim()) as ExecutionDocument;
}

describe("host-side work is bounded by the deadline and Ctrl-C", () => {
  it("a script sucrase takes minutes on ends as LIMIT_TIME at the deadline (exit 5)", async () => {
    sandbox.write("work/slow.ts", PATHOLOGICAL);
    const run = await runMeasured(["execute", "--json", "--timeout", "1000", "slow.ts"]);
    expect(run.code).toBe(5);
    expect(documentOf(run.stdout).error?.code).toBe("LIMIT_TIME");
    // Minutes before; now the 1 s deadline, the watchdog's grace and start-up, on a loaded machine.
    expect(run.ms).toBeLessThan(30_000);
  });

  it("Ctrl-C during such a transpile exits 130", async () => {
    sandbox.write("work/slow.ts", PATHOLOGICAL);
    const started = startCli(
      sandbox,
      ["execute", "--json", "-v", "--timeout", "120000", "--server", "hostile", "slow.ts"],
      {
        timeoutMs: 60_000,
      },
    );
    // Connected and introspected: the run (and its transpile) starts right after.
    await started.waitForOutput("introspected hostile");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const signalled = performance.now();
    started.child.kill("SIGINT");
    const result = await started.result;
    expect(result.code, result.stderr).toBe(130);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "CANCELLED" } });
    expect(performance.now() - signalled).toBeLessThan(20_000);
  });

  it("a 6 MB script is LIMIT_SIZE at once and costs the host little memory", async () => {
    sandbox.write("work/huge.ts", `export default [${"1,".repeat(3 * 1024 * 1024)}];\n`);
    const run = await runMeasured(["execute", "--json", "huge.ts"]);
    expect(run.code).toBe(5);
    expect(documentOf(run.stdout).error?.code).toBe("LIMIT_SIZE");
    if (run.peakMb !== undefined) expect(run.peakMb).toBeLessThan(400);
  });

  it("an import the guest wrote, too large to import, is LIMIT_SIZE; one just under the cap stays bounded", async () => {
    const over = await runMeasured([
      "execute",
      "--json",
      "-e",
      'writeFile("/workspace/big.ts", "export const a = [" + "1,".repeat(1024 * 1024) + "];"); return (await import("/workspace/big.ts")).a.length;',
    ]);
    expect(over.code).toBe(5);
    expect(documentOf(over.stdout).error?.code).toBe("LIMIT_SIZE");
    const under = await runMeasured([
      "execute",
      "--json",
      "-e",
      'writeFile("/workspace/big.ts", "export const a = [" + "1,".repeat(250 * 1024) + "];"); return (await import("/workspace/big.ts")).a.length;',
    ]);
    expect(under.code).toBe(0);
    expect(documentOf(under.stdout).result).toBe(250 * 1024);
    if (under.peakMb !== undefined) expect(under.peakMb).toBeLessThan(600);
  });
});

describe("every byte printed counts against --max-output", () => {
  it("a 60 MB error message is cut to the limit with a mark (exit 2), without a gigabyte of host memory", async () => {
    const run = await runMeasured([
      "execute",
      "--json",
      "--max-output",
      "64",
      "--memory",
      "256",
      "-e",
      'throw new Error("x".repeat(60_000_000));',
    ]);
    expect(run.code).toBe(2);
    expect(Buffer.byteLength(run.stdout)).toBeLessThan(64 * 1024 + 512);
    const error = documentOf(run.stdout).error;
    expect(error?.code).toBe("GUEST_ERROR");
    expect(error?.message).toContain("[truncated]");
    if (run.peakMb !== undefined) expect(run.peakMb).toBeLessThan(900);
  });
});

describe("stdout is always complete", () => {
  it("a reader that starts late and reads slowly gets all of a 1 MB document", async () => {
    const child = spawn(
      process.execPath,
      [CLI_BIN, "execute", "--json", "--max-output", "4096", "-e", 'return "x".repeat(1_000_000);'],
      { cwd: sandbox.cwd, env: sandbox.env(), stdio: ["ignore", "pipe", "pipe"] },
    );
    // Nothing is read until the CLI has surely finished its work and is waiting on the pipe.
    child.stdout.pause();
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const chunks: Buffer[] = [];
    for await (const chunk of child.stdout) {
      chunks.push(chunk as Buffer);
      // Slow: one small pause per chunk.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await exited).toBe(0);
    const document = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ExecutionDocument;
    expect(document.result).toBe("x".repeat(1_000_000));
  });
});

describe("guests cannot pose as the host", () => {
  for (const code of ["AUTH_REQUIRED", "LIMIT_STORAGE", "INTEGRITY", "CANCELLED"]) {
    it(`a guest error with code ${code} is GUEST_ERROR, exit 2`, async () => {
      const result = await runCli(sandbox, [
        "execute",
        "--json",
        "-e",
        `throw Object.assign(new Error("pretend"), { code: ${JSON.stringify(code)} });`,
      ]);
      expect(result.code).toBe(2);
      expect(parseDocument(result)).toMatchObject({ error: { code: "GUEST_ERROR", details: { code } } });
    });
  }
});

describe("one bad tool call fails alone", () => {
  it("a 6,000-deep argument fails with ARGS_INVALID while the calls beside it succeed", async () => {
    const result = await runCli(sandbox, [
      "execute",
      "--json",
      "--server",
      "hostile",
      "-e",
      `let deep = {}; for (let i = 0; i < 6000; i++) deep = { d: deep };
       const settled = await Promise.allSettled([
         callTool("hostile", "say", { text: "one" }),
         callTool("hostile", "say", { text: "two", deep }),
         callTool("hostile", "say", { text: "three" }),
       ]);
       return settled.map((s) => s.status === "fulfilled" ? s.value : s.reason.code);`,
    ]);
    expect(result.code).toBe(0);
    expect(parseDocument(result).result).toEqual(["one", "ARGS_INVALID", "three"]);
  });
});

describe("a session cannot be bricked", () => {
  it("a state file that cannot load is STATE_INVALID with the way out; --reset-session starts fresh with a warning", async () => {
    const directory = join(sandbox.home, ".local", "state", "mcp-cli", "sessions");
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "bricked.json"), `{"k":${"[".repeat(3000)}${"]".repeat(3000)}}`);
    const failed = await runCli(sandbox, ["execute", "--json", "--session", "bricked", "-e", "return 1"]);
    expect(failed.code).toBe(6);
    const error = (parseDocument(failed) as unknown as ExecutionDocument).error;
    expect(error?.code).toBe("STATE_INVALID");
    expect(error?.message).toContain("--reset-session");
    const reset = await runCli(sandbox, [
      "execute",
      "--session",
      "bricked",
      "--reset-session",
      "-e",
      'setState("k", 2); return getState("k")',
    ]);
    expect(reset.code).toBe(0);
    expect(reset.stdout.trim()).toBe("2");
    expect(reset.stderr).toContain("starting with an empty state");
    const after = await runCli(sandbox, ["execute", "--session", "bricked", "-e", 'return getState("k")']);
    expect(after.stdout.trim()).toBe("2");
  });
});
