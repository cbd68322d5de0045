/**
 * The built CLI against hostile servers (issues 11 and 19):
 * - a killed CLI leaves no server behind: `mcp-cli call` against a server that ignores stdin and
 *   SIGTERM and has started a child of its own, SIGKILLed while the tool hangs. No exit hook runs
 *   on SIGKILL; the watcher of packages/mcp-client/src/supervisor.ts must end the group;
 * - an HTTP server that echoes the request's credentials into its error: nothing printed has them;
 * - a server that floods stdout: stderr stays small.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  fixtureCommand,
  processAlive,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, parseDocument, runCli, type Sandbox, startCli } from "./helpers.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
});

afterAll(() => {
  sandbox.remove();
});

/** Live (not zombie) processes whose parent is `pid`, with their command names. */
function childrenOf(pid: number): { pid: number; command: string }[] {
  const output = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat=,comm="], { encoding: "utf8" });
  const children: { pid: number; command: string }[] = [];
  for (const line of output.split("\n")) {
    const [child, parent, stat, command] = line.trim().split(/\s+/);
    if (Number(parent) === pid && !stat?.startsWith("Z"))
      children.push({ pid: Number(child), command: command ?? "" });
  }
  return children;
}

describe("a killed CLI", () => {
  it("SIGKILL during a hanging call: the server (which ignores SIGTERM) and its child die too", async () => {
    const hang = fixtureCommand("hang", "--ignore-signals", "--spawn-child");
    const config = sandbox.write("killed/config.json", JSON.stringify({ mcpServers: { hang } }));
    const started = startCli(sandbox, ["call", "--config", config, "hang", "hang", "-v"]);
    const cliPid = started.child.pid as number;
    await started.waitForOutput("child pid ");
    await started.waitForOutput("calling hang/hang");
    // The server is the CLI's node child; the grandchild is the server's.
    let server: number | undefined;
    let grandchild: number | undefined;
    expect(
      await eventually(() => {
        server = childrenOf(cliPid).find((child) => child.command === "node")?.pid;
        grandchild = server === undefined ? undefined : childrenOf(server)[0]?.pid;
        return grandchild !== undefined;
      }, 20_000),
    ).toBe(true);
    expect(processAlive(server as number)).toBe(true);
    expect(processAlive(grandchild as number)).toBe(true);

    started.child.kill("SIGKILL");
    const result = await started.result;
    expect(result.signal).toBe("SIGKILL");
    expect(await eventually(() => !processAlive(server as number), 20_000)).toBe(true);
    expect(await eventually(() => !processAlive(grandchild as number), 20_000)).toBe(true);
  });
});

describe("secrets", () => {
  it("a server that echoes the Authorization header and query into its error: masked on stdout and stderr", async () => {
    const server = await startHttpFixture("hostile-http", ["--mode", "echo-secrets", "--on", "initialize"]);
    try {
      const config = sandbox.write(
        "secrets/config.json",
        JSON.stringify({
          mcpServers: {
            echo: {
              type: "http",
              url: `${server.url}?apikey=\${QUERY_KEY}`,
              headers: { Authorization: "Bearer ${API_TOKEN}" },
            },
          },
        }),
      );
      const env = { API_TOKEN: "tok-5e1f0c2a9b7d", QUERY_KEY: "qk-41d9e8f07a6b" };
      for (const flags of [["--json"], ["-v"]]) {
        const result = await runCli(sandbox, ["introspect", "--config", config, "echo", ...flags], { env });
        expect(result.code).toBe(3);
        const printed = result.stdout + result.stderr;
        expect(printed).toContain("internal error while handling");
        expect(printed).not.toContain(env.API_TOKEN);
        expect(printed).not.toContain(env.QUERY_KEY);
        if (flags[0] === "--json") {
          expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "CONNECT_FAILED" } });
        }
      }
    } finally {
      await server.stop();
    }
  });
});

describe("noise", () => {
  it("a server that prints 20,000 garbage lines on stdout: a few warnings on stderr, the call works", async () => {
    const flood = fixtureCommand("flood", "--lines", "20000");
    const result = await runCli(sandbox, [
      "call",
      "--json",
      "echo",
      "message=hi",
      "--",
      flood.command,
      ...flood.args,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseDocument(result)).toMatchObject({ ok: true, result: "hi" });
    const warnings = result.stderr.split("\n").filter((line) => line.includes("[server:flood]"));
    expect(warnings.length).toBeLessThanOrEqual(7);
    expect(result.stderr.length).toBeLessThan(5_000);
    expect(result.stderr).not.toContain("\u001b");
  });
});
