/**
 * Who a login belongs to, found where the standards allow, kept with the login (never a token):
 *
 * 1. the ID token's claims, when the `openid` scope was granted and the token verifies against the
 *    issuer's JWKS (signature, `iss`, `aud` = our client, expiry), loaded lazily with `jose`;
 * 2. the OIDC userinfo endpoint, with the access token (its `sub` must match the ID token's);
 * 3. RFC 7662 token introspection, client-authenticated, when the server offers it (the access
 *    token, else the refresh token of the same grant).
 *
 * When none answers, the account is unknown and `auth status` says so. Every failure here is
 * quiet (the login itself succeeded); claims are bounded and stripped of control characters.
 */
import type { OAuthSettings } from "@mcp-execution/core";
import type { FetchLike } from "@modelcontextprotocol/client";
import { clientOf, endpointOf, getJson, postForm, storedMetadata } from "./endpoints.js";
import { printable } from "./provider.js";
import type { CredentialRecord, CredentialStore, StoredAccount } from "./token-store.js";

/** Asymmetric signatures only: a shared-secret (HS*) ID token is not verified here. */
const ID_TOKEN_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];
/** Longest claim value kept. */
const MAX_CLAIM_CHARS = 200;

export interface IdentifyOptions {
  readonly record: CredentialRecord;
  readonly settings?: OAuthSettings | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly signal?: AbortSignal | undefined;
  /** After a refresh: only a new ID token is read (no extra requests beyond its JWKS). */
  readonly idTokenOnly?: boolean | undefined;
}

/** The account of the login in `record`, or undefined when the server gives no way to know. */
export async function identifyAccount(options: IdentifyOptions): Promise<StoredAccount | undefined> {
  const { record } = options;
  const tokens = record.tokens;
  if (tokens === undefined) return undefined;
  const metadata = storedMetadata(record);
  const client = clientOf(record, options.settings);
  const openid = typeof tokens.scope === "string" ? tokens.scope.split(" ").includes("openid") : false;
  let account: StoredAccount | undefined;
  if (typeof tokens.id_token === "string" && client !== undefined) {
    account = await fromIdToken(tokens.id_token, metadata, client.client_id, options).catch(() => undefined);
  }
  if (options.idTokenOnly === true) return account;
  const userinfo = endpointOf(metadata, "userinfo_endpoint");
  if (userinfo !== undefined && (openid || account !== undefined)) {
    const answer = await getJson(userinfo, tokens.access_token, options);
    const claims = answer.ok ? accountFrom(answer.body, "userinfo") : undefined;
    // OIDC Core 5.3.2: userinfo about someone else than the ID token's subject is not used.
    if (claims !== undefined && (account === undefined || claims.subject === account.subject)) {
      account = { ...claims, ...definedOf(account), source: account?.source ?? "userinfo" };
    }
  }
  if (account !== undefined) return account;
  const introspection = endpointOf(metadata, "introspection_endpoint");
  if (introspection === undefined) return undefined;
  // The access token first; a server that cannot introspect it (a JWT access token, say) may still
  // introspect the refresh token, which names the same grant and so the same account.
  const candidates: [string, string][] = [["access_token", tokens.access_token]];
  if (typeof tokens.refresh_token === "string") candidates.push(["refresh_token", tokens.refresh_token]);
  for (const [hint, token] of candidates) {
    const answer = await postForm(
      introspection,
      { token, token_type_hint: hint },
      client,
      metadata.introspection_endpoint_auth_methods_supported ??
        metadata.token_endpoint_auth_methods_supported,
      options,
    );
    if (answer.ok && (answer.body as { active?: unknown } | undefined)?.active === true) {
      const found = accountFrom(answer.body, "introspection");
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

async function fromIdToken(
  idToken: string,
  metadata: Readonly<Record<string, unknown>>,
  clientId: string,
  options: IdentifyOptions,
): Promise<StoredAccount | undefined> {
  const jwksUri = endpointOf(metadata, "jwks_uri");
  const issuer = metadata.issuer;
  if (jwksUri === undefined || typeof issuer !== "string") return undefined;
  const answer = await getJson(jwksUri, undefined, options);
  if (!answer.ok) return undefined;
  const { createLocalJWKSet, jwtVerify } = await import("jose");
  const keys = createLocalJWKSet(answer.body as Parameters<typeof createLocalJWKSet>[0]);
  const { payload } = await jwtVerify(idToken, keys, {
    issuer,
    audience: clientId,
    algorithms: ID_TOKEN_ALGORITHMS,
    clockTolerance: 60,
  });
  return accountFrom(payload, "id_token");
}

/** The non-secret identity claims of a JSON object, bounded; undefined without a `sub`/`username`. */
function accountFrom(value: unknown, source: StoredAccount["source"]): StoredAccount | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const claims = value as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const claim = claims[name];
    return typeof claim === "string" && claim !== "" ? printable(claim, MAX_CLAIM_CHARS) : undefined;
  };
  const subject = text("sub");
  const username = text("preferred_username") ?? text("username");
  const email = text("email");
  const name = text("name");
  if (subject === undefined && username === undefined && email === undefined) return undefined;
  return {
    source,
    ...(subject === undefined ? {} : { subject }),
    ...(username === undefined ? {} : { username }),
    ...(email === undefined ? {} : { email }),
    ...(name === undefined ? {} : { name }),
  };
}

function definedOf(account: StoredAccount | undefined): Partial<StoredAccount> {
  if (account === undefined) return {};
  return Object.fromEntries(Object.entries(account).filter(([, value]) => value !== undefined));
}

/**
 * After a login: finds the account and keeps it with the login (or drops the account of an earlier
 * login when none can be found now). Returns the record as stored.
 */
export async function rememberAccount(
  store: CredentialStore,
  record: CredentialRecord,
  options: Omit<IdentifyOptions, "record">,
): Promise<CredentialRecord> {
  const account = await identifyAccount({ ...options, record }).catch(() => undefined);
  return store.update(record.server, record.serverUrl, (current) => {
    const { account: _previous, ...rest } = current;
    return account === undefined ? rest : { ...rest, account };
  });
}
