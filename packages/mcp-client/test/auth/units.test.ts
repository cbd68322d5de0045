/**
 * The parts of the OAuth login that need no authorization server: the BROWSER convention, the
 * loopback receiver's checks, pasted redirects, status lines. Starting a real browser program is
 * in browser.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import { browserCommands } from "../../src/auth/browser.js";
import { parseRedirect, startLoopbackReceiver } from "../../src/auth/loopback.js";
import { describeDuration, describeRecord, describeStatus } from "../../src/auth/status.js";
import { failure } from "../outcomes.js";

describe("BROWSER convention", () => {
  const url = "https://as.example/authorize?a=1&b=2";
  it("appends the URL, or puts it where %s is; tries ':'-separated entries in order", () => {
    expect(browserCommands(url, { BROWSER: "firefox" }, "linux")).toEqual([["firefox", url]]);
    expect(browserCommands(url, { BROWSER: "chromium --new-window %s --incognito" }, "linux")).toEqual([
      ["chromium", "--new-window", url, "--incognito"],
    ]);
    expect(browserCommands(url, { BROWSER: "w3m:lynx" }, "linux")).toEqual([
      ["w3m", url],
      ["lynx", url],
    ]);
  });
  it("falls back to the platform's opener", () => {
    expect(browserCommands(url, {}, "linux")).toEqual([["xdg-open", url]]);
    expect(browserCommands(url, { BROWSER: " " }, "darwin")).toEqual([["open", url]]);
    expect(browserCommands(url, {}, "win32")).toEqual([["rundll32", "url.dll,FileProtocolHandler", url]]);
  });
});

describe("loopback receiver", () => {
  it("hands over the code and iss of a redirect with the right state, once", async () => {
    await using receiver = await startLoopbackReceiver("the-state");
    expect(receiver.redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect((await fetch(new URL("/elsewhere", receiver.redirectUrl))).status).toBe(404);
    const first = await fetch(
      `${receiver.redirectUrl}?code=abc&state=the-state&iss=https%3A%2F%2Fas.example`,
    );
    expect(first.status).toBe(200);
    expect(await receiver.callback()).toEqual({ code: "abc", iss: "https://as.example" });
    expect((await fetch(`${receiver.redirectUrl}?code=other&state=the-state`)).status).toBe(409);
  });
  it("ends the wait with AUTH_REFUSED on a wrong state or an error from the authorization server", async () => {
    await using wrongState = await startLoopbackReceiver("the-state");
    expect((await fetch(`${wrongState.redirectUrl}?code=abc&state=forged`)).status).toBe(400);
    const refused = await failure(wrongState.callback());
    expect(refused.code).toBe("AUTH_REFUSED");
    expect(refused.details).toEqual({ reason: "state mismatch" });

    await using denied = await startLoopbackReceiver("s");
    await fetch(
      `${denied.redirectUrl}?error=access_denied&error_description=${encodeURIComponent("no\u001b[31m way")}`,
    );
    const error = await failure(denied.callback());
    expect(error.code).toBe("AUTH_REFUSED");
    expect(error.message).toContain("access_denied");
    expect(error.message).not.toContain("\u001b");
  });
});

describe("pasted redirect", () => {
  it("accepts the whole address and checks its state", () => {
    expect(parseRedirect(" http://127.0.0.1:5555/callback?code=c1&state=s1 \n", "s1")).toEqual({
      code: "c1",
    });
    expect(() => parseRedirect("http://127.0.0.1:5555/callback?code=c1&state=s2", "s1")).toThrow(/state/);
    expect(() => parseRedirect("http://127.0.0.1:5555/callback?state=s1", "s1")).toThrow(
      /no authorization code/,
    );
  });
});

describe("status", () => {
  const now = 1_800_000_000_000;
  const record = {
    version: 1 as const,
    server: "s",
    serverUrl: "https://s.example/mcp",
    tokens: {
      access_token: "secret-access",
      token_type: "Bearer",
      refresh_token: "secret-refresh",
      scope: "a b",
      expiresAt: now + 54 * 60_000,
    },
  };
  it("says logged in, when it expires, and never holds a token", () => {
    const status = describeRecord(record, now);
    expect(describeStatus(status, now)).toBe("logged in, expires in 54 min");
    expect(status.scopes).toEqual(["a", "b"]);
    expect(JSON.stringify(status)).not.toMatch(/secret-/);
  });
  it("distinguishes an expired token that will be renewed from an expired login", () => {
    const expired = describeRecord(
      { ...record, tokens: { ...record.tokens, expiresAt: now - 3 * 3600_000 } },
      now,
    );
    expect(describeStatus(expired, now)).toBe("logged in, token expired 3 h ago, renewed on next use");
    const { refresh_token: _refresh, ...withoutRefresh } = record.tokens;
    const dead = describeRecord({ ...record, tokens: { ...withoutRefresh, expiresAt: now - 120_000 } }, now);
    expect(describeStatus(dead, now)).toBe("login expired 2 min ago");
    expect(describeStatus(undefined, now)).toBe("not logged in");
    expect(describeDuration(3 * 86_400_000)).toBe("in 3 days");
  });
});
