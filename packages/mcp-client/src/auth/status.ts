/**
 * What `auth status` and `server list` show about a stored login: who is logged in, who issued it,
 * which scopes, when it expires. Never the token itself. Loads no SDK.
 */
import type { CredentialRecord, CredentialStore, StoredAccount } from "./token-store.js";

export interface AuthStatus {
  readonly server: string;
  readonly serverUrl: string;
  readonly loggedIn: boolean;
  /** The authorization server (its issuer identifier). */
  readonly issuer?: string;
  readonly clientId?: string;
  readonly resource?: string;
  readonly scopes: readonly string[];
  /** Milliseconds since the epoch. */
  readonly expiresAt?: number;
  /** True when the access token has expired (a refresh token may still renew it). */
  readonly expired: boolean;
  readonly refreshable: boolean;
  readonly loggedInAt?: number;
  /** Who is logged in; absent when the authorization server gave no way to know. */
  readonly account?: StoredAccount;
}

export function describeRecord(record: CredentialRecord, now: number): AuthStatus {
  const tokens = record.tokens;
  const issuer = tokens?.issuer ?? record.client?.issuer;
  return {
    server: record.server,
    serverUrl: record.serverUrl,
    loggedIn: tokens !== undefined,
    ...(issuer === undefined ? {} : { issuer }),
    ...(record.client === undefined ? {} : { clientId: record.client.client_id }),
    ...(record.resource === undefined ? {} : { resource: record.resource }),
    scopes: typeof tokens?.scope === "string" ? tokens.scope.split(" ").filter((scope) => scope !== "") : [],
    ...(tokens?.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
    expired: tokens?.expiresAt !== undefined && tokens.expiresAt <= now,
    refreshable: tokens?.refresh_token !== undefined,
    ...(record.loggedInAt === undefined ? {} : { loggedInAt: record.loggedInAt }),
    ...(record.account === undefined || tokens === undefined ? {} : { account: record.account }),
  };
}

/** `in 54 min`, `in 3 h`, `2 days ago`. */
export function describeDuration(milliseconds: number): string {
  const future = milliseconds >= 0;
  const seconds = Math.round(Math.abs(milliseconds) / 1000);
  const text =
    seconds < 90
      ? `${seconds} s`
      : seconds < 90 * 60
        ? `${Math.round(seconds / 60)} min`
        : seconds < 36 * 3600
          ? `${Math.round(seconds / 3600)} h`
          : `${Math.round(seconds / 86_400)} days`;
  return future ? `in ${text}` : `${text} ago`;
}

/** One status phrase: `logged in, expires in 54 min`, `not logged in`, ... */
export function describeStatus(status: AuthStatus | undefined, now: number): string {
  if (status === undefined || !status.loggedIn) return "not logged in";
  const who = status.account === undefined ? "" : ` as ${accountName(status.account)}`;
  if (status.expiresAt === undefined) return `logged in${who}`;
  if (!status.expired) return `logged in${who}, expires ${describeDuration(status.expiresAt - now)}`;
  return status.refreshable
    ? `logged in${who}, token expired ${describeDuration(status.expiresAt - now)}, renewed on next use`
    : `login${who} expired ${describeDuration(status.expiresAt - now)}`;
}

/** How an account is named: its email, else username, else name, else `sub`. */
export function accountName(account: StoredAccount | undefined): string {
  if (account === undefined) return "unknown";
  return account.email ?? account.username ?? account.name ?? account.subject ?? "unknown";
}

/**
 * The line `server list` prints for a remote server: `auth: oauth (logged in, expires in 54 min)`,
 * or undefined when the server has no stored login and no `oauth` configuration.
 */
export async function authStatusLine(
  store: CredentialStore,
  server: string,
  options: { readonly configured?: boolean; readonly now?: number } = {},
): Promise<string | undefined> {
  const records = await store.list(server).catch(() => []);
  const now = options.now ?? Date.now();
  const record = records.find((candidate) => candidate.tokens !== undefined) ?? records[0];
  if (record === undefined) return options.configured === true ? "auth: oauth (not logged in)" : undefined;
  return `auth: oauth (${describeStatus(describeRecord(record, now), now)})`;
}
