/**
 * `mcp-cli auth login|status|logout` and stored logins on every command's connection path, with
 * the built CLI against oidc-provider and an OAuth-protected MCP server. The browser is played by
 * test/fixtures/servers/oauth/browser.mjs through the BROWSER convention, or by the test itself
 * for `--no-browser`. Every output is checked for the tokens, which must never appear.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
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
import { withTokenLock } from "../../mcp-client/src/auth/token-lock.js";
import { CredentialStore } from "../../mcp-client/src/auth/token-store.js";
import {
  CLI_BIN,
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

async function storedTokens(): Promise<{ access: string; refresh: string; id: string }> {
  const record = await stateStore().read("protected", mcpServer.url);
  return {
    access: record?.tokens?.access_token ?? "",
    refresh: record?.tokens?.refresh_token ?? "",
    id: record?.tokens?.id_token ?? "",
  };
}

/** Every token seen during the run, to check that no output ever contained one. */
const tokensSeen = new Set<string>();
async function rememberTokens(): Promise<void> {
  const { access, refresh, id } = await storedTokens();
  for (const token of [access, refresh, id]) if (token !== "") tokensSeen.add(token);
}

/** The saved skill's script: it calls the protected server through the skill's own wrapper. */
const SKILL_SCRIPT =
  'import { echo } from "./servers/protected/echo.ts";\nexport default await echo({ message: "via the skill" });\n';

