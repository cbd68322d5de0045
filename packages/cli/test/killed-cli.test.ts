/**
 * A killed CLI leaves no server behind (issue 19): `mcp-cli call` against a server that ignores
 * stdin and SIGTERM and has started a child of its own, SIGKILLed while the tool hangs. No exit
 * hook runs on SIGKILL; the watcher of packages/mcp-client/src/supervisor.ts must end the group.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, fixtureCommand, processAlive } from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, type Sandbox, startCli } from "./helpers.js";

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
