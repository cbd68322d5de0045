/**
 * The sandbox `bin.ts` starts before the flags are parsed (execution-prestart.ts): which command
 * lines start it, that `execute` runs on it, and that main ends it when the command did not use it.
 */
import { adoptPrestartedWorker } from "@mcp-execution/wasm-runtime/prestart";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EarlySandbox, importsGeneratedCode, wantsEarlySandbox } from "../src/execution-prestart.js";
import { main } from "../src/main.js";
import { createSandbox, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.remove());

describe("whether the early sandbox loads sucrase while idle", () => {
  it("does for runs that name servers or skills (they import generated TypeScript), in every flag form", () => {
    for (const argv of [
      ["execute", "--server", "everything", "-e", "1"],
      ["execute", "--server=everything", "-e", "1"],
      ["execute", "--skill", "weather", "-e", "1"],
      ["execute", "--skill=weather", "-e", "1"],
      ["execute", "--all-servers", "-e", "1"],
      ["execute", "-e", "1", "--", "npx", "some-server"],
    ])
      expect(importsGeneratedCode(argv), argv.join(" ")).toBe(true);
  });

  it("does not for a run without servers, whatever its words contain", () => {
    for (const argv of [
      ["execute", "-e", "return 1"],
      ["execute", "agent.ts"],
      ["execute", "--serverless.ts"],
      ["execute", "-e", "return '--server'.length"],
    ])
      expect(importsGeneratedCode(argv), argv.join(" ")).toBe(false);
  });
});

describe("which command lines start the sandbox early", () => {
  const env = (): Record<string, string> => sandbox.env();

  it("starts it for an in-process execute, after global options and their values", () => {
    expect(wantsEarlySandbox(["execute", "-e", "return 1"], env(), sandbox.home)).toBe(true);
    expect(wantsEarlySandbox(["--json", "-q", "execute", "agent.ts"], env(), sandbox.home)).toBe(true);
    expect(wantsEarlySandbox(["--config", "x.json", "execute", "-"], env(), sandbox.home)).toBe(true);
  });

  it("does not for other commands, help, components, or a word after --", () => {
    expect(wantsEarlySandbox(["--config", "execute", "call", "s", "t"], env(), sandbox.home)).toBe(false);
    expect(wantsEarlySandbox(["call", "everything", "execute"], env(), sandbox.home)).toBe(false);
    expect(wantsEarlySandbox(["execute", "--help"], env(), sandbox.home)).toBe(false);
    expect(wantsEarlySandbox(["execute", "guest.WASM"], env(), sandbox.home)).toBe(false);
    expect(wantsEarlySandbox(["--", "execute"], env(), sandbox.home)).toBe(false);
  });

  it("leaves the CPU to a running daemon unless the run stays in-process anyway", () => {
    const runtime = `${sandbox.root}/run`;
    sandbox.write(`${runtime}/mcp-cli/d-0123456789abcdef01234567.sock`, "");
    const withDaemon = { ...env(), XDG_RUNTIME_DIR: runtime };
    expect(wantsEarlySandbox(["execute", "-e", "1"], withDaemon, sandbox.home)).toBe(false);
    expect(wantsEarlySandbox(["execute", "--no-daemon", "-e", "1"], withDaemon, sandbox.home)).toBe(true);
    expect(wantsEarlySandbox(["execute", "--session", "s", "-e", "1"], withDaemon, sandbox.home)).toBe(true);
    expect(
      wantsEarlySandbox(["execute", "-e", "1"], { ...withDaemon, MCP_CLI_NO_DAEMON: "1" }, sandbox.home),
    ).toBe(true);
  });
});

function mainWith(args: readonly string[], early: EarlySandbox) {
  let stdout = "";
  let stderr = "";
  const result = main(args, {
    cwd: sandbox.cwd,
    home: sandbox.home,
    env: sandbox.env(),
    platform: process.platform,
    readStdin: async () => "",
    version: "0.0.0-test",
    stdout: {
      write: (text: string) => {
        stdout += text;
        return true;
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
    },
    signal: new AbortController().signal,
    sandbox: early,
  });
  return result.then((code) => ({ code, stdout, stderr }));
}

describe("the early sandbox in main", () => {
  it("runs execute on the worker started early", async () => {
    const result = await mainWith(
      ["execute", "--json", "-e", "const n: number = 41; return n + 1"],
      new EarlySandbox(["execute"]),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, result: 42 });
    expect(adoptPrestartedWorker(() => {})).toBeUndefined();
  });

  it("is ended when the command fails before it runs anything", async () => {
    const result = await mainWith(
      ["execute", "--timeout", "soon", "-e", "return 1"],
      new EarlySandbox(["execute"]),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--timeout");
    // Cancelled, not waiting for an executor to adopt it.
    expect(adoptPrestartedWorker(() => {})).toBeUndefined();
  });
});
