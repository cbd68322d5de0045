/**
 * The SDK's `OAuthClientProvider`, backed by the {@link CredentialStore}. The SDK's `auth()` does
 * the protocol (discovery, registration, PKCE, resource indicators, refresh, step-up); this class
 * decides where things are kept and what happens when a person is needed:
 *
 * - with an {@link OAuthInteraction} (`mcp-cli auth login`) it hands the authorization URL to the
 *   interaction (a browser, or a printed URL);
 * - without one (every other command) it never starts a login: when the SDK would send the user
 *   to the authorization server (no tokens, a refused refresh, a step-up), it throws
 *   `AUTH_REQUIRED` naming the exact `mcp-cli auth login ...` command to run.
 *
 * Client registration order: `oauth.clientId` from the configuration; then `oauth.clientMetadataUrl`
 * (the SDK uses it when the authorization server supports client ID metadata documents); then a
 * client registered earlier by dynamic registration; then dynamic registration.
 *
 * Tokens are kept in memory only inside this object and on disk only in the store; nothing here
 * logs, prints or puts a token into an error.
 */
import { randomBytes } from "node:crypto";
import { type ErrorDetails, McpCliError, type OAuthSettings } from "@mcp-execution/core";
import type {
  FetchLike,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import { ENDPOINT_TIMEOUT_MS } from "./endpoints.js";
import { withTokenLock } from "./token-lock.js";
import type { CredentialRecord, CredentialStore, StoredClient, StoredTokenSet } from "./token-store.js";

/** Refresh this long before the access token expires, so a request never races the expiry. */
export const REFRESH_BEFORE_EXPIRY_MS = 60_000;
/** The redirect URI a non-interactive provider reports when none was registered (never used). */
const PLACEHOLDER_REDIRECT = "http://127.0.0.1/callback";

/** How `auth login` reaches a person: the loopback redirect and what to do with the URL. */
export interface OAuthInteraction {
  /** The loopback redirect URI, `http://127.0.0.1:<port>/callback`. */
  readonly redirectUrl: string;
  /** The `state` value sent with the authorization request and checked on the way back. */
  readonly state: string;
  /** The scope this login asks for (a registration limited to fewer scopes is not reused). */
  readonly scope?: string | undefined;
  /** Opens (or prints) the authorization URL. */
  openAuthorizationUrl(url: URL): void | Promise<void>;
}

export interface StoredOAuthProviderOptions {
  readonly store: CredentialStore;
  /** The server's configured name (or the name derived from its URL). */
  readonly server: string;
  readonly serverUrl: string;
  readonly settings?: OAuthSettings | undefined;
  /** Present only for `auth login`. */
  readonly interaction?: OAuthInteraction | undefined;
  /** The command quoted in `AUTH_REQUIRED` errors; defaults to `mcp-cli auth login <server>`. */
  readonly loginCommand?: string | undefined;
  /** `client_name` sent at registration. */
  readonly clientName?: string | undefined;
  /** The clock, for tests of expiry. */
  readonly now?: (() => number) | undefined;
}

export class StoredOAuthProvider implements OAuthClientProvider {
  readonly #options: StoredOAuthProviderOptions;
  readonly #now: () => number;
  #record: CredentialRecord | undefined;
  #loaded = false;
  #codeVerifier: string | undefined;
  /** Discovery state of this login, kept in memory until the login succeeds. */
  #discovery: OAuthDiscoveryState | undefined;
  /** Set when stored tokens were discarded (a refused refresh), for the error message. */
  #hadTokens = false;
  /**
   * The access token {@link guardRefresh} stored under the lock. The SDK hands the same answer to
   * {@link saveTokens} after the lock is gone; storing it again then could bring back a login that
   * `auth logout` deleted in between (or overwrite a newer refresh of another process).
   */
  #storedUnderLock: string | undefined;

  constructor(options: StoredOAuthProviderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const clientMetadataUrl = options.settings?.clientMetadataUrl;
    if (clientMetadataUrl !== undefined) this.clientMetadataUrl = clientMetadataUrl;
  }

  get server(): string {
    return this.#options.server;
  }

  get loginCommand(): string {
    return this.#options.loginCommand ?? `mcp-cli auth login ${this.#options.server}`;
  }

  get redirectUrl(): string {
    if (this.#options.interaction !== undefined) return this.#options.interaction.redirectUrl;
    return this.#record?.client?.redirect_uris?.[0] ?? PLACEHOLDER_REDIRECT;
  }

  /** `oauth.clientMetadataUrl`: the SDK offers it as the client ID when the server supports that. */
  declare readonly clientMetadataUrl?: string;

  get clientMetadata(): OAuthClientMetadata {
    const settings = this.#options.settings;
    const scope = settings?.scopes?.join(" ");
    return {
      client_name: this.#options.clientName ?? "mcp-cli",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: settings?.clientSecret === undefined ? "none" : "client_secret_basic",
      ...(scope === undefined || scope === "" ? {} : { scope }),
    };
  }

  state(): string {
    // Without an interaction the SDK still builds an authorization URL before it calls
    // redirectToAuthorization(), which then refuses; this state is never sent anywhere.
    return this.#options.interaction?.state ?? randomBytes(16).toString("base64url");
  }

  /** The stored record (loaded once); undefined when there is none. */
  async record(): Promise<CredentialRecord | undefined> {
    if (!this.#loaded) {
      this.#record = await this.#options.store.read(this.#options.server, this.#options.serverUrl);
      this.#loaded = true;
    }
    return this.#record;
  }

  /** Reads the stored record again (another process may have changed it). */
  async reload(): Promise<CredentialRecord | undefined> {
    this.#record = await this.#options.store.read(this.#options.server, this.#options.serverUrl);
    this.#loaded = true;
    return this.#record;
  }

  /**
   * Wraps the fetch the SDK's OAuth requests go through so that a refresh-token grant runs under
   * the credential file's cross-process lock (token-lock.ts). Holding it, the stored tokens are
   * read again: when another process refreshed meanwhile and its access token is still good, that
   * answer is used and the authorization server is not asked at all; when only its refresh token
   * is newer, that one is sent. A rotated refresh token is thus never used twice, which an
   * authorization server would take for theft and answer by revoking the grant. The new tokens are
   * stored before the lock is let go. When the login is gone (`auth logout` deleted it, or another
   * process's refresh was refused), nothing is sent: the answer is `invalid_grant`, so the SDK ends
   * in `AUTH_REQUIRED` and writes nothing back. Every other request passes through untouched.
   */
  guardRefresh(fetch: FetchLike): FetchLike {
    return async (url, init) => {
      const body = init?.body;
      if (
        this.#options.interaction !== undefined ||
        !(body instanceof URLSearchParams) ||
        body.get("grant_type") !== "refresh_token"
      ) {
        return fetch(url, init);
      }
      const signal = init?.signal ?? undefined;
      let newIdToken = false;
      const response = await withTokenLock(
        this.#file,
        async () => {
          const sent = body.get("refresh_token");
          const current = (await this.reload())?.tokens;
          if (current === undefined) {
            this.#hadTokens = true;
            return loginGoneResponse();
          }
          if (current.refresh_token !== undefined && current.refresh_token !== sent) {
            if (!this.#expiresSoon(current)) {
              this.#storedUnderLock = current.access_token;
              return tokenResponse(current, this.#now());
            }
            body.set("refresh_token", current.refresh_token);
          }
          // The lock is held while this runs: a token endpoint that never answers must not hold
          // every other process's refresh of this login with it.
          const deadline = AbortSignal.timeout(ENDPOINT_TIMEOUT_MS);
          const response = await fetch(url, {
            ...init,
            signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
          });
          if (response.ok) {
            const answer = (await response
              .clone()
              .json()
              .catch(() => undefined)) as StoredOAuthTokens | undefined;
            if (typeof answer?.access_token === "string" && typeof answer.token_type === "string") {
              const stored = await this.#storeTokens(
                {
                  ...answer,
                  ...(current.issuer === undefined ? {} : { issuer: current.issuer }),
                } as StoredOAuthTokens,
                true,
              );
              if (stored !== undefined) this.#storedUnderLock = answer.access_token;
              newIdToken = stored?.newIdToken === true;
            }
          }
          return response;
        },
        { signal },
      );
      // Verifying a new ID token may fetch the issuer's keys: done after the lock is let go.
      if (newIdToken) await this.#refreshAccount();
      return response;
    };
  }

  get #file(): string {
    return this.#options.store.fileFor(this.#options.server, this.#options.serverUrl);
  }

  #expiresSoon(tokens: StoredTokenSet): boolean {
    return tokens.expiresAt !== undefined && tokens.expiresAt - this.#now() <= REFRESH_BEFORE_EXPIRY_MS;
  }

  async clientInformation(): Promise<StoredOAuthClientInformation | undefined> {
    const settings = this.#options.settings;
    const record = await this.record();
    if (settings?.clientId !== undefined) {
      const issuer = record?.client?.client_id === settings.clientId ? record.client.issuer : undefined;
      return {
        client_id: settings.clientId,
        ...(settings.clientSecret === undefined ? {} : { client_secret: settings.clientSecret }),
        ...(issuer === undefined ? {} : { issuer }),
      };
    }
    const client = record?.client;
    if (client === undefined) {
      // Without a person there is no login to finish: registering a client now would only leave
      // an unused registration behind at the authorization server.
      if (this.#options.interaction === undefined) {
        throw this.#authRequired(
          this.#hadTokens ? "the stored login expired or was revoked" : "not logged in",
        );
      }
      return undefined;
    }
    // A dynamically registered client knows the redirect URIs it was registered with; a login on
    // a new loopback port registers again rather than being refused by the authorization server.
    const interaction = this.#options.interaction;
    // Likewise when the registration was limited to scopes this login goes beyond.
    if (
      interaction !== undefined &&
      !isHttpsUrl(client.client_id) &&
      ((client.redirect_uris !== undefined && !client.redirect_uris.includes(interaction.redirectUrl)) ||
        !coversScope(client.scope, interaction.scope))
    ) {
      return undefined;
    }
    return client as StoredOAuthClientInformation;
  }

  async saveClientInformation(information: StoredOAuthClientInformation): Promise<void> {
    // The configured secret stays in the configuration; only the issuer binding is remembered.
    const { client_secret: secret, ...rest } = information as StoredClient;
    const keepSecret = this.#options.settings?.clientId === undefined && secret !== undefined;
    await this.#update((record) => ({
      ...record,
      client: { ...(rest as StoredClient), ...(keepSecret ? { client_secret: secret } : {}) },
    }));
  }

  async tokens(): Promise<StoredOAuthTokens | undefined> {
    const tokens = (await this.record())?.tokens;
    if (tokens === undefined) return undefined;
    const { expiresAt: _expiresAt, ...sdkTokens } = tokens;
    return sdkTokens as StoredOAuthTokens;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    // Stored under the lock already, with the issuer: the SDK stamps a login that lacks one before
    // it refreshes (SEP-2352), and guardRefresh keeps the stored stamp.
    if (this.#options.interaction === undefined && tokens.access_token === this.#storedUnderLock) return;
    const stored = await this.#storeTokens(tokens, false);
    if (stored?.newIdToken === true) await this.#refreshAccount();
  }

  /**
   * Stores tokens (holding the lock already when `locked`); undefined when nothing was written
   * because the login is gone. `newIdToken`: a refresh brought a new ID token, so who is logged in
   * is read again (login does it in full).
   */
  async #storeTokens(
    tokens: StoredOAuthTokens,
    locked: boolean,
  ): Promise<{ readonly newIdToken: boolean } | undefined> {
    const expiresIn = typeof tokens.expires_in === "number" ? tokens.expires_in : undefined;
    const interactive = this.#options.interaction !== undefined;
    let previous: StoredTokenSet | undefined;
    let stored: StoredTokenSet | undefined;
    const written = await this.#update((record) => {
      previous = record.tokens;
      stored = {
        ...(tokens as StoredTokenSet),
        // RFC 6749 section 6: a refresh answer without a new refresh token keeps the old one.
        ...(tokens.refresh_token === undefined && previous?.refresh_token !== undefined
          ? { refresh_token: previous.refresh_token }
          : {}),
        ...(expiresIn === undefined ? {} : { expiresAt: this.#now() + expiresIn * 1000 }),
      };
      return {
        ...record,
        tokens: stored,
        ...(interactive ? { loggedInAt: this.#now() } : {}),
        ...(interactive && this.#discovery !== undefined ? { discovery: { ...this.#discovery } } : {}),
      };
    }, locked);
    if (!written) return undefined;
    const idToken = (stored as StoredTokenSet | undefined)?.id_token;
    return {
      newIdToken: !interactive && typeof idToken === "string" && idToken !== previous?.id_token,
    };
  }

  async #refreshAccount(): Promise<void> {
    const record = await this.record();
    if (record === undefined) return;
    const { identifyAccount } = await import("./account.js");
    const account = await identifyAccount({
      record,
      settings: this.#options.settings,
      idTokenOnly: true,
    }).catch(() => undefined);
    if (account === undefined) return;
    await this.#update((current) => ({
      ...current,
      account:
        current.account !== undefined && current.account.subject === account.subject
          ? { ...current.account, ...account }
          : account,
    }));
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const interaction = this.#options.interaction;
    if (interaction === undefined) {
      const scope = authorizationUrl.searchParams.get("scope") ?? undefined;
      const stillHasTokens = (await this.record())?.tokens !== undefined;
      const reason = stillHasTokens
        ? "the server asks for more access than the stored login grants"
        : this.#hadTokens
          ? "the stored login expired or was revoked"
          : "not logged in";
      throw this.#authRequired(reason, scope);
    }
    await interaction.openAuthorizationUrl(authorizationUrl);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.#codeVerifier === undefined) {
      throw new McpCliError("AUTH_REFUSED", "no login is in progress (no PKCE code verifier)");
    }
    return this.#codeVerifier;
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.#discovery = state;
    // A non-interactive refresh keeps its (re)discovered metadata for the next run.
    if (this.#options.interaction === undefined && (await this.record()) !== undefined) {
      await this.#update((record) => ({ ...record, discovery: { ...state } }));
    }
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    if (this.#discovery !== undefined) return this.#discovery;
    // `auth login` discovers afresh, so a moved authorization server is picked up.
    if (this.#options.interaction !== undefined) return undefined;
    const record = await this.record();
    // The SDK asks for this first: without stored tokens nothing but a login can help, so say so
    // before any discovery request is made.
    if (record?.tokens === undefined) {
      throw this.#authRequired(this.#hadTokens ? "the stored login expired or was revoked" : "not logged in");
    }
    return record.discovery as OAuthDiscoveryState | undefined;
  }

  async saveResourceUrl(resourceUrl: string): Promise<void> {
    if (this.#options.interaction === undefined) return;
    await this.#update((record) => ({ ...record, resource: resourceUrl }));
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    if (scope === "verifier") {
      this.#codeVerifier = undefined;
      return;
    }
    if (scope === "discovery") this.#discovery = undefined;
    if ((await this.record()) === undefined) return;
    if (scope === "tokens" || scope === "all")
      this.#hadTokens ||= (await this.record())?.tokens !== undefined;
    await this.#update((record) => {
      const { client, tokens, discovery, ...rest } = record;
      return {
        ...rest,
        ...(scope === "client" || scope === "all" ? {} : client === undefined ? {} : { client }),
        ...(scope === "tokens" || scope === "all" ? {} : tokens === undefined ? {} : { tokens }),
        ...(scope === "discovery" || scope === "all" ? {} : discovery === undefined ? {} : { discovery }),
      };
    });
  }

  /**
   * True when the access token expires within {@link REFRESH_BEFORE_EXPIRY_MS} and a refresh
   * token is there to renew it.
   */
  async needsRefresh(): Promise<boolean> {
    const tokens = (await this.record())?.tokens;
    return (
      tokens?.refresh_token !== undefined &&
      tokens.expiresAt !== undefined &&
      tokens.expiresAt - this.#now() <= REFRESH_BEFORE_EXPIRY_MS
    );
  }

  /** Remembers the scope asked for at login, so a later login asks for at least as much. */
  async saveRequestedScope(scope: string | undefined): Promise<void> {
    await this.#update((record) => {
      const { requestedScope: _previous, ...rest } = record;
      return scope === undefined ? rest : { ...rest, requestedScope: scope };
    });
  }

  /**
   * Applies `change` to the stored record; false when nothing was written. `auth login` creates
   * the record. Without a person, only a login that still exists is changed, re-read under the
   * refresh lock (held already when `locked`): `auth logout` deletes under the same lock, so a
   * refresh, a re-discovery or an invalidation that read the record before the logout never
   * writes it back after.
   */
  async #update(change: (record: CredentialRecord) => CredentialRecord, locked = false): Promise<boolean> {
    const { store, server, serverUrl } = this.#options;
    if (this.#options.interaction !== undefined) {
      await this.record();
      this.#record = await store.update(server, serverUrl, change);
      return true;
    }
    const changeExisting = async (): Promise<boolean> => {
      const current = await this.reload();
      if (current === undefined) return false;
      const next = change(current);
      await store.write(next);
      this.#record = next;
      return true;
    };
    return locked ? changeExisting() : withTokenLock(this.#file, changeExisting);
  }

  #authRequired(reason: string, scope?: string): McpCliError {
    const command =
      scope === undefined ? this.loginCommand : `${this.loginCommand} --scope ${shellQuote(scope)}`;
    const details: ErrorDetails = {
      server: this.#options.server,
      command,
      ...(scope === undefined ? {} : { scope }),
    };
    return new McpCliError(
      "AUTH_REQUIRED",
      `server "${this.#options.server}" needs an OAuth login (${reason}${scope === undefined ? "" : `; scope ${printable(scope)}`}). Run: ${command}`,
      { details },
    );
  }
}

