/**
 * Who is logged in (a verified ID token, token introspection), the cross-process refresh lock
 * with rotating refresh tokens, and RFC 7009 revocation, against real oidc-provider servers and a
 * protected MCP server. Connections use a real SDK v2 client with our provider.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { auth, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from "../../../../test/fixtures/servers/oauth/authorization-server.mjs";
import { playBrowser } from "../../../../test/fixtures/servers/oauth/browser.mjs";
import {
  type RunningProtectedServer,
  startProtectedServer,
} from "../../../../test/fixtures/servers/oauth/protected-server.mjs";
import { identifyAccount } from "../../src/auth/account.js";
import { login } from "../../src/auth/login.js";
import { StoredOAuthProvider } from "../../src/auth/provider.js";
import { revokeLogin } from "../../src/auth/revoke.js";
import { storedLoginProvider } from "../../src/auth/session.js";
import { authStatusLine, describeRecord } from "../../src/auth/status.js";
import { withTokenLock } from "../../src/auth/token-lock.js";
import { CredentialStore } from "../../src/auth/token-store.js";
import { connectServer } from "../../src/connection/connect.js";
import { remoteConfig } from "../configs.js";
import { failure } from "../outcomes.js";

/** Rotates refresh tokens, offers introspection and revocation. */
let rotating: RunningAuthorizationServer;
/** Offers neither introspection nor revocation. */
let bare: RunningAuthorizationServer;
let rotatingServer: RunningProtectedServer;
let bareServer: RunningProtectedServer;
const directories: string[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  rotating = await startAuthorizationServer({ rotateRefreshTokens: true, introspection: true });
  bare = await startAuthorizationServer({ revocation: false });
  rotatingServer = await startProtectedServer({ issuer: rotating.issuer });
  bareServer = await startProtectedServer({ issuer: bare.issuer });
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
});

afterAll(async () => {
  await rotatingServer?.close();
  await bareServer?.close();
  await rotating?.close();
  await bare?.close();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "mcp-cli-oauth-more-"));
  directories.push(directory);
  return directory;
}

