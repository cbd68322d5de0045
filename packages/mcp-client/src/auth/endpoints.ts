/**
 * Requests to the authorization server's other endpoints (RFC 7009 revocation, RFC 7662
 * introspection, OIDC userinfo and JWKS), outside the SDK's `auth()`: bounded answers, a deadline,
 * no redirects, https only (loopback http allowed, as for the token endpoint), and the client
 * authenticated the way it is at the token endpoint. Nothing here puts a token into an error.
 */
import type { OAuthSettings } from "@mcp-execution/core";
import type { FetchLike } from "@modelcontextprotocol/client";
import { authFetch } from "./login.js";
import { printable } from "./provider.js";
import type { CredentialRecord, StoredClient } from "./token-store.js";

/** Each request to the authorization server gets this long. */
export const ENDPOINT_TIMEOUT_MS = 10_000;

/** The authorization server metadata kept with the login (from discovery), or an empty object. */
export function storedMetadata(record: CredentialRecord): Readonly<Record<string, unknown>> {
  const metadata = (record.discovery as { authorizationServerMetadata?: unknown } | undefined)
    ?.authorizationServerMetadata;
  return typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>) : {};
}

/** An endpoint URL from the metadata, when it is https (or http on loopback). */
export function endpointOf(metadata: Readonly<Record<string, unknown>>, name: string): URL | undefined {
  const value = metadata[name];
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
    return url.protocol === "https:" || (url.protocol === "http:" && loopback) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The client as it authenticates: the configured one (with its secret), else the registered one. */
export function clientOf(
  record: CredentialRecord,
  settings: OAuthSettings | undefined,
): StoredClient | undefined {
  if (settings?.clientId !== undefined) {
    return {
      client_id: settings.clientId,
      ...(settings.clientSecret === undefined ? {} : { client_secret: settings.clientSecret }),
      ...(record.client?.client_id === settings.clientId && record.client.token_endpoint_auth_method
        ? { token_endpoint_auth_method: record.client.token_endpoint_auth_method }
        : {}),
    };
  }
  return record.client;
}

/** The outcome of one request: the parsed JSON answer, or why there is none. */
export type EndpointAnswer =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly reason: string; readonly status?: number; readonly error?: string };

/**
 * POSTs a form to `endpoint` with client authentication (`client_secret_basic` when the client
 * has a secret and the server accepts it, else `client_secret_post`; a public client sends its
 * `client_id`), as the SDK does at the token endpoint.
 */
export async function postForm(
  endpoint: URL,
  form: Readonly<Record<string, string>>,
  client: StoredClient | undefined,
  supportedMethods: unknown,
  options: { readonly fetch?: FetchLike | undefined; readonly signal?: AbortSignal | undefined } = {},
): Promise<EndpointAnswer> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const body = new URLSearchParams(form);
  if (client !== undefined) {
    const method = authMethod(client, supportedMethods);
    if (method === "client_secret_basic") {
      headers.authorization = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret ?? ""}`).toString("base64")}`;
    } else {
      body.set("client_id", client.client_id);
      if (method === "client_secret_post" && client.client_secret !== undefined) {
        body.set("client_secret", client.client_secret);
      }
    }
  }
  return request(endpoint, { method: "POST", headers, body }, options);
}

/** GETs `endpoint` with a bearer token (userinfo) or nothing (JWKS). */
export async function getJson(
  endpoint: URL,
  bearer: string | undefined,
  options: { readonly fetch?: FetchLike | undefined; readonly signal?: AbortSignal | undefined } = {},
): Promise<EndpointAnswer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  return request(endpoint, { method: "GET", headers }, options);
}

async function request(
  endpoint: URL,
  init: RequestInit,
  options: { readonly fetch?: FetchLike | undefined; readonly signal?: AbortSignal | undefined },
): Promise<EndpointAnswer> {
  const deadline = AbortSignal.timeout(ENDPOINT_TIMEOUT_MS);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  let response: Response;
  try {
    response = await authFetch(options.fetch)(endpoint, { ...init, redirect: "manual", signal });
  } catch (error) {
    const reason = deadline.aborted
      ? `no answer from ${endpoint.host} within ${ENDPOINT_TIMEOUT_MS / 1000} s`
      : `cannot reach ${printable(endpoint.host, 100)} (${describeNetworkError(error)})`;
    return { ok: false, reason };
  }
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | undefined)?.error;
    const code = typeof error === "string" ? printable(error, 64) : undefined;
    return {
      ok: false,
      status: response.status,
      reason: `HTTP ${response.status}${code === undefined ? "" : ` ${code}`}`,
      ...(code === undefined ? {} : { error: code }),
    };
  }
  return { ok: true, status: response.status, body };
}

function authMethod(client: StoredClient, supported: unknown): string {
  if (client.client_secret === undefined) return "none";
  const methods = Array.isArray(supported) ? supported.filter((item) => typeof item === "string") : [];
  const registered = client.token_endpoint_auth_method;
  if (
    (registered === "client_secret_basic" || registered === "client_secret_post") &&
    (methods.length === 0 || methods.includes(registered))
  ) {
    return registered;
  }
  if (methods.length === 0 || methods.includes("client_secret_basic")) return "client_secret_basic";
  return "client_secret_post";
}

/** The errno (`ECONNREFUSED`) somewhere down the cause chain, else the error's name. */
function describeNetworkError(error: unknown): string {
  let link: unknown = error;
  for (let depth = 0; depth < 8 && typeof link === "object" && link !== null; depth += 1) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z0-9_]+$/.test(code)) return code;
    link = (link as { cause?: unknown }).cause;
  }
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Error) return printable(cause.message, 80);
  return error instanceof Error ? printable(error.name, 40) : "error";
}
