/**
 * `auth logout` under the refresh lock, against a real oidc-provider that rotates refresh tokens
 * and revokes (RFC 7009), and a protected MCP server. Concurrency is staged with gates the test
 * opens itself (a lock held through the real token-lock API, a token request paused after the
 * authorization server answered, the SDK's own second store of the refreshed tokens held back),
 * never with sleeps or clocks.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auth, type FetchLike, type StoredOAuthTokens } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from "../../../../test/fixtures/servers/oauth/authorization-server.mjs";
import { playBrowser } from "../../../../test/fixtures/servers/oauth/browser.mjs";
import {
  type RunningProtectedServer,
  startProtectedServer,
} from "../../../../test/fixtures/servers/oauth/protected-server.mjs";
import { login } from "../../src/auth/login.js";
import { logout } from "../../src/auth/logout.js";
import { StoredOAuthProvider } from "../../src/auth/provider.js";
import { storedLoginProvider } from "../../src/auth/session.js";
import { withTokenLock } from "../../src/auth/token-lock.js";
import { CredentialStore } from "../../src/auth/token-store.js";
import { failure } from "../outcomes.js";

let authorization: RunningAuthorizationServer;
let server: RunningProtectedServer;
const directories: string[] = [];

beforeAll(async () => {
  authorization = await startAuthorizationServer({ rotateRefreshTokens: true });
  server = await startProtectedServer({ issuer: authorization.issuer });
});

afterAll(async () => {
  await server?.close();
  await authorization?.close();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A fresh state directory with a login to the protected server in it. */
async function loggedIn(): Promise<{ directory: string; store: CredentialStore }> {
  const directory = mkdtempSync(join(tmpdir(), "mcp-cli-logout-"));
  directories.push(directory);
  const store = new CredentialStore(directory);
  await login({
    store,
    server: "protected",
    serverUrl: server.url,
    openAuthorizationUrl: async (url) => {
      await playBrowser(url.href);
    },
  });
  return { directory, store };
}

async function expireSoon(store: CredentialStore): Promise<void> {
  await store.update("protected", server.url, (record) => ({
    ...record,
    ...(record.tokens === undefined ? {} : { tokens: { ...record.tokens, expiresAt: Date.now() + 5_000 } }),
  }));
}

/** A promise and the function that settles it. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Holds the login's lock through the real API until `release` is called. */
async function holdLock(store: CredentialStore): Promise<{ release: () => void; done: Promise<void> }> {
  const inside = gate();
  const released = gate();
  const done = withTokenLock(store.fileFor("protected", server.url), async () => {
    inside.open();
    await released.promise;
  });
  await inside.promise;
  return { release: () => released.open(), done };
}

/** The tokens sent to the revocation endpoint, in order. */
function revocationRecorder(): { fetch: FetchLike; revoked: string[] } {
  const revoked: string[] = [];
  return {
    revoked,
    fetch: async (url, init) => {
      revoked.push(new URLSearchParams(String(init?.body)).get("token") ?? "");
      return fetch(url, init);
    },
  };
}

function refreshRequests(): number {
  return authorization.log.tokenRequests.filter((request) => request.grant_type === "refresh_token").length;
}

function newProvider(directory: string): StoredOAuthProvider {
  return new StoredOAuthProvider({
    store: new CredentialStore(directory),
    server: "protected",
    serverUrl: server.url,
  });
}

/**
 * Starts a renewal of the expiring login and holds back the SDK's own call to saveTokens with the
 * refreshed tokens, which comes after guardRefresh stored them and let the lock go. Resolves once
 * the renewal is held there.
 */
async function refreshHeldBeforeSecondStore(
  directory: string,
  store: CredentialStore,
): Promise<{ refreshing: Promise<string>; resume: () => void }> {
  const loggedInToken = (await store.read("protected", server.url))?.tokens?.access_token;
  await expireSoon(store);
  const reachedSave = gate();
  const resumed = gate();
  class HeldBack extends StoredOAuthProvider {
    override async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
      if (tokens.access_token !== loggedInToken) {
        reachedSave.open();
        await resumed.promise;
      }
      return super.saveTokens(tokens);
    }
  }
  const provider = new HeldBack({
    store: new CredentialStore(directory),
    server: "protected",
    serverUrl: server.url,
  });
  expect(await provider.needsRefresh()).toBe(true);
  const refreshing = auth(provider, { serverUrl: server.url, fetchFn: provider.guardRefresh(fetch) });
  await reachedSave.promise;
  return { refreshing, resume: () => resumed.open() };
}

