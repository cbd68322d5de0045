/**
 * `auth login <server|url> [--no-browser] [--scope <scope>]...`, `auth status [server]`,
 * `auth logout <server>`: OAuth logins to remote MCP servers (docs/authentication.md).
 *
 * Tokens never reach the output: status shows the account, issuer, scopes and expiry only.
 */
import { isUrlTarget, McpCliError, type ServerConfig } from "@mcp-execution/core";
import type { AuthStatus, RevocationOutcome } from "@mcp-execution/mcp-client";
import { loadConfiguration } from "../config-source.js";
import type { CommandContext } from "../context.js";
import { stateDirectory } from "../locations.js";
import { type AdHocOptions, resolveForConnection, resolveServerTarget } from "../server-target.js";
import { formatFields } from "../table.js";

export interface AuthLoginOptions extends AdHocOptions {
  /** False with `--no-browser`. */
  readonly browser?: boolean;
  readonly scope?: readonly string[];
}

function requireRemote(server: ServerConfig): asserts server is Extract<ServerConfig, { url: string }> {
  if (server.transport === "stdio") {
    throw new McpCliError(
      "USAGE",
      `server "${server.name}" runs over stdio; OAuth applies to remote (http/sse) servers only`,
      { details: { server: server.name } },
    );
  }
}

export async function authLoginCommand(
  context: CommandContext,
  target: string | undefined,
  options: AuthLoginOptions,
): Promise<number> {
  const { output } = context;
  const server = await resolveServerTarget(context, target, options);
  requireRemote(server);
  const resolved = resolveForConnection(context, server);
  if (resolved.transport === "stdio") return 1;
  const { CredentialStore, login, openInBrowser } = await import("@mcp-execution/mcp-client");
  const store = new CredentialStore(stateDirectory(context));
  const useBrowser = options.browser !== false;
  const scopes = (options.scope ?? []).flatMap((scope) => scope.split(/\s+/)).filter((scope) => scope !== "");

  const openAuthorizationUrl = async (url: URL): Promise<void> => {
    // The URL carries no secret (PKCE keeps the verifier here), so it can be shown.
    output.stderr(`To log in to ${server.name}, open this address in a browser:\n\n  ${url.href}\n`);
    if (useBrowser) {
      const opened = await openInBrowser(url.href, context.env, context.environment.platform);
      if (!opened)
        output.warn("could not start a browser (set BROWSER, or use --no-browser); open the address above");
      output.info("waiting for the browser to come back...");
    } else {
      output.stderr(
        "After approving, the browser is sent to http://127.0.0.1:.../callback (the page may not load on\n" +
          "this machine). Paste that whole address here and press Enter:",
      );
    }
  };
  const readLine = context.environment.readLine;
  const readPastedRedirect = useBrowser
    ? undefined
    : (signal: AbortSignal): Promise<string> =>
        readLine !== undefined
          ? readLine(signal)
          : context.environment.readStdin().then((text) => text.split("\n")[0] ?? "");

  const status = await login({
    store,
    server: resolved.name,
    serverUrl: resolved.url,
    settings: resolved.oauth,
    headers: resolved.headers,
    scopes,
    openAuthorizationUrl,
    readPastedRedirect,
    signal: context.signal,
  });
  if (output.json) {
    output.document({ ok: true, login: publicStatus(status) });
    return 0;
  }
  output.data(`logged in to ${server.name}`);
  output.data(formatStatus(status, "  "));
  return 0;
}

/** Logins are kept under the server's name; a URL target has a name derived from the URL. */
async function storedName(context: CommandContext, name: string): Promise<string> {
  return isUrlTarget(name) ? (await resolveServerTarget(context, name, {})).name : name;
}

export async function authStatusCommand(
  context: CommandContext,
  target: string | undefined,
): Promise<number> {
  const { output } = context;
  const name = target === undefined ? undefined : await storedName(context, target);
  const { CredentialStore, describeRecord, describeStatus } = await import("@mcp-execution/mcp-client");
  const store = new CredentialStore(stateDirectory(context));
  const now = Date.now();
  const statuses = (await store.list(name)).map((record) => describeRecord(record, now));
  if (output.json) {
    output.document({ ok: true, directory: store.directory, logins: statuses.map(publicStatus) });
    return 0;
  }
  if (statuses.length === 0) {
    output.data(name === undefined ? "no stored logins" : `${name}: not logged in`);
    return 0;
  }
  output.data(
    statuses
      .map((status) => `${status.server}: ${describeStatus(status, now)}\n${formatStatus(status, "  ")}`)
      .join("\n\n"),
  );
  return 0;
}

export interface AuthLogoutOptions {
  /** `--local`: delete the stored tokens without asking the authorization server to revoke them. */
  readonly local?: boolean;
}

