/**
 * Stored OAuth logins on the CLI's connection path. Every command that talks to a remote server
 * (`introspect`, `generate`, `call`, `execute`, `server validate`) passes its resolved entry
 * through {@link withStoredLogin}: when `mcp-cli auth login` stored tokens for that server, the
 * access token is renewed first if it expires within a minute (a refused renewal is
 * `AUTH_REQUIRED` with the login command) and sent as the `Authorization` header.
 *
 * A header the configuration sets itself wins: the stored login is then left alone. The entry
 * returned holds a secret: like every resolved entry it is never printed.
 *
 * The mcp-client package (and the MCP SDK, for a refresh) is imported only when a login is stored.
 */
import { AD_HOC_SOURCE, type ResolvedServerConfig, type ServerConfig } from "@mcp-execution/core";
import type { CommandContext } from "./context.js";
import { stateDirectory } from "./locations.js";

/** The exact command that logs in to `server`, as an `AUTH_REQUIRED` message quotes it. */
export function loginCommandFor(context: CommandContext, server: ServerConfig): string {
  const target = server.source === AD_HOC_SOURCE && server.transport !== "stdio" ? server.url : server.name;
  const config = context.globals.config === undefined ? "" : ` --config ${quote(context.globals.config)}`;
  return `mcp-cli auth login ${quote(target)}${config}`;
}

export async function withStoredLogin(
  context: CommandContext,
  server: ResolvedServerConfig,
): Promise<ResolvedServerConfig> {
  if (server.transport === "stdio") return server;
  if (Object.keys(server.headers).some((name) => name.toLowerCase() === "authorization")) return server;
  const { CredentialStore, storedLoginProvider } = await import("@mcp-execution/mcp-client");
  const store = new CredentialStore(stateDirectory(context));
  const record = await store.read(server.name, server.url);
  if (record?.tokens === undefined) return server;
  const provider = await storedLoginProvider({
    store,
    server: server.name,
    serverUrl: server.url,
    settings: server.oauth,
    loginCommand: loginCommandFor(context, server),
  });
  const tokens = await provider.tokens();
  if (tokens === undefined) return server;
  return { ...server, headers: { ...server.headers, Authorization: `Bearer ${tokens.access_token}` } };
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