async function loginTo(store: CredentialStore, server: RunningProtectedServer, scopes?: string[]) {
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

async function expireSoon(store: CredentialStore, server: RunningProtectedServer): Promise<void> {
  await store.update("protected", server.url, (record) => ({
    ...record,
    ...(record.tokens === undefined ? {} : { tokens: { ...record.tokens, expiresAt: Date.now() + 5_000 } }),
  }));
}

async function echo(server: RunningProtectedServer, provider: StoredOAuthProvider): Promise<string> {
  const client = new Client({ name: "oauth-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }));
  clients.push(client);
  const result = await client.callTool({ name: "echo", arguments: { message: "hi" } });
  return (result as { content: { text: string }[] }).content.map((block) => block.text).join("");
}

describe("who is logged in", () => {
  it("with openid: the verified ID token names the account, in the record, the status and server list", async () => {
    const store = new CredentialStore(freshDirectory());
    const status = await loginTo(store, rotatingServer, ["openid", "email", "profile"]);
    expect(status.account).toEqual({
      source: "id_token",
      subject: "test-user",
      email: "test-user@example.test",
      username: "test-user",
      name: "Test User",
    });
    expect(await authStatusLine(store, "protected")).toMatch(
      /^auth: oauth \(logged in as test-user@example\.test, expires in (59|60) min\)$/,
    );
    // The account (never a token) is what the status carries.
    const record = await store.read("protected", rotatingServer.url);
    const shown = JSON.stringify(describeRecord(record as NonNullable<typeof record>, Date.now()));
    expect(shown).not.toContain(record?.tokens?.access_token as string);
    expect(shown).not.toContain(record?.tokens?.id_token as string);

    // A refresh that brings an ID token says again who it is (the stored account is dropped here,
    // and the stored ID token changed, so only the refresh can bring it back).
    await store.update("protected", rotatingServer.url, (current) => {
      const { account: _account, ...rest } = current;
      return {
        ...rest,
        ...(current.tokens === undefined
          ? {}
          : { tokens: { ...current.tokens, id_token: "earlier", expiresAt: Date.now() + 5_000 } }),
      };
    });
    await storedLoginProvider({ store, server: "protected", serverUrl: rotatingServer.url });
    const refreshed = await store.read("protected", rotatingServer.url);
    expect(rotating.log.tokenRequests.at(-1)).toMatchObject({ grant_type: "refresh_token", status: 200 });
    expect(refreshed?.account).toMatchObject({ source: "id_token", email: "test-user@example.test" });
  });

  it("an ID token that does not verify names nobody", async () => {
    const store = new CredentialStore(freshDirectory());
    await loginTo(store, bareServer, ["openid", "email"]);
    const record = (await store.read("protected", bareServer.url)) as NonNullable<
      Awaited<ReturnType<CredentialStore["read"]>>
    >;
    const [header, payload] = String(record.tokens?.id_token ?? "").split(".");
    const claims = JSON.parse(Buffer.from(payload as string, "base64url").toString("utf8"));
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, email: "mallory@example.test" })).toString("base64url")}.c2lnbmF0dXJl`;
    const tokens = { ...(record.tokens as NonNullable<typeof record.tokens>), id_token: forged };
    expect(await identifyAccount({ record: { ...record, tokens }, idTokenOnly: true })).toBeUndefined();
    // The genuine one verifies.
    expect(await identifyAccount({ record, idTokenOnly: true })).toMatchObject({ subject: "test-user" });
  });

  it("userinfo: names the account when there is no ID token; one about another subject is not believed", async () => {
    const store = new CredentialStore(freshDirectory());
    await loginTo(store, bareServer, ["openid", "email"]);
    const record = (await store.read("protected", bareServer.url)) as NonNullable<
      Awaited<ReturnType<CredentialStore["read"]>>
    >;
    // A userinfo endpoint of our own (oidc-provider's refuses access tokens bound to a resource).
    let answer: Record<string, unknown> = {};
    const seen: string[] = [];
    const userinfo = createServer((request, response) => {
      seen.push(request.headers.authorization ?? "");
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => userinfo.listen(0, "127.0.0.1", resolve));
    try {
      const discovery = record.discovery as { authorizationServerMetadata: Record<string, unknown> };
      const pointed = {
        ...record,
        discovery: {
          ...discovery,
          authorizationServerMetadata: {
            ...discovery.authorizationServerMetadata,
            userinfo_endpoint: `http://127.0.0.1:${(userinfo.address() as AddressInfo).port}/me`,
          },
        },
      };
      const { id_token: _idToken, ...withoutIdToken } = record.tokens as NonNullable<typeof record.tokens>;
      answer = { sub: "test-user", email: "from-userinfo@example.test", name: "\u001b[31mRed\u001b[0m" };
      const fromUserinfo = await identifyAccount({
        record: { ...pointed, tokens: { ...withoutIdToken, scope: "openid email" } },
      });
      expect(fromUserinfo).toEqual({
        source: "userinfo",
        subject: "test-user",
        email: "from-userinfo@example.test",
        name: " [31mRed [0m",
      });
      expect(seen.at(-1)).toBe(`Bearer ${record.tokens?.access_token}`);

      answer = { sub: "someone-else", email: "mallory@example.test" };
      expect(await identifyAccount({ record: pointed })).toMatchObject({
        source: "id_token",
        subject: "test-user",
        email: "test-user@example.test",
      });
    } finally {
      await new Promise((resolve) => userinfo.close(resolve));
    }
  });

  it("without openid: token introspection (RFC 7662) names the account where it is offered; else unknown", async () => {
    const introspected = new CredentialStore(freshDirectory());
    const status = await loginTo(introspected, rotatingServer);
    expect(status.scopes).not.toContain("openid");
    expect(status.account).toMatchObject({ source: "introspection", subject: "test-user" });

    const unknown = new CredentialStore(freshDirectory());
    const without = await loginTo(unknown, bareServer);
    expect(without.account).toBeUndefined();
    expect(await authStatusLine(unknown, "protected")).toMatch(/^auth: oauth \(logged in, expires in/);
  });
});

