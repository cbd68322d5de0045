/**
 * OAuth against real servers: oidc-provider as the authorization server (dynamic registration,
 * PKCE, resource indicators, refresh, revocation) and an MCP server that verifies its JWT access
 * tokens, over Streamable HTTP (SDK v2 server) and SSE. The test plays the browser with an HTTP
 * client; connections use a real SDK v2 Client and transport with our provider.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from "../../../../test/fixtures/servers/oauth/authorization-server.mjs";
import { followToCallback, playBrowser } from "../../../../test/fixtures/servers/oauth/browser.mjs";
import {
  type RunningProtectedServer,
  startProtectedServer,
} from "../../../../test/fixtures/servers/oauth/protected-server.mjs";
import { authFetch, login } from "../../src/auth/login.js";
import type { StoredOAuthProvider } from "../../src/auth/provider.js";
import { storedLoginProvider } from "../../src/auth/session.js";
import { authStatusLine } from "../../src/auth/status.js";
import { CredentialStore } from "../../src/auth/token-store.js";
import { failure } from "../outcomes.js";

let authorizationServer: RunningAuthorizationServer;
let mcpServer: RunningProtectedServer;
let sseServer: RunningProtectedServer;
const directories: string[] = [];

beforeAll(async () => {
  authorizationServer = await startAuthorizationServer();
  mcpServer = await startProtectedServer({ issuer: authorizationServer.issuer });
  sseServer = await startProtectedServer({ issuer: authorizationServer.issuer, transport: "sse" });
});

afterAll(async () => {
  await mcpServer?.close();
  await sseServer?.close();
  await authorizationServer?.close();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function freshStore(): CredentialStore {
  const directory = mkdtempSync(join(tmpdir(), "mcp-cli-oauth-"));
  directories.push(directory);
  return new CredentialStore(join(directory, "state"));
}

async function loginWithBrowser(store: CredentialStore, server: RunningProtectedServer, scopes?: string[]) {
  return login({
    store,
    server: "protected",
    serverUrl: server.url,
    ...(scopes === undefined ? {} : { scopes }),
    openAuthorizationUrl: async (url) => {
      await playBrowser(url.href);
    },
  });
}

/** A real SDK v2 client over `transport`, authenticated by `provider`. */
async function connect(
  server: RunningProtectedServer,
  provider: StoredOAuthProvider,
  transport = "streamable-http",
) {
  const client = new Client({ name: "oauth-test", version: "1.0.0" });
  const url = new URL(server.url);
  await client.connect(
    transport === "sse"
      ? new SSEClientTransport(url, { authProvider: provider })
      : new StreamableHTTPClientTransport(url, { authProvider: provider }),
  );
  return client;
}

function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return content.map((block) => block.text).join("");
}

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
});