describe("auth logout takes the refresh lock", () => {
  it("waits while another holder has the lock, then revokes and deletes once it is released", async () => {
    const { store } = await loggedIn();
    const holder = await holdLock(store);
    const waiting = gate();
    const loggingOut = logout({ store, server: "protected", onWait: () => waiting.open() });
    // Either it waits (right), or it did not take the lock and finished at once (wrong: asserted next).
    await Promise.race([waiting.promise, loggingOut]);
    // Waiting: nothing deleted yet.
    expect(await store.read("protected", server.url)).toBeDefined();
    holder.release();
    await holder.done;
    expect(await loggingOut).toEqual({ removed: 1, revocations: [{ status: "revoked" }] });
    expect(await store.read("protected", server.url)).toBeUndefined();
    // Neither the credential file nor a lock is left.
    expect(readdirSync(store.directory)).toEqual([]);
  });

  it("--local waits for the lock too before it deletes", async () => {
    const { store } = await loggedIn();
    const holder = await holdLock(store);
    const waiting = gate();
    const loggingOut = logout({ store, server: "protected", local: true, onWait: () => waiting.open() });
    // Either it waits (right), or it did not take the lock and finished at once (wrong: asserted next).
    await Promise.race([waiting.promise, loggingOut]);
    expect(await store.read("protected", server.url)).toBeDefined();
    holder.release();
    expect(await loggingOut).toEqual({ removed: 1, revocations: [] });
    expect(readdirSync(store.directory)).toEqual([]);
  });

  it("a lock held past the wait bound: TIMEOUT naming the command to run again, nothing revoked or deleted", async () => {
    const { store } = await loggedIn();
    const holder = await holdLock(store);
    const recorder = revocationRecorder();
    const error = await failure(
      logout({
        store,
        server: "protected",
        lockWaitMs: 200,
        fetch: recorder.fetch,
        logoutCommand: "mcp-cli auth logout protected --config ./x.json",
      }),
    );
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toContain("neither revoked nor deleted");
    expect(error.message).toContain("run again: mcp-cli auth logout protected --config ./x.json");
    expect(error.details).toMatchObject({
      server: "protected",
      command: "mcp-cli auth logout protected --config ./x.json",
      removed: 0,
    });
    expect(recorder.revoked).toEqual([]);
    expect(await store.read("protected", server.url)).toBeDefined();
    holder.release();
    await holder.done;
    expect(await logout({ store, server: "protected" })).toMatchObject({ removed: 1 });
  });

  it("a refresh in progress finishes first; logout revokes its new tokens; a later refresh is AUTH_REQUIRED and writes nothing", async () => {
    const { directory, store } = await loggedIn();
    const before = await store.read("protected", server.url);
    await expireSoon(store);
    // The refresh is paused after the authorization server answered, before the tokens are stored.
    const answered = gate<StoredOAuthTokens>();
    const resume = gate();
    const pausedFetch: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (String(init?.body).includes("grant_type=refresh_token")) {
        answered.open((await response.clone().json()) as StoredOAuthTokens);
        await resume.promise;
      }
      return response;
    };
    const refreshing = storedLoginProvider({
      store: new CredentialStore(directory),
      server: "protected",
      serverUrl: server.url,
      fetch: pausedFetch,
    });
    const fresh = await answered.promise;
    expect(fresh.refresh_token).not.toBe(before?.tokens?.refresh_token);

    const recorder = revocationRecorder();
    const waiting = gate();
    const loggingOut = logout({
      store,
      server: "protected",
      fetch: recorder.fetch,
      onWait: () => waiting.open(),
    });
    // Either it waits (right), or it did not take the lock and finished at once (wrong: asserted next).
    await Promise.race([waiting.promise, loggingOut]);
    resume.open();
    const refreshed = await refreshing;
    expect(await loggingOut).toEqual({ removed: 1, revocations: [{ status: "revoked" }] });
    // The tokens the refresh stored were revoked, not the ones it replaced.
    expect(recorder.revoked).toEqual([fresh.refresh_token, fresh.access_token]);
    expect(readdirSync(store.directory)).toEqual([]);

    // The provider still holds the refreshed tokens in memory; renewing them (as on a 401) finds
    // the login gone, asks the authorization server nothing and writes nothing back.
    const requests = refreshRequests();
    const error = await failure(
      auth(refreshed, { serverUrl: server.url, fetchFn: refreshed.guardRefresh(fetch) }),
    );
    expect(error.code).toBe("AUTH_REQUIRED");
    expect(error.message).toContain("mcp-cli auth login protected");
    expect(refreshRequests()).toBe(requests);
    expect(readdirSync(store.directory)).toEqual([]);
  });

  it("after --local (the refresh token still valid), a provider that read the login before cannot write it back", async () => {
    const { directory, store } = await loggedIn();
    const stale = newProvider(directory);
    expect((await stale.record())?.tokens?.refresh_token).toBeDefined();
    expect(await logout({ store, server: "protected", local: true })).toEqual({
      removed: 1,
      revocations: [],
    });
    const requests = refreshRequests();
    const error = await failure(auth(stale, { serverUrl: server.url, fetchFn: stale.guardRefresh(fetch) }));
    expect(error.code).toBe("AUTH_REQUIRED");
    expect(refreshRequests()).toBe(requests);
    expect(readdirSync(store.directory)).toEqual([]);
  });

  it("the SDK storing the refreshed tokens again after the lock is gone does not bring back a login logged out in between", async () => {
    const { directory, store } = await loggedIn();
    const { refreshing, resume } = await refreshHeldBeforeSecondStore(directory, store);
    expect(await logout({ store, server: "protected" })).toEqual({
      removed: 1,
      revocations: [{ status: "revoked" }],
    });
    resume();
    expect(await refreshing).toBe("AUTHORIZED");
    expect(readdirSync(store.directory)).toEqual([]);
  });

  it("the SDK storing the refreshed tokens again does not overwrite a newer refresh made in between", async () => {
    const { directory, store } = await loggedIn();
    const { refreshing, resume } = await refreshHeldBeforeSecondStore(directory, store);
    // Another process renews again (as on a 401), rotating the refresh token the first one got.
    const second = newProvider(directory);
    expect(await auth(second, { serverUrl: server.url, fetchFn: second.guardRefresh(fetch) })).toBe(
      "AUTHORIZED",
    );
    const newest = (await store.read("protected", server.url))?.tokens;
    resume();
    expect(await refreshing).toBe("AUTHORIZED");
    // The store keeps the newest tokens, whose refresh token is the one still valid.
    expect((await store.read("protected", server.url))?.tokens?.refresh_token).toBe(newest?.refresh_token);
    await expireSoon(store);
    await storedLoginProvider({ store, server: "protected", serverUrl: server.url });
    expect(authorization.log.tokenRequests.at(-1)).toMatchObject({
      grant_type: "refresh_token",
      status: 200,
    });
  });
});