/**
 * Revokes each stored login of the server at its authorization server (RFC 7009), then deletes it
 * here, whatever the server said: a logout never leaves the tokens on disk. Both happen under the
 * login's refresh lock, so a refresh in another process can neither be cut short nor write the
 * login back (mcp-client auth/logout.ts).
 */
export async function authLogoutCommand(
  context: CommandContext,
  target: string,
  options: AuthLogoutOptions = {},
): Promise<number> {
  const { output } = context;
  const name = await storedName(context, target);
  const { CredentialStore, logout, shellQuote } = await import("@mcp-execution/mcp-client");
  // The configured client (its secret stays in the configuration) authenticates the revocation.
  const configured = await loadConfiguration(context).catch(() => undefined);
  const settings = configured?.servers.find((server) => server.name === name);
  const config =
    context.globals.config === undefined ? "" : ` --config ${shellQuote(context.globals.config)}`;
  const { removed, revocations } = await logout({
    store: new CredentialStore(stateDirectory(context)),
    server: name,
    local: options.local,
    settings: settings?.transport === "stdio" ? undefined : settings?.oauth,
    logoutCommand: `mcp-cli auth logout ${shellQuote(target)}${options.local === true ? " --local" : ""}${config}`,
    onWait: () => output.info(`another mcp-cli process is refreshing the login of ${name}; waiting for it`),
    signal: context.signal,
  });
  const revocation = options.local === true ? ({ status: "skipped" } as const) : summarize(revocations);
  if (output.json) {
    output.document({
      ok: true,
      server: name,
      removed,
      revocation: revocation.status,
      ...(revocation.status === "failed" ? { reason: revocation.reason } : {}),
    });
    return 0;
  }
  if (removed === 0) {
    output.data(`${name}: no stored login`);
    return 0;
  }
  output.data(logoutSentence(name, revocation));
  return 0;
}

type LogoutRevocation = RevocationOutcome | { readonly status: "skipped" };

/** One outcome for all the server's logins: the first failure, else unsupported, else revoked. */
function summarize(outcomes: readonly RevocationOutcome[]): RevocationOutcome {
  return (
    outcomes.find((outcome) => outcome.status === "failed") ??
    outcomes.find((outcome) => outcome.status === "unsupported") ??
    outcomes.find((outcome) => outcome.status === "revoked") ?? { status: "nothing" }
  );
}

/** The stable sentence `auth logout` prints (tests and scripts match on it; no token in it). */
function logoutSentence(name: string, revocation: LogoutRevocation): string {
  switch (revocation.status) {
    case "revoked":
      return `logged out of ${name}: the authorization server revoked the tokens and the local copy is deleted`;
    case "skipped":
      return `logged out of ${name} locally (--local): the authorization server was not asked to revoke the tokens`;
    case "unsupported":
      return `logged out of ${name} locally: the authorization server offers no revocation endpoint, so the tokens stay valid there until they expire`;
    case "failed":
      return `logged out of ${name} locally: revoking at the authorization server failed (${revocation.reason}), so the tokens may stay valid there until they expire`;
    case "nothing":
      return `logged out of ${name}`;
  }
}

/** What may be shown of a login: everything but the tokens (which AuthStatus never holds). */
function publicStatus(status: AuthStatus): Record<string, unknown> {
  return {
    server: status.server,
    serverUrl: status.serverUrl,
    loggedIn: status.loggedIn,
    issuer: status.issuer ?? null,
    clientId: status.clientId ?? null,
    resource: status.resource ?? null,
    scopes: status.scopes,
    expiresAt: status.expiresAt === undefined ? null : new Date(status.expiresAt).toISOString(),
    expired: status.expired,
    refreshable: status.refreshable,
    account: status.account ?? null,
  };
}

function formatStatus(status: AuthStatus, indent: string): string {
  return formatFields(
    [
      ["server url", status.serverUrl],
      ["account", describeAccount(status)],
      ["issuer", status.issuer],
      ["client", status.clientId],
      ["resource", status.resource],
      ["scopes", status.scopes.length === 0 ? undefined : status.scopes.join(" ")],
      ["expires", status.expiresAt === undefined ? undefined : new Date(status.expiresAt).toISOString()],
      ["refresh", status.refreshable ? "yes" : "no"],
    ],
    indent,
  );
}

/** `alice@example.com (sub 248289761001, from the ID token)`, or why it is unknown. */
function describeAccount(status: AuthStatus): string | undefined {
  if (!status.loggedIn) return undefined;
  const account = status.account;
  if (account === undefined) {
    return "unknown (the authorization server gave no verified ID token, userinfo or introspection answer)";
  }
  const shown = account.email ?? account.username ?? account.name ?? account.subject ?? "unknown";
  const source = { id_token: "the ID token", userinfo: "userinfo", introspection: "token introspection" }[
    account.source
  ];
  const subject =
    account.subject === undefined || account.subject === shown ? "" : `sub ${account.subject}, `;
  return `${shown} (${subject}from ${source})`;
}