describe("auth login", () => {
  it("logs in through the browser with discovery, dynamic registration, PKCE S256, state and the resource indicator", async () => {
    const store = freshStore();
    const registrationsBefore = authorizationServer.log.registrations.length;
    const authorizationsBefore = authorizationServer.log.authorizations.length;
    const tokenRequestsBefore = authorizationServer.log.tokenRequests.length;

    const status = await loginWithBrowser(store, mcpServer);

    expect(status).toMatchObject({
      loggedIn: true,
      issuer: authorizationServer.issuer,
      resource: mcpServer.url,
    });
    expect(status.scopes).toContain("mcp:read");
    expect(authorizationServer.log.registrations.slice(registrationsBefore)).toEqual([201]);
    const [request] = authorizationServer.log.authorizations.slice(authorizationsBefore);
    expect(request).toMatchObject({ code_challenge_method: "S256", resource: mcpServer.url });
    expect(request?.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request?.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(request?.scope?.split(" ")).toContain("mcp:read");
    expect(authorizationServer.log.tokenRequests.slice(tokenRequestsBefore)).toEqual([
      expect.objectContaining({
        grant_type: "authorization_code",
        resource: mcpServer.url,
        has_code_verifier: true,
        status: 200,
      }),
    ]);

    // The stored token opens the server through a real SDK v2 client.
    const provider = await storedLoginProvider({ store, server: "protected", serverUrl: mcpServer.url });
    const client = await connect(mcpServer, provider);
    clients.push(client);
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name).sort()).toEqual(["admin-echo", "echo"]);
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "hi" } }))).toBe("echo: hi");
    const record = await store.read("protected", mcpServer.url);
    expect(mcpServer.presented.at(-1)).toBe(record?.tokens?.access_token);
    expect(await authStatusLine(store, "protected")).toMatch(
      /^auth: oauth \(logged in, expires in (59|60) min\)$/,
    );
  });

  it("logs in without a browser from the pasted redirect URL; the loopback receiver is never visited", async () => {
    const store = freshStore();
    let redirect: URL | undefined;
    const status = await login({
      store,
      server: "protected",
      serverUrl: mcpServer.url,
      openAuthorizationUrl: async (url) => {
        redirect = await followToCallback(url.href);
      },
      readPastedRedirect: async () => {
        while (redirect === undefined) await new Promise((resolve) => setImmediate(resolve));
        return `  ${redirect.href}\n`;
      },
    });
    expect(status.loggedIn).toBe(true);
  });

  it("a second login listens on the registered port and reuses the registration", async () => {
    const store = freshStore();
    await loginWithBrowser(store, mcpServer);
    const firstRedirect = authorizationServer.log.authorizations.at(-1)?.redirect_uri;
    const registrationsBefore = authorizationServer.log.registrations.length;
    await loginWithBrowser(store, mcpServer);
    const secondRedirect = authorizationServer.log.authorizations.at(-1)?.redirect_uri;
    // Unless another process took that port in between: then mcp-cli registers anew.
    const newRegistrations = authorizationServer.log.registrations.length - registrationsBefore;
    expect(newRegistrations).toBe(secondRedirect === firstRedirect ? 0 : 1);
  });

  it("refuses a redirect whose state does not match (AUTH_REFUSED) and stores no tokens", async () => {
    const store = freshStore();
    const error = await failure(
      login({
        store,
        server: "protected",
        serverUrl: mcpServer.url,
        openAuthorizationUrl: async (url) => {
          await playBrowser(url.href, { state: "forged-state" });
        },
      }),
    );
    expect(error.code).toBe("AUTH_REFUSED");
    expect(error.message).toMatch(/state does not match/);
    expect((await store.read("protected", mcpServer.url))?.tokens).toBeUndefined();
  });

  it("refuses a pasted URL that is not a redirect", async () => {
    const store = freshStore();
    const error = await failure(
      login({
        store,
        server: "protected",
        serverUrl: mcpServer.url,
        openAuthorizationUrl: () => undefined,
        readPastedRedirect: async () => "just-a-code",
      }),
    );
    expect(error.code).toBe("AUTH_REFUSED");
    expect(error.message).toMatch(/not a URL/);
  });

  it("refuses a server whose metadata names another resource, before any authorization request", async () => {
    const wrong = await startProtectedServer({
      issuer: authorizationServer.issuer,
      advertisedResource: "https://elsewhere.example/mcp",
    });
    try {
      const store = freshStore();
      const before = authorizationServer.log.authorizations.length;
      let opened = false;
      const error = await failure(
        login({
          store,
          server: "wrong",
          serverUrl: wrong.url,
          openAuthorizationUrl: () => {
            opened = true;
          },
        }),
      );
      expect(error.code).toBe("AUTH_REFUSED");
      expect(error.message).toMatch(/elsewhere\.example/);
      expect(opened).toBe(false);
      expect(authorizationServer.log.authorizations.length).toBe(before);
    } finally {
      await wrong.close();
    }
  });

  it("uses a pre-registered client from the configuration: no registration, client_secret_basic", async () => {
    const store = freshStore();
    const registrationsBefore = authorizationServer.log.registrations.length;
    const tokenRequestsBefore = authorizationServer.log.tokenRequests.length;
    const status = await login({
      store,
      server: "protected",
      serverUrl: mcpServer.url,
      settings: authorizationServer.preregisteredClient,
      openAuthorizationUrl: async (url) => {
        expect(url.searchParams.get("client_id")).toBe(authorizationServer.preregisteredClient.clientId);
        await playBrowser(url.href);
      },
    });
    expect(status.loggedIn).toBe(true);
    expect(authorizationServer.log.registrations.length).toBe(registrationsBefore);
    expect(authorizationServer.log.tokenRequests.slice(tokenRequestsBefore)).toEqual([
      expect.objectContaining({ grant_type: "authorization_code", client_auth: "basic", status: 200 }),
    ]);
    // The configured secret stays in the configuration, never in the credential file.
    const file = readFileSync(store.fileFor("protected", mcpServer.url), "utf8");
    expect(file).not.toContain(authorizationServer.preregisteredClient.clientSecret);
  });

  it("logs in to an SSE server and calls a tool over SSE with the stored token", async () => {
    const store = freshStore();
    await loginWithBrowser(store, sseServer);
    const provider = await storedLoginProvider({ store, server: "protected", serverUrl: sseServer.url });
    const client = await connect(sseServer, provider, "sse");
    clients.push(client);
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "over sse" } }))).toBe(
      "echo: over sse",
    );
  });
});

