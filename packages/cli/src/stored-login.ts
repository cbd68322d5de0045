/**
 * Stored OAuth logins on the CLI's connection path. `introspect`, `generate` and `server validate`
 * pass {@link storedLoginProviderFor}'s provider as the transport's `authProvider` (the token is
 * sent, renewed before expiry and on a 401; no login, a refused renewal or a step-up is
 * `AUTH_REQUIRED` naming the `mcp-cli auth login ...` command). `call`, `execute`, `serve` and the
 * daemon connect through the bridge, which takes the same providers per server
 * ({@link storedLoginProviders}), so a long-lived `serve` renews tokens as it goes.
 *
 * A header the configuration sets itself wins: the stored login is then left alone.
 *
 * The MCP SDK is imported only to renew a token; reading the store costs one small file.
 */
import { AD_HOC_SOURCE, type ResolvedServerConfig, type ServerConfig } from "@mcp-execution/core";
import type { StoredOAuthProvider } from "@mcp-execution/mcp-client";
import type { CommandContext } from "./context.js";
import { stateDirectory } from "./locations.js";

/** The exact command that logs in to `server`, as an `AUTH_REQUIRED` message quotes it. */
export function loginCommandFor(context: CommandContext, server: ServerConfig): string {
  const target = server.source === AD_HOC_SOURCE && server.transport !== "stdio" ? server.url : server.name;
  const config = context.globals.config === undefined ? "" : ` --config ${quote(context.globals.config)}`;
  return `mcp-cli auth login ${quote(target)}${config}`;
}

/**
 * The OAuth provider for a remote server (a transport's `authProvider`), its access token renewed
 * first when it expires within a minute. Undefined for stdio servers and for servers whose
 * configuration sets an `Authorization` header itself. Without a stored login the provider sends
 * nothing, and a server that answers 401 gets `AUTH_REQUIRED` naming the login command.
 */
export async function storedLoginProviderFor(
  context: CommandContext,
  server: ResolvedServerConfig,
): Promise<StoredOAuthProvider | undefined> {
  if (server.transport === "stdio") return undefined;
  if (Object.keys(server.headers).some((name) => name.toLowerCase() === "authorization")) return undefined;
  const { CredentialStore, storedLoginProvider } = await import("@mcp-execution/mcp-client");
  return storedLoginProvider({
    store: new CredentialStore(stateDirectory(context)),
    server: server.name,
    serverUrl: server.url,
    settings: server.oauth,
    loginCommand: loginCommandFor(context, server),
  });
}

/**
 * The OAuth providers of `servers` that have one (see {@link storedLoginProviderFor}), by name, for
 * a bridge: every connection it opens to such a server renews the token itself, before expiry and
 * on a 401, for as long as the bridge lives (`serve` and the daemon outlive any one token).
 */
export async function storedLoginProviders(
  context: CommandContext,
  servers: readonly ResolvedServerConfig[],
): Promise<Map<string, StoredOAuthProvider>> {
  const providers = new Map<string, StoredOAuthProvider>();
  for (const server of servers) {
    const provider = await storedLoginProviderFor(context, server);
    if (provider !== undefined) providers.set(server.name, provider);
  }
  return providers;
}

function quote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * For `server list`: `auth: oauth (logged in, expires in 54 min)` by server name, for remote
 * servers with a stored login or an `oauth` configuration.
 */
export async function storedLoginLines(
  context: CommandContext,
  servers: readonly ServerConfig[],
): Promise<Map<string, string>> {
  const lines = new Map<string, string>();
  const remote = servers.filter((server) => server.transport !== "stdio");
  if (remote.length === 0) return lines;
  const { CredentialStore, authStatusLine } = await import("@mcp-execution/mcp-client");
  const store = new CredentialStore(stateDirectory(context));
  for (const server of remote) {
    const line = await authStatusLine(store, server.name, { configured: server.oauth !== undefined });
    if (line !== undefined) lines.set(server.name, line);
  }
  return lines;
}
