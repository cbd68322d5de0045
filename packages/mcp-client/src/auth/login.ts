/**
 * `mcp-cli auth login` as a function: ask the server who protects it, run the SDK's `auth()` to
 * the authorization request, wait for the browser to come back to the loopback receiver (or for
 * the user to paste the redirect URL), exchange the code, and keep the tokens.
 *
 * The MCP SDK is imported on first use.
 */
import { randomBytes } from "node:crypto";
import { McpCliError, type OAuthSettings } from "@mcp-execution/core";
import type { FetchLike } from "@modelcontextprotocol/client";
import { boundedFetch, type FetchFunction } from "../bounded-fetch.js";
import { type AuthorizationCallback, parseRedirect, startLoopbackReceiver } from "./loopback.js";
import { printable, StoredOAuthProvider } from "./provider.js";
import { type AuthStatus, describeRecord } from "./status.js";
import type { CredentialStore } from "./token-store.js";

/**
 * Largest answer read from a server or its authorization server during OAuth (metadata documents,
 * registrations, tokens are a few KiB): over it is `LIMIT_SIZE`.
 */
export const MAX_AUTH_RESPONSE_BYTES = 1024 * 1024;

/** The fetch for OAuth requests: bounded, wrapping `fetch` when one is given. */
export function authFetch(fetch?: FetchLike): FetchLike {
  return boundedFetch({
    maxBytes: MAX_AUTH_RESPONSE_BYTES,
    ...(fetch === undefined ? {} : { fetch: fetch as FetchFunction }),
  }) as FetchLike;
}

/** Default time a login waits for the browser to come back. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface LoginOptions {
  readonly store: CredentialStore;
  /** The configured server name (or the name derived from its URL). */
  readonly server: string;
  /** The MCP endpoint (Streamable HTTP or SSE). */
  readonly serverUrl: string;
  readonly settings?: OAuthSettings | undefined;
  /** Headers configured for the server (sent with the unauthenticated probe). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Extra scopes asked for (`--scope`), on top of the server's challenge and the configuration. */
  readonly scopes?: readonly string[] | undefined;
  /**
   * Shows the authorization URL to a person: opens a browser, or prints it. Called once, before
   * the wait starts.
   */
  readonly openAuthorizationUrl: (url: URL) => void | Promise<void>;
  /**
   * For `--no-browser`: resolves with the redirect URL the user pasted. The loopback receiver
   * keeps listening meanwhile; whichever answers first wins.
   */
  readonly readPastedRedirect?: ((signal: AbortSignal) => Promise<string>) | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly clientName?: string | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * Logs in and stores the tokens. Rejects with `AUTH_REFUSED` (the authorization server or the
 * user said no, a wrong `state`, a resource that does not match the server), `CONNECT_FAILED`
 * (the server or the authorization server cannot be reached), `TIMEOUT` or `CANCELLED`.
 */
