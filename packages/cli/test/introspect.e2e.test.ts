/**
 * `introspect` and `server validate` against real servers: server-everything over stdio (configured
 * and ad hoc) and Streamable HTTP, and the misbehaving fixtures for every connection failure:
 * crash on start and timeout (exit 3), authentication (exit 4), missing `${VAR}` (exit 1), and
 * SIGINT (exit 130, server stopped).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  fixtureCommand,
  processAlive,
  type RunningServer,
  startEverythingHttp,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, EVERYTHING_BIN, parseDocument, type Sandbox } from "./helpers.js";
import { runMain, startMain } from "./in-process.js";

/**
 * server-everything's tools for mcp-cli over stdio: its capability-gated tools included, since
 * mcp-cli declares elicitation, sampling (declined), and roots (stdio servers only).
 */
const EVERYTHING_TOOLS = [
  "echo",
  "get-annotated-message",
  "get-env",
  "get-resource-links",
  "get-resource-reference",
  "get-roots-list",
  "get-structured-content",
  "get-sum",
  "get-tiny-image",
  "gzip-file-as-resource",
  "simulate-research-query",
  "toggle-simulated-logging",
  "toggle-subscriber-updates",
  "trigger-elicitation-request",
  "trigger-long-running-operation",
  "trigger-sampling-request",
];

let sandbox: Sandbox;
let http: RunningServer;
let authed: RunningServer;

beforeAll(async () => {
  sandbox = createSandbox();
  [http, authed] = await Promise.all([
    startEverythingHttp(),
    startHttpFixture("results", ["--require-token", "s3cret"]),
  ]);
  const crash = fixtureCommand("crash", "--crash-on-start");
  const hang = fixtureCommand("hang", "--no-initialize");
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        "everything-http": { type: "http", url: http.url },
        crash,
        hang: { ...hang, startupTimeout: 1500 },
        garbage: { ...fixtureCommand("garbage"), startupTimeout: 2000 },
        "hang-pid": {
          command: "sh",
          args: ["-c", `echo $$ > "$PID_FILE"; exec "$0" "$@"`, hang.command, ...hang.args],
          env: { PID_FILE: "${PID_FILE}" },
        },
        secret: { command: EVERYTHING_BIN, env: { API_KEY: "${MCP_TEST_API_KEY}" } },
        off: { command: EVERYTHING_BIN, disabled: true },
      },
    }),
  );
});

afterAll(async () => {
  await Promise.all([http?.stop(), authed?.stop()]);
  sandbox.remove();
});

