/**
 * OAuth for an ordinary connection (`introspect`, `generate`, `call`, `execute`, the bridge): the
 * stored login, renewed silently. Pass the provider as the Streamable HTTP / SSE transport's
 * `authProvider`: the transport sends the access token, refreshes it on a 401 and asks for more
 * scope on a 403 `insufficient_scope`. Nothing here ever opens a browser: when a person is needed
 * (no login, a refused refresh, a step-up) the provider throws `AUTH_REQUIRED` with the
 * `mcp-cli auth login ...` command to run.
 */
import type { OAuthSettings } from "@mcp-execution/core";
import type { FetchLike } from "@modelcontextprotocol/client";
import { authFetch, translateAuthError } from "./login.js";
import { StoredOAuthProvider } from "./provider.js";
import type { CredentialStore } from "./token-store.js";

export interface StoredLoginOptions {
  readonly store: CredentialStore;
  readonly server: string;
  readonly serverUrl: string;
  readonly settings?: OAuthSettings | undefined;
  /** Quoted in `AUTH_REQUIRED` messages; defaults to `mcp-cli auth login <server>`. */
  readonly loginCommand?: string | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * The provider for one remote server, its access token refreshed first when it expires within a
 * minute. Rejects with `AUTH_REQUIRED` when the refresh is refused.
 */
export async function storedLoginProvider(options: StoredLoginOptions): Promise<StoredOAuthProvider> {
  const provider = new StoredOAuthProvider({
    store: options.store,
    server: options.server,
    serverUrl: options.serverUrl,
    settings: options.settings,
    loginCommand: options.loginCommand,
    now: options.now,
  });
  if (await provider.needsRefresh()) {
    const { auth } = await import("@modelcontextprotocol/client");
    try {
      await auth(provider, {
        serverUrl: options.serverUrl,
        fetchFn: provider.guardRefresh(authFetch(options.fetch)),
      });
    } catch (error) {
      throw translateAuthError(error, options.server);
    }
  }
  return provider;
}
