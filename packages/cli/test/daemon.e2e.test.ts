/**
 * `mcp-cli daemon`: started for a configuration, used by `execute` and `call` automatically (the
 * daemon's own counters prove which process ran the work), bypassed with --no-daemon, never used
 * by a CLI whose configuration differs, and stopped cleanly.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { createSandbox, EVERYTHING_BIN, runCli, type Sandbox } from "./helpers.js";

// Each case starts the daemon or the CLI, which start server-everything and a sandbox worker: on two
// busy shared cores that is far from the default budget. The cases wait for exits, not the clock.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let sandbox: Sandbox;
let runtimeDir: string;

interface Status {
  running: boolean;
  daemon?: { executions: number; calls: number; servers: string[]; pid: number };
}

async function status(env: Record<string, string> = {}): Promise<Status> {
  const result = await runCli(sandbox, ["daemon", "status", "--json"], {
    env: { XDG_RUNTIME_DIR: runtimeDir, ...env },
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Status;
}

beforeAll(async () => {
  sandbox = createSandbox("mcp-cli-daemon-");
  runtimeDir = join(sandbox.root, "run");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN } } }),
  );
  const started = await runCli(sandbox, ["daemon", "start", "--json"], {
    env: { XDG_RUNTIME_DIR: runtimeDir, MCP_CLI_TRUST_ALL: "1" },
  });
  expect(started.code, started.stderr).toBe(0);
  expect(JSON.parse(started.stdout)).toMatchObject({
    ok: true,
    started: true,
    daemon: { servers: ["everything"] },
  });
});

afterAll(async () => {
  await runCli(sandbox, ["daemon", "stop"], { env: { XDG_RUNTIME_DIR: runtimeDir } });
  sandbox.remove();
});

describe("mcp-cli daemon", () => {
  it("keeps its socket 0600 in a 0700 folder", () => {
    const folder = join(runtimeDir, "mcp-cli");
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const socket = readdirSync(folder).find((name) => name.endsWith(".sock"));
    expect(socket).toBeDefined();
    expect(statSync(join(folder, socket as string)).mode & 0o777).toBe(0o600);
  });

  it("runs execute and call for this configuration, and --no-daemon runs in-process", async () => {
    const env = { XDG_RUNTIME_DIR: runtimeDir };
    const before = (await status()).daemon;
    const executed = await runCli(
      sandbox,
      [
        "execute",
        "--server",
        "everything",
        "-e",
        'return await callTool("everything", "get-sum", { a: 1, b: 2 })',
      ],
      { env },
    );
    expect(executed.code, executed.stderr).toBe(0);
    expect(executed.stdout.trim()).toBe("The sum of 1 and 2 is 3.");
    const called = await runCli(sandbox, ["call", "everything", "get-sum", "a=3", "b=4"], { env });
    expect(called.code, called.stderr).toBe(0);
    expect(called.stdout.trim()).toBe("The sum of 3 and 4 is 7.");
    const afterBoth = (await status()).daemon;
    expect(afterBoth?.executions).toBe((before?.executions ?? 0) + 1);
    expect(afterBoth?.calls).toBe((before?.calls ?? 0) + 1);

    const inProcess = await runCli(sandbox, ["execute", "--no-daemon", "-e", "return 2"], { env });
    expect(inProcess.stdout.trim()).toBe("2");
    const calledInProcess = await runCli(
      sandbox,
      ["call", "--no-daemon", "everything", "get-sum", "a=1", "b=1"],
      { env },
    );
    expect(calledInProcess.code, calledInProcess.stderr).toBe(0);
    expect((await status()).daemon).toMatchObject({
      executions: afterBoth?.executions,
      calls: afterBoth?.calls,
    });
  });

  it("reports guest errors through the daemon exactly as in-process (exit code and code)", async () => {
    const env = { XDG_RUNTIME_DIR: runtimeDir };
    const viaDaemon = await runCli(sandbox, ["execute", "--json", "-e", 'throw new Error("boom")'], { env });
    const inProcess = await runCli(
      sandbox,
      ["execute", "--json", "--no-daemon", "-e", 'throw new Error("boom")'],
      { env },
    );
    expect(viaDaemon.code).toBe(2);
    expect(inProcess.code).toBe(2);
    expect(JSON.parse(viaDaemon.stdout).error.code).toBe("GUEST_ERROR");
    expect(JSON.parse(viaDaemon.stdout).error.code).toBe(JSON.parse(inProcess.stdout).error.code);
  });

  it("is not used by a CLI whose configuration differs", async () => {
    const other = join(sandbox.root, "other.json");
    sandbox.write(
      other,
      JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN, env: { X: "1" } } } }),
    );
    const result = await runCli(sandbox, ["--config", other, "daemon", "status", "--json"], {
      env: { XDG_RUNTIME_DIR: runtimeDir },
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ running: false });
  });
});

describe("lifecycle: keep-alive", () => {
  it("execute starts the daemon for a keep-alive server, and the next command uses it", async () => {
    const own = createSandbox("mcp-cli-keep-alive-");
    const run = join(own.root, "run");
    const env = { XDG_RUNTIME_DIR: run, MCP_CLI_TRUST_ALL: "1" };
    own.write(
      "work/.mcp.json",
      JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN, lifecycle: "keep-alive" } } }),
    );
    try {
      const first = await runCli(
        own,
        [
          "execute",
          "--server",
          "everything",
          "-e",
          'return await callTool("everything", "get-sum", { a: 1, b: 1 })',
        ],
        { env },
      );
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout.trim()).toBe("The sum of 1 and 1 is 2.");
      const status = await runCli(own, ["daemon", "status", "--json"], { env });
      expect(JSON.parse(status.stdout)).toMatchObject({ running: true, daemon: { executions: 1 } });
      const second = await runCli(own, ["call", "everything", "get-sum", "a=2", "b=2"], { env });
      expect(second.stdout.trim()).toBe("The sum of 2 and 2 is 4.");
      const after = await runCli(own, ["daemon", "status", "--json"], { env });
      expect(JSON.parse(after.stdout)).toMatchObject({ daemon: { calls: 1 } });
    } finally {
      await runCli(own, ["daemon", "stop"], { env });
      own.remove();
    }
  });

  it("a configuration with an unknown lifecycle is CONFIG_INVALID", async () => {
    const own = createSandbox("mcp-cli-lifecycle-");
    own.write(
      "work/.mcp.json",
      JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN, lifecycle: "forever" } } }),
    );
    try {
      const result = await runCli(own, ["server", "list", "--json"], { env: { MCP_CLI_TRUST_ALL: "1" } });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "CONFIG_INVALID" } });
    } finally {
      own.remove();
    }
  });
});