describe("the refresh lock", () => {
  it("two providers refreshing at once with rotating refresh tokens: one refresh, both valid, the grant survives", async () => {
    const directory = freshDirectory();
    const store = new CredentialStore(directory);
    await loginTo(store, rotatingServer);
    await expireSoon(store, rotatingServer);
    const before = rotating.log.tokenRequests.length;

    // Two independent stores and providers on the same files, as two processes would have.
    const [first, second] = await Promise.all([
      storedLoginProvider({
        store: new CredentialStore(directory),
        server: "protected",
        serverUrl: rotatingServer.url,
      }),
      storedLoginProvider({
        store: new CredentialStore(directory),
        server: "protected",
        serverUrl: rotatingServer.url,
      }),
    ]);
    const refreshes = rotating.log.tokenRequests
      .slice(before)
      .filter((request) => request.grant_type === "refresh_token");
    // The second waited for the lock, found the first one's tokens and used them.
    expect(refreshes).toEqual([expect.objectContaining({ status: 200 })]);
    expect((await first.tokens())?.access_token).toBe((await second.tokens())?.access_token);
    expect(await echo(rotatingServer, first)).toBe("echo: hi");
    expect(await echo(rotatingServer, second)).toBe("echo: hi");

    // The lock is gone once both are done; the folder holds the credential file only.
    expect(readdirSync(store.directory)).toEqual([basename(store.fileFor("protected", rotatingServer.url))]);

    // The grant survived: the next refresh works.
    await expireSoon(store, rotatingServer);
    await storedLoginProvider({ store, server: "protected", serverUrl: rotatingServer.url });
    expect(rotating.log.tokenRequests.at(-1)).toMatchObject({ grant_type: "refresh_token", status: 200 });
  });

  it("two connections renewing on a 401 at once (connectServer's transports): one refresh, both calls succeed", async () => {
    const directory = freshDirectory();
    const store = new CredentialStore(directory);
    await loginTo(store, rotatingServer);
    const config = remoteConfig("protected", rotatingServer.url, "streamable-http");
    const connections = await Promise.all(
      [0, 1].map(async () =>
        connectServer(config, {
          authProvider: await storedLoginProvider({
            store: new CredentialStore(directory),
            server: "protected",
            serverUrl: rotatingServer.url,
          }),
        }),
      ),
    );
    try {
      // The server stops accepting the token both connections hold: each gets a 401 and renews.
      rotatingServer.revoke(
        (await store.read("protected", rotatingServer.url))?.tokens?.access_token as string,
      );
      const before = rotating.log.tokenRequests.length;
      const results = await Promise.all(
        connections.map((connection) => connection.callTool("echo", { message: "after 401" })),
      );
      for (const result of results) expect(JSON.stringify(result.content)).toContain("echo: after 401");
      const refreshes = rotating.log.tokenRequests
        .slice(before)
        .filter((request) => request.grant_type === "refresh_token");
      expect(refreshes).toEqual([expect.objectContaining({ status: 200 })]);
    } finally {
      for (const connection of connections) await connection.close();
    }
  });

  it("a refresh after another process's refresh sends the newest refresh token, never a consumed one", async () => {
    const directory = freshDirectory();
    const store = new CredentialStore(directory);
    await loginTo(store, rotatingServer);
    // This provider read the tokens, then "another process" refreshed them.
    const stale = new StoredOAuthProvider({
      store: new CredentialStore(directory),
      server: "protected",
      serverUrl: rotatingServer.url,
    });
    await stale.record();
    await expireSoon(store, rotatingServer);
    await storedLoginProvider({ store, server: "protected", serverUrl: rotatingServer.url });
    await expireSoon(store, rotatingServer);
    // The stale provider's refresh (as on a 401) goes through the guard: the newest token is sent.
    const result = await auth(stale, { serverUrl: rotatingServer.url, fetchFn: stale.guardRefresh(fetch) });
    expect(result).toBe("AUTHORIZED");
    expect(rotating.log.tokenRequests.at(-1)).toMatchObject({ grant_type: "refresh_token", status: 200 });
    expect(await echo(rotatingServer, stale)).toBe("echo: hi");
  });

  it("without the lock the same race burns the grant (why the lock exists)", async () => {
    const directory = freshDirectory();
    const store = new CredentialStore(directory);
    await loginTo(store, rotatingServer);
    const providers = [0, 1].map(
      () =>
        new StoredOAuthProvider({
          store: new CredentialStore(directory),
          server: "protected",
          serverUrl: rotatingServer.url,
        }),
    );
    await Promise.all(providers.map((provider) => provider.record()));
    const results = await Promise.allSettled(
      providers.map((provider) => auth(provider, { serverUrl: rotatingServer.url, fetchFn: fetch })),
    );
    expect(results.some((result) => result.status === "rejected")).toBe(true);
  });

  it("a stale lock is taken over, a live one times out (TIMEOUT), a planted symlink is not followed", async () => {
    const directory = freshDirectory();
    const file = join(directory, "server.json");
    // Stale by age.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, at: 0 }));
    utimesSync(`${file}.lock`, new Date(0), new Date(0));
    expect(await withTokenLock(file, async () => "ran")).toBe("ran");
    // Held by a live process (our parent): bounded wait, then TIMEOUT.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, at: Date.now() }));
    const error = await failure(withTokenLock(file, async () => "ran", { waitMs: 200 }));
    expect(error.code).toBe("TIMEOUT");
    rmSync(`${file}.lock`);
    // A symlink at the lock's path: it is not a lock file, and what it points at is never written.
    const target = join(directory, "target.txt");
    writeFileSync(target, "untouched");
    symlinkSync(target, `${file}.lock`);
    expect(await withTokenLock(file, async () => "ran")).toBe("ran");
    expect(readFileSync(target, "utf8")).toBe("untouched");
  });

  it("a holder whose lock was taken over as stale leaves the new holder's lock in place", async () => {
    const file = join(freshDirectory(), "server.json");
    let secondInside!: () => void;
    const secondHolds = new Promise<void>((resolve) => {
      secondInside = resolve;
    });
    // The first holder outlives the (tiny) stale bound: it waits until a second process took over.
    const first = withTokenLock(file, () => secondHolds);
    await eventuallyExists(`${file}.lock`);
    const second = withTokenLock(
      file,
      async () => {
        secondInside();
        await first;
        // The first holder has finished: the lock is still the second's.
        return existsSync(`${file}.lock`);
      },
      { staleMs: 1 },
    );
    expect(await second).toBe(true);
  });
});

