/**
 * `mcp-cli auth login|status|logout` and stored logins on every command's connection path, with
 * the built CLI against oidc-provider and an OAuth-protected MCP server. The browser is played by
 * test/fixtures/servers/oauth/browser.mjs through the BROWSER convention, or by the test itself
 * for `--no-browser`. Every output is checked for the tokens, which must never appear.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from "../../../test/fixtures/servers/oauth/authorization-server.mjs";
import { followToCallback } from "../../../test/fixtures/servers/oauth/browser.mjs";
import {
  type RunningProtectedServer,
  startProtectedServer,
} from "../../../test/fixtures/servers/oauth/protected-server.mjs";
import { CredentialStore } from "../../mcp-client/src/auth/token-store.js";
import {
  type CliResult,
  createSandbox,
  parseDocument,
  REPO_ROOT,
  runCli,
  type Sandbox,
  startCli,
} from "./helpers.js";

const BROWSER = `${process.execPath} ${join(REPO_ROOT, "test", "fixtures", "servers", "oauth", "browser.mjs")}`;

let authorizationServer: RunningAuthorizationServer;
let mcpServer: RunningProtectedServer;
let sandbox: Sandbox;
let config: string;
const outputs: CliResult[] = [];

function stateStore(): CredentialStore {
  return new CredentialStore(join(sandbox.home, ".local", "state", "mcp-cli"));
}

async function cli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const result = await runCli(sandbox, ["--config", config, ...args], {
    env: { BROWSER, ...env },
    ...(input === undefined ? {} : { input }),
  });
  outputs.push(result);
  return result;
}

async function storedTokens(): Promise<{ access: string; refresh: string }> {
  const record = await stateStore().read("protected", mcpServer.url);
  return { access: record?.tokens?.access_token ?? "", refresh: record?.tokens?.refresh_token ?? "" };
}

/** Every token seen during the run, to check that no output ever contained one. */
const tokensSeen = new Set<string>();
async function rememberTokens(): Promise<void> {
  const { access, refresh } = await storedTokens();
  if (access !== "") tokensSeen.add(access);
  if (refresh !== "") tokensSeen.add(refresh);
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  authorizationServer = await startAuthorizationServer();
  mcpServer = await startProtectedServer({ issuer: authorizationServer.issuer });
  sandbox = createSandbox("mcp-cli-auth-");
  config = sandbox.write(
    "config.json",
    JSON.stringify({ mcpServers: { protected: { type: "http", url: mcpServer.url } } }),
  );
});

afterAll(async () => {
  // Tokens never reach any output, success or failure, human or --json.
  for (const token of tokensSeen) {
    for (const result of outputs) {
      expect(result.stdout).not.toContain(token);
      expect(result.stderr).not.toContain(token);
    }
  }
  await mcpServer?.close();
  await authorizationServer?.close();
  sandbox?.remove();
});