/** `execute --skill protected` only: the server comes in through the skill, never --server. */
function executeSkill(): Promise<CliResult> {
  return cli([
    "execute",
    "--skills-dir",
    join(sandbox.root, "skills"),
    "--skill",
    "protected",
    "--json",
    "skill-run.ts",
  ]);
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
    // openid: the ID token says who logs in (auth status shows the account).
    const result = await cli([
      "auth",
      "login",
      "protected",
      "--scope",
      "openid",
      "--scope",
      "email",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = parseDocument(result);
    expect(document).toMatchObject({
      ok: true,
      login: {
        server: "protected",
        loggedIn: true,
        issuer: authorizationServer.issuer,
        resource: mcpServer.url,
        account: { source: "id_token", subject: "test-user", email: "test-user@example.test" },
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

    // A server only the saved skill brings in gets the stored login too.
    sandbox.write("work/skill-run.ts", SKILL_SCRIPT);
    const viaSkill = await executeSkill();
    expect(viaSkill.code, viaSkill.stderr).toBe(0);
    expect(JSON.stringify(parseDocument(viaSkill))).toContain("echo: via the skill");

    const list = await cli(["server", "list"]);
    expect(list.stdout).toMatch(
      /auth: oauth \(logged in as test-user@example\.test, expires in (59|60) min\)/,
    );

    const status = await cli(["auth", "status", "--json"]);
    expect(parseDocument(status)).toMatchObject({
      ok: true,
      logins: [{ server: "protected", loggedIn: true, scopes: expect.arrayContaining(["mcp:read"]) }],
    });
    expect(parseDocument(status)).toMatchObject({
      logins: [{ account: { subject: "test-user", email: "test-user@example.test" } }],
    });
    const human = await cli(["auth", "status", "protected"]);
    expect(human.stdout).toMatch(/^protected: logged in as test-user@example\.test, expires in/);
    expect(human.stdout).toMatch(/account: +test-user@example\.test \(sub test-user, from the ID token\)/);
  });

  it("serve and the daemon use the stored login, and print no token", async () => {
    const code = 'return await callTool("protected", "echo", { message: "through serve" })';
    const client = new Client({ name: "auth-test", version: "1" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI_BIN, "--config", config, "serve", "--server", "protected"],
        cwd: join(sandbox.root, "work"),
        env: sandbox.env(),
        stderr: "pipe",
      }),
    );
    try {
      const served = await client.callTool({ name: "execute", arguments: { code } });
      expect(served.isError, JSON.stringify(served)).toBeFalsy();
      expect(JSON.stringify(served.structuredContent)).toContain("echo: through serve");
      for (const token of tokensSeen) expect(JSON.stringify(served)).not.toContain(token);
    } finally {
      await client.close();
    }

    const started = await cli(["daemon", "start"]);
    expect(started.code, started.stderr).toBe(0);
    try {
      const viaDaemon = await cli([
        "execute",
        "--server",
        "protected",
        "--json",
        "-e",
        'return await callTool("protected", "echo", { message: "through the daemon" })',
      ]);
      expect(viaDaemon.code, viaDaemon.stderr).toBe(0);
      expect(JSON.stringify(parseDocument(viaDaemon))).toContain("echo: through the daemon");
      const status = await cli(["daemon", "status", "--json"]);
      // The daemon, not this process, made the call.
      expect(parseDocument(status)).toMatchObject({ daemon: { executions: 1 } });
    } finally {
      const stopped = await cli(["daemon", "stop"]);
      expect(stopped.code, stopped.stderr).toBe(0);
    }
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

  it("auth status says honestly when the account is unknown", async () => {
    // As after a login the authorization server said nothing about (no ID token, no introspection).
    await stateStore().update("protected", mcpServer.url, (current) => {
      const { account: _account, ...rest } = current;
      return rest;
    });
    const human = await cli(["auth", "status", "protected"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^protected: logged in, expires in/);
    expect(human.stdout).toMatch(/account: +unknown \(the authorization server gave no verified ID token/);
  });

  it("auth logout revokes at the authorization server (RFC 7009), then deletes the stored login", async () => {
    const record = await stateStore().read("protected", mcpServer.url);
    const { refresh } = await storedTokens();
    expect(refresh).not.toBe("");
    const result = await cli(["auth", "logout", "protected"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "logged out of protected: the authorization server revoked the tokens and the local copy is deleted\n",
    );
    const status = await cli(["auth", "status", "protected"]);
    expect(status.stdout).toContain("protected: not logged in");
    // The refresh token no longer works at the authorization server.
    const refused = await fetch(`${authorizationServer.issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refresh,
        client_id: record?.client?.client_id ?? "",
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_grant" });

    // Logged out, the skill's server is AUTH_REQUIRED with the exact command, as by --server.
    const viaSkill = await executeSkill();
    expect(viaSkill.code).toBe(4);
    const document = parseDocument(viaSkill) as { error: { code: string; message: string } };
    expect(document.error.code).toBe("AUTH_REQUIRED");
    expect(document.error.message).toContain(`mcp-cli auth login protected --config ${config}`);
  });

  it("auth logout --local skips revocation; a failed revocation still deletes and says so", async () => {
    expect((await cli(["auth", "login", "protected"])).code).toBe(0);
    await rememberTokens();
    const local = await cli(["auth", "logout", "protected", "--local", "--json"]);
    expect(parseDocument(local)).toEqual({
      ok: true,
      server: "protected",
      removed: 1,
      revocation: "skipped",
    });

    expect((await cli(["auth", "login", "protected"])).code).toBe(0);
    await rememberTokens();
    // The revocation endpoint cannot be reached (nothing listens on that port any more).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await stateStore().update("protected", mcpServer.url, (current) => {
      const discovery = current.discovery as { authorizationServerMetadata: Record<string, unknown> };
      return {
        ...current,
        discovery: {
          ...discovery,
          authorizationServerMetadata: {
            ...discovery.authorizationServerMetadata,
            revocation_endpoint: `http://127.0.0.1:${port}/revoke`,
          },
        },
      };
    });
    const failed = await cli(["auth", "logout", "protected"]);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toBe(
      `logged out of protected locally: revoking at the authorization server failed (refresh token: cannot reach 127.0.0.1:${port} (ECONNREFUSED)), so the tokens may stay valid there until they expire\n`,
    );
    expect((await stateStore().list("protected")).length).toBe(0);
  });

  it("auth logout waits for a refresh holding the login's lock, then revokes and deletes", async () => {
    expect((await cli(["auth", "login", "protected"])).code).toBe(0);
    await rememberTokens();
    // This test process holds the lock as a refreshing mcp-cli would.
    let release!: () => void;
    let inside!: () => void;
    const holding = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const held = withTokenLock(stateStore().fileFor("protected", mcpServer.url), async () => {
      inside();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await holding;
    const started = startCli(sandbox, ["--config", config, "auth", "logout", "protected"]);
    started.child.stdin?.end();
    await started.waitForOutput(
      "another mcp-cli process is refreshing the login of protected; waiting for it",
    );
    expect((await stateStore().list("protected")).length).toBe(1);
    release();
    await held;
    const result = await started.result;
    outputs.push(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "logged out of protected: the authorization server revoked the tokens and the local copy is deleted\n",
    );
    expect(readdirSync(stateStore().directory)).toEqual([]);
  });
});
