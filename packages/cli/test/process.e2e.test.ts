/**
 * What only the real process shows: the executable's exit status for each kind of outcome, SIGINT
 * delivered as a signal (bin.ts turns it into an abort), the `--version` fast path, and colour
 * under a real pseudo-terminal (`script`). Everything else about commands runs in-process.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_BIN, createSandbox, parseDocument, runCli, type Sandbox, startCli } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.remove());

describe("exit status of the process", () => {
  const cases: [string, string[], number][] = [
    ["success", ["execute", "-e", "return 1"], 0],
    ["usage error", ["execute", "--no-such-flag"], 1],
    ["guest error", ["execute", "-e", "throw new Error('boom')"], 2],
    ["sandbox limit", ["execute", "--timeout", "300", "-e", "while (true) {}"], 5],
  ];
  for (const [name, args, status] of cases) {
    it(`${name}: ${status}`, async () => {
      const result = await runCli(sandbox, args);
      expect(result.code, result.stderr).toBe(status);
    });
  }

  it("--version alone answers from the fast path, on stdout only", async () => {
    const result = await runCli(sandbox, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.stderr).toBe("");
  });
});

describe("SIGINT", () => {
  it("stops a running guest: exit 130, CANCELLED, its logs kept", async () => {
    const started = startCli(sandbox, [
      "execute",
      "--json",
      "--timeout",
      "60000",
      "-e",
      "console.log('spinning'); while (true) {}",
    ]);
    // Nothing in --json mode says the guest is in its loop yet; the delay only makes it likely. The
    // test holds either way: a SIGINT before the guest starts is CANCELLED with exit 130 too.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    started.child.kill("SIGINT");
    const result = await started.result;
    expect(result.code).toBe(130);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "CANCELLED" } });
  });
});

const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0;

describe.skipIf(!hasScript)("under a real terminal", () => {
  function inTerminal(args: string, env: Record<string, string> = {}): string {
    const result = spawnSync("script", ["-qec", `"${process.execPath}" "${CLI_BIN}" ${args}`, "/dev/null"], {
      cwd: sandbox.cwd,
      env: { ...sandbox.env(), TERM: "xterm-256color", ...env },
      encoding: "utf8",
    });
    return result.stdout;
  }

  it("colours an error on a terminal, and not with NO_COLOR or --no-color", () => {
    expect(inTerminal("server info nope")).toContain("\u001b[31merror:");
    expect(inTerminal("server info nope", { NO_COLOR: "1" })).not.toContain("\u001b[");
    expect(inTerminal("server info nope --no-color")).not.toContain("\u001b[");
  });
});