describe("stored tokens", () => {
  it("keeps credentials in a 0700 folder as 0600 files, and refuses symlinks", async () => {
    const store = freshStore();
    await loginWithBrowser(store, mcpServer);
    const file = store.fileFor("protected", mcpServer.url);
    expect(statSync(store.directory).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A symlink planted where the file was is never followed.
    const target = join(store.directory, "..", "elsewhere.json");
    writeFileSync(target, readFileSync(file));
    rmSync(file);
    symlinkSync(target, file);
    const error = await failure(store.read("protected", mcpServer.url));
    expect(error.code).toBe("PATH_INVALID");
    // Writing replaces the link itself and leaves its target alone.
    const before = readFileSync(target, "utf8");
    await store.write({ version: 1, server: "protected", serverUrl: mcpServer.url });
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(target, "utf8")).toBe(before);

    // The folder itself must not be a symlink either.
    const base = mkdtempSync(join(tmpdir(), "mcp-cli-oauth-link-"));
    directories.push(base);
    mkdirSync(join(base, "real"));
    mkdirSync(join(base, "state"));
    symlinkSync(join(base, "real"), join(base, "state", "oauth"));
    const linked = new CredentialStore(join(base, "state"));
    expect((await failure(linked.write({ version: 1, server: "x", serverUrl: "http://x/" }))).code).toBe(
      "PATH_INVALID",
    );
  });

  it("refreshes silently before expiry", async () => {
    const store = freshStore();
    await loginWithBrowser(store, mcpServer);
    const before = await store.read("protected", mcpServer.url);
    await store.update("protected", mcpServer.url, (record) => ({
      ...record,
      ...(record.tokens === undefined
        ? {}
        : { tokens: { ...record.tokens, expiresAt: Date.now() + 30_000 } }),
    }));
    const tokenRequestsBefore = authorizationServer.log.tokenRequests.length;
    const provider = await storedLoginProvider({ store, server: "protected", serverUrl: mcpServer.url });
    expect(authorizationServer.log.tokenRequests.slice(tokenRequestsBefore)).toEqual([
      expect.objectContaining({ grant_type: "refresh_token", resource: mcpServer.url, status: 200 }),
    ]);
    const after = await store.read("protected", mcpServer.url);
    expect(after?.tokens?.access_token).not.toBe(before?.tokens?.access_token);
    expect(after?.tokens?.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const client = await connect(mcpServer, provider);
    clients.push(client);
    expect(mcpServer.presented.at(-1)).toBe(after?.tokens?.access_token);
  });

  it("refreshes on a 401 from the server and retries the request", async () => {
    const store = freshStore();
    await loginWithBrowser(store, mcpServer);
    const provider = await storedLoginProvider({ store, server: "protected", serverUrl: mcpServer.url });
    const client = await connect(mcpServer, provider);
    clients.push(client);
    const first = (await store.read("protected", mcpServer.url))?.tokens?.access_token as string;
    mcpServer.revoke(first);
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "again" } }))).toBe(
      "echo: again",
    );
    const second = (await store.read("protected", mcpServer.url))?.tokens?.access_token;
    expect(second).not.toBe(first);
    expect(mcpServer.presented.at(-1)).toBe(second);
  });

  it("a refused refresh gives AUTH_REQUIRED with the login command, and no token in the message", async () => {
    const store = freshStore();
    await loginWithBrowser(store, mcpServer);
    const record = await store.read("protected", mcpServer.url);
    const refreshToken = record?.tokens?.refresh_token as string;
    const accessToken = record?.tokens?.access_token as string;
    await authorizationServer.revokeRefreshToken(refreshToken);
    await store.update("protected", mcpServer.url, (current) => ({
      ...current,
      ...(current.tokens === undefined
        ? {}
        : { tokens: { ...current.tokens, expiresAt: Date.now() - 1000 } }),
    }));
    const error = await failure(
      storedLoginProvider({
        store,
        server: "protected",
        serverUrl: mcpServer.url,
        loginCommand: "mcp-cli auth login protected",
      }),
    );
    expect(error.code).toBe("AUTH_REQUIRED");
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain("Run: mcp-cli auth login protected");
    expect(error.message).toMatch(/expired or was revoked/);
    const everything = JSON.stringify({ message: error.message, details: error.details });
    expect(everything).not.toContain(refreshToken);
    expect(everything).not.toContain(accessToken);
    expect((await store.read("protected", mcpServer.url))?.tokens).toBeUndefined();
  });

  it("without a login, a connection fails with AUTH_REQUIRED and registers no client", async () => {
    const store = freshStore();
    const registrationsBefore = authorizationServer.log.registrations.length;
    const provider = await storedLoginProvider({ store, server: "protected", serverUrl: mcpServer.url });
    const error = await failure(connect(mcpServer, provider));
    expect(error.code).toBe("AUTH_REQUIRED");
    expect(error.message).toContain("mcp-cli auth login protected");
    expect(authorizationServer.log.registrations.length).toBe(registrationsBefore);
  });

  it("step-up: a tool that needs more scope gives AUTH_REQUIRED naming the scope; logging in with it works", async () => {
    const store = freshStore();
    await loginWithBrowser(store, mcpServer);
    const provider = await storedLoginProvider({ store, server: "protected", serverUrl: mcpServer.url });
    const client = await connect(mcpServer, provider);
    clients.push(client);
    const error = await failure(client.callTool({ name: "admin-echo", arguments: { message: "x" } }));
    expect(error.code).toBe("AUTH_REQUIRED");
    expect(error.message).toContain("mcp-cli auth login protected --scope 'mcp:read mcp:admin");
    expect(error.message).toMatch(/more access/);

    const status = await loginWithBrowser(store, mcpServer, ["mcp:admin"]);
    expect(status.scopes).toEqual(expect.arrayContaining(["mcp:read", "mcp:admin"]));
    const upgraded = await connect(
      mcpServer,
      await storedLoginProvider({ store, server: "protected", serverUrl: mcpServer.url }),
    );
    clients.push(upgraded);
    expect(textOf(await upgraded.callTool({ name: "admin-echo", arguments: { message: "x" } }))).toBe(
      "admin-echo: x",
    );
  });
});

describe("hostile answers", () => {
  it("the fetch OAuth requests go through refuses an answer over 1 MiB (LIMIT_SIZE)", async () => {
    const { createServer } = await import("node:http");
    const huge = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ issuer: "x", padding: "x".repeat(2 * 1024 * 1024) }));
    });
    await new Promise<void>((resolve) => huge.listen(0, "127.0.0.1", resolve));
    const address = huge.address() as { port: number };
    try {
      const response = await authFetch()(
        `http://127.0.0.1:${address.port}/.well-known/oauth-authorization-server`,
      );
      expect((await failure(response.json())).code).toBe("LIMIT_SIZE");
    } finally {
      huge.close();
      huge.closeAllConnections();
    }
  });
});