export async function login(options: LoginOptions): Promise<AuthStatus> {
  const sdk = await import("@modelcontextprotocol/client");
  const state = randomBytes(32).toString("base64url");
  const previous = await options.store.read(options.server, options.serverUrl);
  await using receiver = await startLoopbackReceiver(
    state,
    registeredLoopbackPort(previous?.client?.redirect_uris),
  );
  const fetchFn = authFetch(options.fetch);
  let provider: StoredOAuthProvider | undefined;
  try {
    const challenge = await probeChallenge(options.serverUrl, options.headers ?? {}, fetchFn, sdk);
    const scope = sdk.computeScopeUnion(
      previous?.requestedScope,
      options.settings?.scopes?.join(" "),
      challenge.scope,
      options.scopes?.join(" "),
    );
    provider = new StoredOAuthProvider({
      store: options.store,
      server: options.server,
      serverUrl: options.serverUrl,
      settings: options.settings,
      clientName: options.clientName,
      now: options.now,
      interaction: {
        redirectUrl: receiver.redirectUrl,
        state,
        scope,
        openAuthorizationUrl: options.openAuthorizationUrl,
      },
    });
    let common: Parameters<typeof sdk.auth>[1] = {
      serverUrl: options.serverUrl,
      fetchFn,
      ...(scope === undefined ? {} : { scope }),
      ...(challenge.resourceMetadataUrl === undefined
        ? {}
        : { resourceMetadataUrl: challenge.resourceMetadataUrl }),
    };
    // An explicit login always asks the person again: a refresh could not widen the scope.
    let first: Awaited<ReturnType<typeof sdk.auth>>;
    try {
      first = await sdk.auth(provider, { ...common, forceReauthorization: true });
    } catch (error) {
      if (!(await isLegacyIssuerMismatch(error, options.serverUrl, challenge, fetchFn, sdk))) throw error;
      // A 2025-03-26 server (no protected resource metadata) is its own authorization server:
      // the metadata came from the server's own origin, which is trusted as the resource anyway,
      // so an `issuer` that differs from that origin is accepted for it, and only for it.
      common = { ...common, skipIssuerMetadataValidation: true };
      first = await sdk.auth(provider, { ...common, forceReauthorization: true });
    }
    if (first === "REDIRECT") {
      const callback = await waitForCallback(receiver.callback(), state, options);
      const second = await sdk.auth(provider, {
        ...common,
        authorizationCode: callback.code,
        ...(callback.iss === undefined ? {} : { iss: callback.iss }),
      });
      if (second !== "AUTHORIZED") {
        throw new McpCliError("AUTH_REFUSED", "the authorization server did not issue tokens for the code");
      }
    }
    await provider.saveRequestedScope(scope);
  } catch (error) {
    throw translateAuthError(error, options.server);
  }
  const stored = await provider?.record();
  if (stored?.tokens === undefined)
    throw new McpCliError("AUTH_REFUSED", "the login finished without tokens");
  const { rememberAccount } = await import("./account.js");
  const record = await rememberAccount(options.store, stored, {
    settings: options.settings,
    fetch: options.fetch,
    signal: options.signal,
  });
  return describeRecord(record, (options.now ?? Date.now)());
}

/** The port of a registered `http://127.0.0.1:<port>/callback` redirect URI, if there is one. */
function registeredLoopbackPort(redirectUris: readonly string[] | undefined): number | undefined {
  for (const uri of redirectUris ?? []) {
    const match = /^http:\/\/127\.0\.0\.1:(\d{1,5})\/callback$/.exec(uri);
    const port = match === null ? undefined : Number(match[1]);
    if (port !== undefined && port >= 1024 && port <= 65_535) return port;
  }
  return undefined;
}

/** Races the loopback receiver, the pasted URL, the timeout and the caller's signal. */
async function waitForCallback(
  fromReceiver: Promise<AuthorizationCallback>,
  state: string,
  options: LoginOptions,
): Promise<AuthorizationCallback> {
  const stop = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const waits: Promise<AuthorizationCallback>[] = [fromReceiver];
  if (options.readPastedRedirect !== undefined) {
    waits.push(options.readPastedRedirect(stop.signal).then((pasted) => parseRedirect(pasted, state)));
  }
  let timer: NodeJS.Timeout | undefined;
  waits.push(
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new McpCliError(
              "TIMEOUT",
              `no answer from the browser within ${Math.round(timeoutMs / 1000)} s`,
              {
                details: { timeoutMs },
              },
            ),
          ),
        timeoutMs,
      );
    }),
  );
  const signal = options.signal;
  let onAbort: (() => void) | undefined;
  if (signal !== undefined) {
    waits.push(
      new Promise<never>((_resolve, reject) => {
        onAbort = () => reject(new McpCliError("CANCELLED", "the login was cancelled"));
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }),
    );
  }
  try {
    return await Promise.race(waits);
  } finally {
    clearTimeout(timer);
    stop.abort();
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
}

