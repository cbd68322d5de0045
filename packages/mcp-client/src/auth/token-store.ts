/**
 * OAuth credentials on disk: one JSON file per server and protected resource, in a folder only
 * the user can enter (0700), each file readable only by the user (0600).
 *
 * Files are written atomically (a fresh temporary file created with `O_EXCL | O_NOFOLLOW`, synced,
 * then renamed over the old one) so a crash or a concurrent reader never sees half a file, and a
 * symlink planted in the folder is never followed: reads open with `O_NOFOLLOW`, and the folder
 * itself is refused when it is a symlink or belongs to someone else.
 *
 * This module loads no SDK: `server list` and `auth status` read the store cheaply.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { McpCliError } from "@mcp-execution/core";

/** A credential file larger than this is refused (real ones are a few KiB). */
export const MAX_CREDENTIAL_FILE_BYTES = 256 * 1024;
const RECORD_VERSION = 1;

/** OAuth tokens as the authorization server issued them, plus when they expire. */
export interface StoredTokenSet {
  readonly access_token: string;
  readonly token_type: string;
  readonly refresh_token?: string;
  readonly scope?: string;
  readonly expires_in?: number;
  readonly id_token?: string;
  /** The authorization server that issued them (SEP-2352 binding). */
  readonly issuer?: string;
  /** Milliseconds since the epoch; absent when the server gave no `expires_in`. */
  readonly expiresAt?: number;
  readonly [key: string]: unknown;
}

/** The client as registered with (or pre-registered at) the authorization server. */
export interface StoredClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly issuer?: string;
  readonly redirect_uris?: readonly string[];
  readonly [key: string]: unknown;
}

/**
 * Who the login belongs to (auth/account.ts): identity claims only, never a token. `source` says
 * where they came from: a verified ID token, the userinfo endpoint, or token introspection.
 */
export interface StoredAccount {
  readonly source: "id_token" | "userinfo" | "introspection";
  /** The `sub` claim: the authorization server's identifier of the user. */
  readonly subject?: string;
  readonly email?: string;
  /** `preferred_username` (OIDC) or `username` (introspection). */
  readonly username?: string;
  readonly name?: string;
}

/** Everything kept for one server and resource. */
export interface CredentialRecord {
  readonly version: 1;
  /** The configured server name (or the name derived for a URL). */
  readonly server: string;
  /** The MCP server URL the credentials were obtained for. */
  readonly serverUrl: string;
  /** The RFC 8707 resource indicator the tokens are bound to, when one was used. */
  readonly resource?: string;
  readonly client?: StoredClient;
  readonly tokens?: StoredTokenSet;
  /** Scopes asked for at the last login (kept so a later login asks for at least these). */
  readonly requestedScope?: string;
  /** Discovery results (protected resource and authorization server metadata). */
  readonly discovery?: Readonly<Record<string, unknown>>;
  /** When the last login finished, milliseconds since the epoch. */
  readonly loggedInAt?: number;
  /** Who is logged in, when the authorization server said (absent: unknown). */
  readonly account?: StoredAccount;
}

/** Where credentials live: `<state dir>/oauth`. The CLI passes the state directory. */
export class CredentialStore {
  readonly directory: string;

  constructor(stateDirectory: string) {
    this.directory = join(stateDirectory, "oauth");
  }

  /** The file for `server` at `serverUrl`: `<server>.<hash of the URL>.json`. */
  fileFor(server: string, serverUrl: string): string {
    const digest = createHash("sha256").update(normalizeServerUrl(serverUrl)).digest("hex").slice(0, 16);
    return join(this.directory, `${safeName(server)}.${digest}.json`);
  }

