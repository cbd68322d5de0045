/**
 * `auth logout`: for each stored login of a server, under the refresh lock (token-lock.ts), read
 * the record, revoke its tokens (RFC 7009, unless `local`) and delete it.
 *
 * The lock is what makes the logout stick. A refresh holds it from reading the stored tokens to
 * writing the new ones, so a logout waits for a refresh in progress to finish and then revokes the
 * tokens that refresh stored, not the ones it replaced; and a refresh that comes after finds no
 * record and writes none (auth/provider.ts).
 *
 * When the lock stays held past the wait bound the logout fails with `TIMEOUT` and changes
 * nothing (docs/authentication.md, "Logout and revocation", says why): deleting beside a holder
 * that is still refreshing could be undone by its write, and the same command run again takes
 * the lock over once it is stale.
 */
import { McpCliError, type OAuthSettings } from "@mcp-execution/core";
import type { FetchLike } from "@modelcontextprotocol/client";
import { type RevocationOutcome, revokeLogin } from "./revoke.js";
import { LOCK_STALE_MS, LOCK_WAIT_MS, withTokenLock } from "./token-lock.js";
import type { CredentialStore } from "./token-store.js";

export interface LogoutOptions {
  readonly store: CredentialStore;
  readonly server: string;
  /** Delete the stored logins without asking the authorization server to revoke them. */
  readonly local?: boolean | undefined;
  /** The configured OAuth settings (a confidential client's secret authenticates the revocation). */
  readonly settings?: OAuthSettings | undefined;
  /** Quoted in the `TIMEOUT` error; defaults to `mcp-cli auth logout <server>`. */
  readonly logoutCommand?: string | undefined;
  /** Called when another process is refreshing a login and the logout waits for it. */
  readonly onWait?: (() => void) | undefined;
  /** How long to wait for another holder of the lock; defaults to {@link LOCK_WAIT_MS}. */
  readonly lockWaitMs?: number | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface LogoutResult {
  /** How many stored logins were deleted. */
  readonly removed: number;
  /** One per login revoked (empty with `local`). */
  readonly revocations: readonly RevocationOutcome[];
}

export async function logout(options: LogoutOptions): Promise<LogoutResult> {
  const { store, server } = options;
  const revocations: RevocationOutcome[] = [];
  let removed = 0;
  for (const listed of await store.list(server)) {
    const file = store.fileFor(listed.server, listed.serverUrl);
    try {
      await withTokenLock(
        file,
        async () => {
          // Read again under the lock: a refresh that finished while this logout waited stored
          // new tokens, and those are the ones still valid at the authorization server.
          const record = await store.read(listed.server, listed.serverUrl);
          if (record === undefined) return;
          if (options.local !== true) {
            revocations.push(
              await revokeLogin({
                record,
                settings: options.settings,
                fetch: options.fetch,
                signal: options.signal,
              }),
            );
          }
          if (await store.delete(listed.server, listed.serverUrl)) removed += 1;
        },
        { waitMs: options.lockWaitMs, signal: options.signal, onWait: options.onWait },
      );
    } catch (error) {
      if (error instanceof McpCliError && error.code === "TIMEOUT")
        throw lockTimeout(options, listed.serverUrl, file, removed);
      throw error;
    }
  }
  return { removed, revocations };
}

function lockTimeout(options: LogoutOptions, serverUrl: string, file: string, removed: number): McpCliError {
  const waitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
  const command = options.logoutCommand ?? `mcp-cli auth logout ${options.server}`;
  const others =
    removed === 0 ? "" : ` (${removed} other login${removed === 1 ? " was" : "s were"} logged out)`;
  return new McpCliError(
    "TIMEOUT",
    `cannot log out of ${options.server}: another mcp-cli process has been refreshing the login for ${serverUrl} for over ${Math.round(waitMs / 1000)} s, so it was neither revoked nor deleted${others}. ` +
      `A refresh lock counts as abandoned after ${Math.round(LOCK_STALE_MS / 1000)} s; run again: ${command}`,
    { details: { server: options.server, path: `${file}.lock`, timeoutMs: waitMs, command, removed } },
  );
}