describe("introspect", () => {
  it("describes a configured stdio server in human form", async () => {
    const result = await runMain(sandbox, ["introspect", "everything"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Tools (16)");
    expect(result.stdout).toMatch(/echo\s+Echoes back the input string\s+\[read-only, idempotent\]/);
    expect(result.stdout).toMatch(/fingerprint:\s+blake3:[0-9a-f]{64}/);
    expect(result.stdout).toContain("Prompts (");
    expect(result.stdout).toContain("Resources (");
  });

  it("prints the full manifest with --json", async () => {
    const result = await runMain(sandbox, ["introspect", "everything", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const { manifest } = parseDocument(result) as {
      manifest: { server: string; tools: { name: string }[]; fingerprint: { digest: string } };
    };
    expect(manifest.server).toBe("everything");
    expect(manifest.tools.map((tool) => tool.name).sort()).toEqual(EVERYTHING_TOOLS);
    expect(manifest.fingerprint.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives the same fingerprint over Streamable HTTP by name and by URL; stdio adds the roots tool", async () => {
    type Document = { manifest: { fingerprint: { digest: string; tools: Record<string, string> } } };
    const stdio = parseDocument(await runMain(sandbox, ["introspect", "everything", "--json"])) as Document;
    const named = await runMain(sandbox, ["introspect", "everything-http", "--json"]);
    expect(named.code, named.stderr).toBe(0);
    const byUrl = await runMain(sandbox, ["introspect", http.url, "--json"]);
    expect(byUrl.code, byUrl.stderr).toBe(0);
    const [first, second] = [named, byUrl].map(
      (result) => (parseDocument(result) as Document).manifest.fingerprint,
    );
    expect(first?.digest).toBe(second?.digest);
    // Roots are withheld from remote servers, so server-everything does not offer get-roots-list there.
    const { "get-roots-list": rootsTool, ...stdioWithoutRoots } = stdio.manifest.fingerprint.tools;
    expect(rootsTool).toBeDefined();
    expect(first?.tools).toEqual(stdioWithoutRoots);
  });

  it("runs an ad-hoc stdio server after --, named with --name", async () => {
    const result = await runMain(sandbox, ["introspect", "--json", "--name", "adhoc", "--", EVERYTHING_BIN]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseDocument(result)).toMatchObject({ ok: true, manifest: { server: "adhoc" } });
  });

  it("rejects ad-hoc flags with a configured name", async () => {
    const result = await runMain(sandbox, ["introspect", "everything", "--cwd", "/tmp", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
  });

  it("a missing <server> is a usage error", async () => {
    const result = await runMain(sandbox, ["introspect", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({
      error: { code: "USAGE", message: expect.stringContaining("missing <server>") },
    });
  });
});

describe("failures and their exit codes", () => {
  it("unknown server: exit 1, SERVER_UNKNOWN", async () => {
    const result = await runMain(sandbox, ["introspect", "nope", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "SERVER_UNKNOWN" } });
  });

  it("disabled server: exit 1, SERVER_DISABLED", async () => {
    const result = await runMain(sandbox, ["introspect", "off", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "SERVER_DISABLED" } });
  });

  it("missing ${VAR}: exit 1, CONFIG_VARIABLE_MISSING naming variable, server and file, before spawning", async () => {
    const result = await runMain(sandbox, ["introspect", "secret", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({
      ok: false,
      error: {
        code: "CONFIG_VARIABLE_MISSING",
        details: { variable: "MCP_TEST_API_KEY", server: "secret", file: join(sandbox.cwd, ".mcp.json") },
      },
    });
    const human = await runMain(sandbox, ["introspect", "secret"]);
    expect(human.stderr).toContain("MCP_TEST_API_KEY is not set");
    expect(human.stderr).not.toMatch(/\n\s+at /);
  });

  it("a server that exits on start: exit 3, CONNECT_FAILED with its stderr", async () => {
    const result = await runMain(sandbox, ["introspect", "crash"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("FIXTURE_API_KEY is not set");
    const json = await runMain(sandbox, ["introspect", "crash", "--json"]);
    expect(json.code).toBe(3);
    expect(parseDocument(json)).toMatchObject({ ok: false, error: { code: "CONNECT_FAILED" } });
  });

  it("a server that never answers initialize: exit 3, TIMEOUT", async () => {
    const result = await runMain(sandbox, ["introspect", "hang", "--json"]);
    expect(result.code).toBe(3);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
  });

  it("a server that wants a token: exit 4 without it, success with --header", async () => {
    const refused = await runMain(sandbox, ["introspect", authed.url, "--json"]);
    expect(refused.code).toBe(4);
    expect(parseDocument(refused)).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/^AUTH_/) },
    });
    const accepted = await runMain(sandbox, [
      "introspect",
      authed.url,
      "--header",
      "Authorization: Bearer s3cret",
      "--json",
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
  });

  it("SIGINT while connecting: exit 130, CANCELLED, and the server process is stopped", async () => {
    const pidFile = join(sandbox.root, "hang.pid");
    const started = startMain(sandbox, ["introspect", "hang-pid", "--json", "-v"], {
      env: { PID_FILE: pidFile },
    });
    await started.waitForOutput("connecting to hang-pid");
    const pid = await waitForPid(pidFile);
    expect(processAlive(pid)).toBe(true);
    started.interrupt();
    const result = await started.result;
    expect(result.code).toBe(130);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "CANCELLED" } });
    expect(await eventually(() => !processAlive(pid), 5_000)).toBe(true);
  });
});

async function waitForPid(file: string): Promise<number> {
  let pid = Number.NaN;
  await eventually(() => {
    try {
      pid = Number(readFileSync(file, "utf8").trim());
    } catch {
      return false;
    }
    return Number.isInteger(pid) && pid > 0;
  }, 10_000);
  return pid;
}

describe("misbehaving servers", () => {
  it("follows every page of a paging server", async () => {
    const paged = fixtureCommand("paged");
    const result = await runMain(sandbox, ["introspect", "--json", "--", paged.command, ...paged.args]);
    expect(result.code, result.stderr).toBe(0);
    const { manifest } = parseDocument(result) as { manifest: { tools: unknown[]; prompts: unknown[] } };
    expect(manifest.tools).toHaveLength(5);
    expect(manifest.prompts).toHaveLength(2);
  });

  it("a server that is not MCP at all: exit 3, PROTOCOL_ERROR", async () => {
    const result = await runMain(sandbox, ["introspect", "garbage", "--json"]);
    expect(result.code).toBe(3);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "PROTOCOL_ERROR" } });
  });

  it("stray stdout lines of a server become escaped warnings on stderr; stdout keeps one document", async () => {
    const banner = fixtureCommand("garbage", "--banner");
    const result = await runMain(sandbox, [
      "call",
      "--json",
      "echo",
      "message=hi",
      "--",
      banner.command,
      ...banner.args,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseDocument(result)).toMatchObject({ ok: true, result: "hi" });
    expect(result.stderr).toContain("warning: [server:garbage] ignored a line on stdout");
    expect(result.stderr).toContain("\\u001b[32mready");
    expect(result.stderr).not.toContain("\u001b");
  });

  it("falls back to the older HTTP+SSE transport for a URL that does not speak Streamable HTTP", async () => {
    const sse = await startEverythingHttp("sse");
    try {
      const result = await runMain(sandbox, ["server", "validate", sse.url, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      expect(parseDocument(result)).toMatchObject({ ok: true, servers: [{ transport: "sse", tools: 15 }] });
    } finally {
      await sse.stop();
    }
  });
});

describe("server validate", () => {
  it("validates one server and reports what it offers", async () => {
    const result = await runMain(sandbox, ["server", "validate", "everything", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseDocument(result)).toMatchObject({
      ok: true,
      servers: [{ name: "everything", ok: true, transport: "stdio", tools: 16 }],
    });
    const human = await runMain(sandbox, ["server", "validate", "everything-http"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/✓\s+everything-http\s+streamable-http\s+\d+ ms\s+15 tools/);
  });

  it("validates every enabled server and fails with the first failure's code", async () => {
    sandbox.write(
      "validate.json",
      JSON.stringify({
        mcpServers: {
          good: { command: EVERYTHING_BIN },
          bad: fixtureCommand("crash", "--crash-on-start"),
          off: { command: "/nonexistent", disabled: true },
        },
      }),
    );
    const result = await runMain(sandbox, [
      "server",
      "validate",
      "--config",
      join(sandbox.root, "validate.json"),
      "--json",
    ]);
    expect(result.code).toBe(3);
    const document = parseDocument(result) as {
      ok: boolean;
      error: { code: string; message: string; details: { servers: { name: string; ok: boolean }[] } };
    };
    expect(document.ok).toBe(false);
    expect(document.error.code).toBe("CONNECT_FAILED");
    expect(document.error.message).toBe("1 of 2 servers failed validation: bad (CONNECT_FAILED)");
    expect(document.error.details.servers.map((server) => [server.name, server.ok])).toEqual([
      ["good", true],
      ["bad", false],
    ]);
  });
});