/**
 * The token endpoint's answer for a login that is gone, given without asking it: the refresh
 * token read before the logout must not be used (it may even still be valid, after `--local`).
 */
function loginGoneResponse(): Response {
  return new Response(
    JSON.stringify({ error: "invalid_grant", error_description: "no stored login to refresh" }),
    { status: 400, headers: { "content-type": "application/json", "cache-control": "no-store" } },
  );
}

/** A token endpoint's answer carrying tokens another process already obtained. */
function tokenResponse(tokens: StoredTokenSet, now: number): Response {
  const { expiresAt, issuer: _issuer, ...answer } = tokens;
  const body = {
    ...answer,
    ...(expiresAt === undefined ? {} : { expires_in: Math.max(1, Math.floor((expiresAt - now) / 1000)) }),
  };
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/** True when a registration's `scope` (absent: unrestricted) includes every scope asked for. */
function coversScope(registered: unknown, requested: string | undefined): boolean {
  if (typeof registered !== "string" || requested === undefined) return true;
  const allowed = new Set(registered.split(" "));
  return requested.split(" ").every((scope) => scope === "" || allowed.has(scope));
}

function isHttpsUrl(value: string): boolean {
  return /^https:\/\/[^/]+\/./.test(value);
}

/** Single-quotes a value for a POSIX shell unless it is plainly safe. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** Server-sent text in a message: control characters removed, length bounded. */
export function printable(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
