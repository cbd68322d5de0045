/**
 * The daemon's fast client (src/daemon/fast-client.ts): `execute` and `call` reach a running daemon
 * without loading commander, the configuration or a command module, print exactly what the
 * in-process CLI prints, and fall back to the full CLI (which runs in-process, or reaches the daemon
 * the old way) whenever the daemon cannot or must not answer: a stale record or socket, a daemon of
 * another configuration, flags the fast client does not know, standard input. Which process loaded
 * what is read from a module tracer; the daemon's own counters prove who ran the work.
 */
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type CliResult,
  createSandbox,
  EVERYTHING_BIN,
  FIXTURES,
  parseDocument,
  runCli,
  type Sandbox,
  startCli,
} from "./helpers.js";

// The daemon starts server-everything and sandbox workers; on two busy shared cores that is far from
// the default budget. The cases wait for exits and output, not for the clock.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

interface Counters {
  readonly executions: number;
  readonly calls: number;
  readonly pid: number;
}

function configure(sandbox: Sandbox, extra: Record<string, unknown> = {}): void {
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN, ...extra } } }),
  );
}

async function counters(sandbox: Sandbox, env: Record<string, string>): Promise<Counters | undefined> {
  const result = await runCli(sandbox, ["daemon", "status", "--json"], { env });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { daemon?: Counters }).daemon;
}

/** Runs the CLI with the module tracer; `client` is what the CLI process itself loaded. */
async function traced(
  sandbox: Sandbox,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<CliResult & { client: string[] }> {
  const trace = join(sandbox.root, `trace-${Math.random().toString(36).slice(2)}`);
  const result = await runCli(sandbox, args, {
    env: { ...env, MCP_CLI_TRACE_FILE: trace },
    nodeArgs: ["--import", join(FIXTURES, "trace-modules.mjs")],
    ...(input === undefined ? {} : { input }),
  });
  const client = existsSync(trace) ? readFileSync(trace, "utf8").trim().split("\n") : [];
  return { ...result, client };
}

const loadedCommander = (modules: readonly string[]) => modules.some((url) => url.includes("commander"));
const usedFastClient = (modules: readonly string[]) =>
  modules.some((url) => url.endsWith("daemon/fast-client.js"));

/** Drops the fields that differ between any two runs (timings). */
function withoutTimings(document: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(document, (key, value) => (key === "durationMs" || key === "memoryBytes" ? 0 : value)),
  ) as Record<string, unknown>;
}