async function eventuallyExists(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((resolve) => setImmediate(resolve));
}

describe("revocation", () => {
  it("revokes the refresh token at the revocation endpoint: a later refresh is refused", async () => {
    const store = new CredentialStore(freshDirectory());
    await loginTo(store, rotatingServer);
    const record = await store.read("protected", rotatingServer.url);
    expect(await revokeLogin({ record: record as NonNullable<typeof record> })).toEqual({
      status: "revoked",
    });
    await expireSoon(store, rotatingServer);
    const error = await failure(
      storedLoginProvider({ store, server: "protected", serverUrl: rotatingServer.url }),
    );
    expect(error.code).toBe("AUTH_REQUIRED");
  });

  it("a confidential client authenticates the revocation with its configured secret; a wrong one fails", async () => {
    const store = new CredentialStore(freshDirectory());
    const settings = rotating.preregisteredClient;
    await login({
      store,
      server: "protected",
      serverUrl: rotatingServer.url,
      settings,
      openAuthorizationUrl: async (url) => {
        await playBrowser(url.href);
      },
    });
    const record = (await store.read("protected", rotatingServer.url)) as NonNullable<
      Awaited<ReturnType<CredentialStore["read"]>>
    >;
    const wrong = await revokeLogin({ record, settings: { ...settings, clientSecret: "not-the-secret" } });
    expect(wrong).toEqual({ status: "failed", reason: "refresh token: HTTP 401 invalid_client" });
    expect(JSON.stringify(wrong)).not.toContain(record.tokens?.refresh_token as string);
    expect(await revokeLogin({ record, settings })).toEqual({ status: "revoked" });
    await expireSoon(store, rotatingServer);
    const error = await failure(
      storedLoginProvider({ store, server: "protected", serverUrl: rotatingServer.url, settings }),
    );
    expect(error.code).toBe("AUTH_REQUIRED");
  });

  it("an authorization server without a revocation endpoint: unsupported, nothing sent", async () => {
    const store = new CredentialStore(freshDirectory());
    await loginTo(store, bareServer);
    const record = await store.read("protected", bareServer.url);
    expect(await revokeLogin({ record: record as NonNullable<typeof record> })).toEqual({
      status: "unsupported",
    });
  });
});
