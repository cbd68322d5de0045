/**
 * RFC 7009 token revocation for `auth logout`: the refresh token first (revoking it ends the grant
 * at most authorization servers), then the access token, each request client-authenticated as at
 * login, at the `revocation_endpoint` the authorization server's metadata names. What happened is
 * returned, never thrown: logout deletes the local login whatever the server said.
 */
import type { OAuthSettings } from "@mcp-execution/core";
import type { FetchLike } from "@modelcontextprotocol/client";
import { clientOf, endpointOf, postForm, storedMetadata } from "./endpoints.js";
import type { CredentialRecord } from "./token-store.js";

export type RevocationOutcome =
  /** The server accepted the revocation of every token kept. */
  | { readonly status: "revoked" }
  /** No tokens were kept, so there was nothing to revoke. */
  | { readonly status: "nothing" }
  /** The authorization server publishes no (usable) revocation endpoint. */
  | { readonly status: "unsupported" }
  /** The server could not be reached or refused; `reason` is short and holds no token. */
  | { readonly status: "failed"; readonly reason: string };

export interface RevokeOptions {
  readonly record: CredentialRecord;
  readonly settings?: OAuthSettings | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly signal?: AbortSignal | undefined;
}

export async function revokeLogin(options: RevokeOptions): Promise<RevocationOutcome> {
  const { record } = options;
  const tokens = record.tokens;
  if (tokens === undefined) return { status: "nothing" };
  const metadata = storedMetadata(record);
  const endpoint = endpointOf(metadata, "revocation_endpoint");
  if (endpoint === undefined) return { status: "unsupported" };
  const client = clientOf(record, options.settings);
  const methods =
    metadata.revocation_endpoint_auth_methods_supported ?? metadata.token_endpoint_auth_methods_supported;
  const toRevoke: [string, string][] = [];
  if (typeof tokens.refresh_token === "string") toRevoke.push(["refresh_token", tokens.refresh_token]);
  toRevoke.push(["access_token", tokens.access_token]);
  for (const [hint, token] of toRevoke) {
    const answer = await postForm(endpoint, { token, token_type_hint: hint }, client, methods, options);
    if (answer.ok) continue;
    // RFC 7009 section 2.2.1: a server that cannot revoke access tokens says so; the refresh token
    // (revoked first) was the one that mattered.
    if (hint === "access_token" && answer.error === "unsupported_token_type" && toRevoke.length > 1) continue;
    return { status: "failed", reason: `${hint.replace("_", " ")}: ${answer.reason}` };
  }
  return { status: "revoked" };
}