describe("the fast client with a daemon for this configuration", () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = createSandbox("mcp-cli-fast-");
    env = { XDG_RUNTIME_DIR: join(sandbox.root, "run") };
    configure(sandbox);
    const started = await runCli(sandbox, ["daemon", "start"], { env });
    expect(started.code, started.stderr).toBe(0);
  });

  afterAll(async () => {
    await runCli(sandbox, ["daemon", "stop"], { env });
    sandbox.remove();
  });

  it("answers execute and call without commander, and the daemon ran them", async () => {
    const before = await counters(sandbox, env);
    const executed = await traced(sandbox, ["execute", "-e", "return 6 * 7"], env);
    expect(executed.code, executed.stderr).toBe(0);
    expect(executed.stdout).toBe("42\n");
    expect(usedFastClient(executed.client)).toBe(true);
    expect(loadedCommander(executed.client)).toBe(false);
    expect(executed.client.filter((url) => url.includes("packages/core/dist"))).toEqual([]);

    const called = await traced(sandbox, ["call", "everything", "get-sum", "a=3", "b=4"], env);
    expect(called.code, called.stderr).toBe(0);
    expect(called.stdout.trim()).toBe("The sum of 3 and 4 is 7.");
    expect(loadedCommander(called.client)).toBe(false);

    const after = await counters(sandbox, env);
    expect(after?.executions).toBe((before?.executions ?? 0) + 1);
    expect(after?.calls).toBe((before?.calls ?? 0) + 1);
  });

  it("prints the same bytes and exit codes as the in-process CLI", async () => {
    const script = 'console.log("a log line"); console.error("\\u001b[31mred"); return { n: 1, s: "x" }';
    for (const args of [
      ["execute", "-e", script],
      ["execute", "--json", "-e", script],
      ["execute", "-e", 'throw new Error("boom")'],
      ["execute", "--json", "-e", 'throw new Error("boom")'],
      ["execute", "--timeout", "300", "--json", "-e", "while (true) {}"],
      ["call", "everything", "echo", "message=hi"],
      ["call", "everything", "no-such-tool"],
      ["--json", "call", "everything", "get-sum", "a=1", "b=x"],
    ]) {
      const fast = await traced(sandbox, args, env);
      const inProcess = await runCli(sandbox, args, { env: { ...env, MCP_CLI_NO_DAEMON: "1" } });
      expect(usedFastClient(fast.client), args.join(" ")).toBe(true);
      expect(loadedCommander(fast.client), args.join(" ")).toBe(false);
      expect(fast.code, args.join(" ")).toBe(inProcess.code);
      expect(fast.stderr, args.join(" ")).toBe(inProcess.stderr);
      if (args.includes("--json")) {
        expect(withoutTimings(parseDocument(fast))).toEqual(withoutTimings(parseDocument(inProcess)));
      } else expect(fast.stdout, args.join(" ")).toBe(inProcess.stdout);
    }
  });

  it("ends a command on Ctrl-C with CANCELLED and exit 130, and the daemon serves the next one", async () => {
    const before = await counters(sandbox, env);
    const running = startCli(sandbox, ["execute", "--json", "-e", "while (true) {}"], { env });
    running.child.stdin?.end();
    // The daemon counts the execution when it starts it: then the loop is running.
    for (;;) {
      const now = await counters(sandbox, env);
      if ((now?.executions ?? 0) > (before?.executions ?? 0)) break;
    }
    running.child.kill("SIGINT");
    const result = await running.result;
    expect(result.code).toBe(130);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "CANCELLED" } });
    const next = await runCli(sandbox, ["execute", "-e", "return 3"], { env });
    expect(next.stdout).toBe("3\n");
  });

  it("leaves flags it does not know to the full CLI, which still reaches the daemon", async () => {
    const before = await counters(sandbox, env);
    // --reset-session is not in the fast client's list; the full CLI runs, and uses the daemon.
    const result = await traced(sandbox, ["execute", "--reset-session", "-e", "return 5"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("5\n");
    expect(usedFastClient(result.client)).toBe(false);
    expect(loadedCommander(result.client)).toBe(true);
    expect((await counters(sandbox, env))?.executions).toBe((before?.executions ?? 0) + 1);

    for (const args of [
      ["execute", "--no-daemon", "-e", "return 5"],
      ["-qv", "execute", "-e", "return 5"],
      ["execute", "-e", "return 5", "--", "true"],
    ]) {
      const other = await traced(sandbox, args, env);
      expect(usedFastClient(other.client), args.join(" ")).toBe(false);
    }
  });

  it("hands a command that reads standard input back to the client, which runs it once", async () => {
    const before = await counters(sandbox, env);
    const result = await traced(
      sandbox,
      ["call", "everything", "echo", "--args", "-"],
      env,
      JSON.stringify({ message: "from stdin" }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Echo: from stdin\n");
    expect(result.stderr).toBe("");
    // The fast client asked, the daemon declined before running anything, the full CLI ran it
    // (through the daemon, the old way): one call.
    expect(usedFastClient(result.client)).toBe(true);
    expect(loadedCommander(result.client)).toBe(true);
    expect((await counters(sandbox, env))?.calls).toBe((before?.calls ?? 0) + 1);
  });
});

describe("fallbacks of the fast client", () => {
  it("a daemon of another configuration declines, and the command runs in-process", async () => {
    const sandbox = createSandbox("mcp-cli-fast-other-");
    const env = { XDG_RUNTIME_DIR: join(sandbox.root, "run") };
    configure(sandbox);
    try {
      expect((await runCli(sandbox, ["daemon", "start"], { env })).code).toBe(0);
      const before = await counters(sandbox, env);
      // Same folder, so the locator record still points at this daemon; the configuration differs.
      configure(sandbox, { env: { CHANGED: "1" } });
      const result = await traced(sandbox, ["call", "everything", "get-sum", "a=1", "b=2"], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe("The sum of 1 and 2 is 3.");
      expect(result.stderr).toBe("");
      expect(usedFastClient(result.client)).toBe(true);
      expect(loadedCommander(result.client)).toBe(true);
      configure(sandbox);
      const after = await counters(sandbox, env);
      expect(after?.calls).toBe(before?.calls);
      await runCli(sandbox, ["daemon", "stop"], { env });
      // An environment variable the configuration reads is part of the configuration too.
      configure(sandbox, { env: { TOKEN: ["$", "{TOKEN}"].join("") } });
      expect((await runCli(sandbox, ["daemon", "start"], { env: { ...env, TOKEN: "daemon's" } })).code).toBe(
        0,
      );
      const withOtherToken = await traced(sandbox, ["execute", "-e", "return 1"], { ...env, TOKEN: "mine" });
      expect(withOtherToken.stdout).toBe("1\n");
      expect(loadedCommander(withOtherToken.client)).toBe(true);
      const withSameToken = await traced(sandbox, ["execute", "-e", "return 1"], {
        ...env,
        TOKEN: "daemon's",
      });
      expect(withSameToken.stdout).toBe("1\n");
      expect(loadedCommander(withSameToken.client)).toBe(false);
      await runCli(sandbox, ["daemon", "stop"], { env: { ...env, TOKEN: "daemon's" } });
    } finally {
      sandbox.remove();
    }
  });

  it("a stale record and socket (a daemon killed) fall back, and the full CLI removes the socket", async () => {
    const sandbox = createSandbox("mcp-cli-fast-stale-");
    const run = join(sandbox.root, "run");
    const env = { XDG_RUNTIME_DIR: run };
    configure(sandbox);
    try {
      expect((await runCli(sandbox, ["daemon", "start"], { env })).code).toBe(0);
      const pid = (await counters(sandbox, env))?.pid as number;
      process.kill(pid, "SIGKILL");
      await new Promise<void>((resolve) => {
        const poll = () => {
          try {
            process.kill(pid, 0);
            setImmediate(poll);
          } catch {
            resolve();
          }
        };
        poll();
      });
      const folder = join(run, "mcp-cli");
      expect(readdirSync(folder).filter((name) => name.endsWith(".sock"))).toHaveLength(1);
      expect(readdirSync(folder).filter((name) => name.startsWith("l-"))).toHaveLength(1);
      const result = await traced(sandbox, ["execute", "-e", "return 8"], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe("8\n");
      expect(loadedCommander(result.client)).toBe(true);
      expect(readdirSync(folder).filter((name) => name.endsWith(".sock"))).toEqual([]);
    } finally {
      sandbox.remove();
    }
  });

  it("a daemon that accepts and never answers (stopped) costs its answer time, then the command runs in-process", async () => {
    const sandbox = createSandbox("mcp-cli-fast-silent-");
    const env = { XDG_RUNTIME_DIR: join(sandbox.root, "run") };
    configure(sandbox);
    let pid: number | undefined;
    try {
      expect((await runCli(sandbox, ["daemon", "start"], { env })).code).toBe(0);
      pid = (await counters(sandbox, env))?.pid as number;
      // Stopped, its socket still accepts (the kernel's backlog) but nothing answers.
      process.kill(pid, "SIGSTOP");
      const result = await traced(sandbox, ["execute", "-e", "return 10"], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe("10\n");
      // The fast client gave up and the full CLI ran it, after its own bounded wait.
      expect(loadedCommander(result.client)).toBe(true);
      expect(result.stderr).toContain("did not answer (within 10 s); running in-process");
    } finally {
      if (pid !== undefined) process.kill(pid, "SIGCONT");
      await runCli(sandbox, ["daemon", "stop"], { env });
      sandbox.remove();
    }
  });

  it("a record that is not a fingerprint, or a link, is ignored", async () => {
    const sandbox = createSandbox("mcp-cli-fast-record-");
    const run = join(sandbox.root, "run");
    const env = { XDG_RUNTIME_DIR: run };
    configure(sandbox);
    try {
      expect((await runCli(sandbox, ["daemon", "start"], { env })).code).toBe(0);
      const folder = join(run, "mcp-cli");
      const record = join(folder, readdirSync(folder).find((name) => name.startsWith("l-")) as string);
      const fingerprint = readFileSync(record, "utf8");
      for (const plant of [
        () => writeFileSync(record, "../../../etc/passwd\n"),
        // A link to a file that holds the right fingerprint: not followed.
        () => {
          rmSync(record);
          symlinkSync(sandbox.write("elsewhere", fingerprint), record);
        },
      ]) {
        plant();
        const result = await traced(sandbox, ["execute", "-e", "return 9"], env);
        expect(result.stdout).toBe("9\n");
        expect(usedFastClient(result.client)).toBe(true);
        expect(loadedCommander(result.client)).toBe(true);
      }
      await runCli(sandbox, ["daemon", "stop"], { env });
    } finally {
      sandbox.remove();
    }
  });
});

describe("the fast client with a configuration that warns", () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = createSandbox("mcp-cli-fast-warn-");
    env = { XDG_RUNTIME_DIR: join(sandbox.root, "run") };
    // An unknown key is a warning of the configuration loader, printed by whoever loads it.
    configure(sandbox, { colour: "blue" });
    const started = await runCli(sandbox, ["daemon", "start"], { env });
    expect(started.code, started.stderr).toBe(0);
  });

  afterAll(async () => {
    await runCli(sandbox, ["daemon", "stop"], { env });
    sandbox.remove();
  });

  it("prints the configuration's warnings once, exactly as the in-process CLI does", async () => {
    const before = await counters(sandbox, env);
    for (const args of [
      ["execute", "-e", "return 1"],
      ["call", "everything", "echo", "message=hi"],
    ]) {
      const fast = await traced(sandbox, args, env);
      const inProcess = await runCli(sandbox, args, { env: { ...env, MCP_CLI_NO_DAEMON: "1" } });
      expect(usedFastClient(fast.client), args.join(" ")).toBe(true);
      expect(fast.code, fast.stderr).toBe(0);
      expect(fast.stderr.split('ignoring unknown keys "colour"').length - 1, fast.stderr).toBe(1);
      expect(fast.stderr, args.join(" ")).toBe(inProcess.stderr);
      expect(fast.stdout, args.join(" ")).toBe(inProcess.stdout);
    }
    // The daemon ran both, so the warnings above came through it.
    const after = await counters(sandbox, env);
    expect(after?.executions).toBe((before?.executions ?? 0) + 1);
    expect(after?.calls).toBe((before?.calls ?? 0) + 1);
  });
});
