/**
 * The loopback redirect receiver of a native OAuth client (RFC 8252 section 7.3): an HTTP server
 * on 127.0.0.1 at a random port that waits for the authorization server to send the browser back
 * to `/callback?code=...&state=...`.
 *
 * The `state` is compared in constant time; a callback with the wrong state, or an error from the
 * authorization server, ends the wait with `AUTH_REFUSED`. The same checks apply to a redirect URL
 * pasted by the user ({@link parseRedirect}), for `auth login --no-browser`.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { McpCliError } from "@mcp-execution/core";
import { printable } from "./provider.js";

export const CALLBACK_PATH = "/callback";

/** What the authorization server sent back. */
export interface AuthorizationCallback {
  readonly code: string;
  /** RFC 9207 issuer identifier, when the server sends one. */
  readonly iss?: string;
}

export interface LoopbackReceiver extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/callback` */
  readonly redirectUrl: string;
  /** Resolves with the first callback to this receiver; rejects on a wrong state or an error. */
  callback(): Promise<AuthorizationCallback>;
  close(): Promise<void>;
}

const PAGE_DONE =
  "<!doctype html><meta charset=utf-8><title>mcp-cli</title><p>Logged in. You can close this window and return to the terminal.</p>";
const PAGE_FAILED =
  "<!doctype html><meta charset=utf-8><title>mcp-cli</title><p>The login failed; see the terminal for the reason.</p>";

/**
 * Starts the receiver. `expectedState` is the `state` sent in the authorization request.
 * `preferredPort` (the port of an earlier registration's redirect URI) is used when it is free, so
 * a client registered before keeps an exact redirect URI match; otherwise a random port.
 */
export async function startLoopbackReceiver(
  expectedState: string,
  preferredPort?: number,
): Promise<LoopbackReceiver> {
  let settle: { resolve(value: AuthorizationCallback): void; reject(error: unknown): void } | undefined;
  const result = new Promise<AuthorizationCallback>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may be awaiting yet (the browser can be faster than the caller); avoid an unhandled rejection.
  result.catch(() => undefined);
  let done = false;

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method !== "GET" || url.pathname !== CALLBACK_PATH) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    if (done) {
      response.writeHead(409, { "content-type": "text/plain" }).end("this login already finished");
      return;
    }
    done = true;
    try {
      const callback = checkCallbackParameters(url.searchParams, expectedState);
      response
        .writeHead(200, { "content-type": "text/html; charset=utf-8", connection: "close" })
        .end(PAGE_DONE);
      settle?.resolve(callback);
    } catch (error) {
      response
        .writeHead(400, { "content-type": "text/html; charset=utf-8", connection: "close" })
        .end(PAGE_FAILED);
      settle?.reject(error);
    }
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => reject(error);
      server.once("error", fail);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", fail);
        resolve();
      });
    });
  if (preferredPort === undefined) await listen(0);
  else await listen(preferredPort).catch(() => listen(0));
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new McpCliError("INTERNAL", "loopback server has no port");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return {
    redirectUrl: `http://127.0.0.1:${address.port}${CALLBACK_PATH}`,
    callback: () => result,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Reads a redirect URL the user pasted (`auth login --no-browser`) and applies the same checks as
 * the loopback receiver. A bare `code` is not accepted: without the state the answer cannot be
 * tied to this login.
 */
export function parseRedirect(pasted: string, expectedState: string): AuthorizationCallback {
  const text = pasted.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new McpCliError(
      "AUTH_REFUSED",
      "that is not a URL: paste the whole address the browser was sent to (it starts with http://127.0.0.1 and contains code= and state=)",
    );
  }
  return checkCallbackParameters(url.searchParams, expectedState);
}

function checkCallbackParameters(parameters: URLSearchParams, expectedState: string): AuthorizationCallback {
  const error = parameters.get("error");
  if (error !== null) {
    const description = parameters.get("error_description");
    throw new McpCliError(
      "AUTH_REFUSED",
      `the authorization server refused the login: ${printable(error, 64)}${description === null ? "" : ` (${printable(description)})`}`,
      { details: { error: printable(error, 64) } },
    );
  }
  const state = parameters.get("state");
  if (state === null || !sameText(state, expectedState)) {
    throw new McpCliError(
      "AUTH_REFUSED",
      "the redirect's state does not match this login (a stale or forged redirect); run the login again",
      { details: { reason: "state mismatch" } },
    );
  }
  const code = parameters.get("code");
  if (code === null || code === "") {
    throw new McpCliError("AUTH_REFUSED", "the redirect carries no authorization code");
  }
  const iss = parameters.get("iss");
  return iss === null ? { code } : { code, iss };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