describe("mcp-cli auth", () => {
  it("before a login, a call fails with exit 4", async () => {
    const result = await cli(["call", "protected", "echo", "message=hi", "--json"]);
    expect(result.code).toBe(4);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "AUTH_REQUIRED" } });
    // introspect passes the stored login as the transport's authProvider: the exact command.
    const introspect = await cli(["introspect", "protected", "--json"]);
    expect(introspect.code).toBe(4);
    const document = parseDocument(introspect) as { error: { code: string; message: string } };
    expect(document.error.code).toBe("AUTH_REQUIRED");
    expect(document.error.message).toContain(`mcp-cli auth login protected --config ${config}`);
  });

  it("auth login opens the BROWSER, stores the tokens 0600 in a 0700 folder, prints no token", async () => {
    const result = await cli(["auth", "login", "protected", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const document = parseDocument(result);
    expect(document).toMatchObject({
      ok: true,
      login: {
        server: "protected",
        loggedIn: true,
        issuer: authorizationServer.issuer,
        resource: mcpServer.url,
      },
    });
    expect(result.stderr).toContain("open this address in a browser");
    await rememberTokens();
    const store = stateStore();
    expect(statSync(store.directory).mode & 0o777).toBe(0o700);
    expect(statSync(store.fileFor("protected", mcpServer.url)).mode & 0o777).toBe(0o600);
  });

  it("call, execute and introspect use the stored token; server list and auth status show the login", async () => {
    const call = await cli(["call", "protected", "echo", "message=hi", "--json"]);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.stringify(parseDocument(call))).toContain("echo: hi");

    const execute = await cli([
      "execute",
      "--server",
      "protected",
      "--json",
      "-e",
      'return await callTool("protected", "echo", { message: "from the sandbox" })',
    ]);
    expect(execute.code, execute.stderr).toBe(0);
    expect(JSON.stringify(parseDocument(execute))).toContain("echo: from the sandbox");

    const introspect = await cli(["introspect", "protected", "--json"]);
    expect(introspect.code, introspect.stderr).toBe(0);

    // Generated files and the saved skill hold no token.
    const out = join(sandbox.root, "generated");
    const generate = await cli([
      "generate",
      "protected",
      "-o",
      out,
      "--save-skill",
      "--skills-dir",
      join(sandbox.root, "skills"),
    ]);
    expect(generate.code, generate.stderr).toBe(0);
    const { access, refresh } = await storedTokens();
    for (const file of [...filesUnder(out), ...filesUnder(join(sandbox.root, "skills"))]) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain(access);
      expect(text).not.toContain(refresh);
    }
    expect(filesUnder(out).some((file) => file.endsWith("echo.ts"))).toBe(true);

    const list = await cli(["server", "list"]);
    expect(list.stdout).toMatch(/auth: oauth \(logged in, expires in (59|60) min\)/);

    const status = await cli(["auth", "status", "--json"]);
    expect(parseDocument(status)).toMatchObject({
      ok: true,
      logins: [{ server: "protected", loggedIn: true, scopes: expect.arrayContaining(["mcp:read"]) }],
    });
    const human = await cli(["auth", "status", "protected"]);
    expect(human.stdout).toMatch(/^protected: logged in, expires in/);
  });

  it("a refused refresh is AUTH_REQUIRED, exit 4, with the exact login command", async () => {
    const { refresh } = await storedTokens();
    await authorizationServer.revokeRefreshToken(refresh);
    await stateStore().update("protected", mcpServer.url, (record) => ({
      ...record,
      ...(record.tokens === undefined ? {} : { tokens: { ...record.tokens, expiresAt: Date.now() - 1000 } }),
    }));
    const result = await cli(["call", "protected", "echo", "message=hi", "--json"]);
    expect(result.code).toBe(4);
    const document = parseDocument(result) as { error: { code: string; message: string } };
    expect(document.error.code).toBe("AUTH_REQUIRED");
    expect(document.error.message).toContain(`Run: mcp-cli auth login protected --config ${config}`);
  });

  it("auth login --no-browser prints the address and accepts the pasted redirect", async () => {
    const started = startCli(sandbox, ["--config", config, "auth", "login", "protected", "--no-browser"], {
      env: { BROWSER: "/nonexistent/browser-that-must-not-run" },
    });
    let stderr = "";
    started.child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
    });
    await started.waitForOutput("Paste that whole address here");
    // The test is the person with a browser on another machine: it visits the printed address
    // and pastes back where the authorization server sent it.
    const address = /http:\/\/127\.0\.0\.1:\d+\/auth\?\S+/.exec(stderr)?.[0];
    expect(address).toBeDefined();
    const callback = await followToCallback(address as string);
    started.child.stdin?.end(`${callback.href}\n`);
    const result = await started.result;
    outputs.push(result);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^logged in to protected\n {2}server url: +http/);
    await rememberTokens();
  });

  it("a redirect with a forged state is refused (AUTH_REFUSED, exit 4)", async () => {
    const result = await cli(["auth", "login", "protected", "--json"], { PLAY_BROWSER_STATE: "forged" });
    expect(result.code).toBe(4);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "AUTH_REFUSED" } });
  });

  it("auth logout deletes the stored login", async () => {
    const result = await cli(["auth", "logout", "protected"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("logged out of protected");
    const status = await cli(["auth", "status", "protected"]);
    expect(status.stdout).toContain("protected: not logged in");
  });
});