/** True for an `IssuerMismatchError` from a server that publishes no protected resource metadata. */
async function isLegacyIssuerMismatch(
  error: unknown,
  serverUrl: string,
  challenge: Challenge,
  fetchFn: FetchLike,
  sdk: typeof import("@modelcontextprotocol/client"),
): Promise<boolean> {
  if ((error as { name?: unknown } | null)?.name !== "IssuerMismatchError") return false;
  try {
    const metadata = await sdk.discoverOAuthProtectedResourceMetadata(
      serverUrl,
      challenge.resourceMetadataUrl === undefined
        ? {}
        : { resourceMetadataUrl: challenge.resourceMetadataUrl },
      fetchFn,
    );
    return metadata === undefined;
  } catch {
    return true;
  }
}

/** What the unauthenticated server says in its `WWW-Authenticate` challenge. */
interface Challenge {
  readonly resourceMetadataUrl?: URL;
  readonly scope?: string;
}

/**
 * Sends an unauthenticated `initialize` (Streamable HTTP) and, when that method is not allowed,
 * an SSE `GET`, to read the server's 401 challenge: its resource metadata URL and the scopes it
 * wants. A server that does not answer 401 gives no hints; discovery then uses the well-known URLs.
 */
async function probeChallenge(
  serverUrl: string,
  headers: Readonly<Record<string, string>>,
  fetchFn: FetchLike,
  sdk: typeof import("@modelcontextprotocol/client"),
): Promise<Challenge> {
  const initialize = {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: sdk.LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "mcp-cli", version: "0" },
    },
  };
  let response: Response;
  try {
    response = await fetchFn(serverUrl, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(initialize),
      redirect: "manual",
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 404 || response.status === 405) {
      response = await fetchFn(serverUrl, {
        method: "GET",
        headers: { ...headers, accept: "text/event-stream" },
      });
      await response.body?.cancel().catch(() => undefined);
    }
  } catch (error) {
    throw new McpCliError("CONNECT_FAILED", `cannot reach ${printable(serverUrl)}: ${describe(error)}`, {
      cause: error,
    });
  }
  if (response.status !== 401 && response.status !== 403) return {};
  const { resourceMetadataUrl, scope } = sdk.extractWWWAuthenticateParams(response);
  return {
    ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
    ...(scope === undefined ? {} : { scope }),
  };
}

/**
 * A coded error for whatever the SDK or the network threw. Messages come from servers and are
 * printed bounded and without control characters; tokens never appear in them.
 */
export function translateAuthError(error: unknown, server: string): McpCliError {
  // Ours first, also when the SDK wrapped it (an oversized answer is LIMIT_SIZE wherever it came).
  let link: unknown = error;
  for (let depth = 0; depth < 8 && link instanceof Error; depth += 1) {
    if (link instanceof McpCliError) return link;
    link = link.cause;
  }
  const name = (error as { name?: unknown } | null)?.name;
  const message = describe(error);
  if (
    name === "OAuthError" ||
    name === "OAuthClientRegistrationError" ||
    name === "RegistrationRejectedError"
  ) {
    const code = (error as { code?: unknown }).code;
    return new McpCliError(
      "AUTH_REFUSED",
      `the authorization server for "${server}" refused: ${typeof code === "string" ? `${printable(code, 64)}: ` : ""}${message}`,
      {
        cause: error,
        details: { server, ...(typeof code === "string" ? { error: printable(code, 64) } : {}) },
      },
    );
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    return new McpCliError(
      "CONNECT_FAILED",
      `cannot reach the server or its authorization server: ${message}`,
      {
        cause: error,
        details: { server },
      },
    );
  }
  return new McpCliError("AUTH_REFUSED", `the OAuth login to "${server}" failed: ${message}`, {
    cause: error,
    details: { server },
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return printable(`${error.message}${cause}`, 400);
  }
  return printable(String(error), 400);
}