  async read(server: string, serverUrl: string): Promise<CredentialRecord | undefined> {
    const path = this.fileFor(server, serverUrl);
    if (!(await this.#directoryUsable(false))) return undefined;
    return readRecord(path);
  }

  /** Every record of `server` (any URL), or of every server when `server` is undefined. */
  async list(server?: string): Promise<CredentialRecord[]> {
    if (!(await this.#directoryUsable(false))) return [];
    const names = (await readdir(this.directory)).filter(
      (name) =>
        name.endsWith(".json") &&
        !name.startsWith(".") &&
        (server === undefined || name.startsWith(`${safeName(server)}.`)),
    );
    const records: CredentialRecord[] = [];
    for (const name of names.sort()) {
      const record = await readRecord(join(this.directory, name)).catch(() => undefined);
      if (record !== undefined && (server === undefined || record.server === server)) records.push(record);
    }
    return records;
  }

  async write(record: CredentialRecord): Promise<void> {
    await this.#directoryUsable(true);
    const path = this.fileFor(record.server, record.serverUrl);
    const temporary = join(this.directory, `.${randomBytes(8).toString("hex")}.tmp`);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    const handle = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      // rename() replaces a symlink at `path` itself; it never writes through it.
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw storeError(`cannot write ${path}`, error);
    }
  }

  /** Updates the record in place (creating it when absent); returns the new record. */
  async update(
    server: string,
    serverUrl: string,
    change: (record: CredentialRecord) => CredentialRecord,
  ): Promise<CredentialRecord> {
    const current = (await this.read(server, serverUrl)) ?? { version: RECORD_VERSION, server, serverUrl };
    const next = change(current);
    await this.write(next);
    return next;
  }

  /** Deletes the record of `server` at `serverUrl`; false when there was none. */
  async delete(server: string, serverUrl: string): Promise<boolean> {
    if (!(await this.#directoryUsable(false))) return false;
    try {
      await unlink(this.fileFor(server, serverUrl));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw storeError("cannot delete credentials", error);
    }
  }

  /**
   * Checks the folder: it must be a real directory (not a symlink) owned by this user. With
   * `create`, makes it 0700 (and tightens looser permissions). False when it does not exist.
   */
  async #directoryUsable(create: boolean): Promise<boolean> {
    let stats = await lstat(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw storeError(`cannot read ${this.directory}`, error);
    });
    if (stats === undefined) {
      if (!create) return false;
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      stats = await lstat(this.directory);
    }
    if (stats.isSymbolicLink() || !stats.isDirectory()) {
      throw new McpCliError(
        "PATH_INVALID",
        `${this.directory} is not a directory (a symlink or a file is there); remove it so mcp-cli can keep credentials there`,
        { details: { path: this.directory } },
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw new McpCliError(
        "PATH_INVALID",
        `${this.directory} belongs to another user; refusing to keep credentials there`,
        {
          details: { path: this.directory },
        },
      );
    }
    if (create && (stats.mode & 0o077) !== 0) await chmod(this.directory, 0o700);
    return true;
  }
}

async function readRecord(path: string): Promise<CredentialRecord | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") {
      throw new McpCliError("PATH_INVALID", `${path} is a symlink; refusing to read credentials through it`, {
        details: { path },
      });
    }
    throw storeError(`cannot read ${path}`, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > MAX_CREDENTIAL_FILE_BYTES) {
      throw new McpCliError(
        "PATH_INVALID",
        `${path} is not a credential file (not a file, or larger than 256 KiB)`,
        {
          details: { path },
        },
      );
    }
    const text = await handle.readFile("utf8");
    return parseRecord(text, path);
  } finally {
    await handle.close();
  }
}

function parseRecord(text: string, path: string): CredentialRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new McpCliError("PATH_INVALID", `${path} is not valid JSON; delete it and log in again`, {
      details: { path },
    });
  }
  const record = value as Partial<CredentialRecord> | null;
  if (
    record === null ||
    typeof record !== "object" ||
    record.version !== RECORD_VERSION ||
    typeof record.server !== "string" ||
    typeof record.serverUrl !== "string" ||
    (record.tokens !== undefined && typeof record.tokens?.access_token !== "string") ||
    (record.client !== undefined && typeof record.client?.client_id !== "string")
  ) {
    throw new McpCliError(
      "PATH_INVALID",
      `${path} is not a credential file of this mcp-cli version; delete it and log in again`,
      {
        details: { path },
      },
    );
  }
  return record as CredentialRecord;
}

function storeError(message: string, cause: unknown): McpCliError {
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? "error";
  return new McpCliError("PATH_INVALID", `${message} (${reason})`, { cause });
}

/** Server names are validated ids already; this keeps a derived name file-safe all the same. */
function safeName(server: string): string {
  return server.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
}

/** The URL without a fragment, so `https://x/mcp` and `https://x/mcp#a` share credentials. */
export function normalizeServerUrl(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    url.hash = "";
    return url.href;
  } catch {
    return serverUrl;
  }
}
