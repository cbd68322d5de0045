/**
 * `getState`/`setState` persistence: one JSON file per session in a directory the caller chooses.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type JsonValue, McpCliError, type SessionId, type StateStore, sessionId } from "@mcp-execution/core";
import { jsonDepth, MAX_JSON_DEPTH } from "./sandbox-constants.js";

/**
 * Largest state file read: the largest workspace quota of the limit profiles (a session's state
 * is capped at its run's `workspaceBytes`), with room for JSON escapes. Larger files are refused
 * from their size, before they are read.
 */
export const MAX_STATE_FILE_BYTES = 4 * 256 * 1024 * 1024;

/**
 * Keeps each session's state in `<directory>/<session>.json` (mode 0600). Writes are atomic: a
 * temporary file in the same directory, then a rename, so a crash never leaves half a file.
 * Session ids are validated again before they become file names, so no id can leave the
 * directory. Sessions never see each other's files. Concurrent runs of one session are
 * last-writer-wins.
 *
 * Errors: `NAME_INVALID` for a bad session id, `STATE_INVALID` when a state file is not a JSON
 * object (it is left as it is, never overwritten silently); I/O errors pass through.
 */
export class FileStateStore implements StateStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  /** The file that holds `session`'s state. */
  fileFor(session: SessionId | string): string {
    return join(this.directory, `${sessionId(session)}.json`);
  }

  async load(session: SessionId): Promise<Readonly<Record<string, JsonValue>>> {
    const file = this.fileFor(session);
    let text: string;
    try {
      const info = await lstat(file);
      if (!info.isFile()) {
        throw new McpCliError(
          "STATE_INVALID",
          `the state file of session ${session} (${file}) is not a regular file; remove it or start the session fresh`,
          { details: { session, file } },
        );
      }
      if (info.size > MAX_STATE_FILE_BYTES) {
        throw new McpCliError(
          "STATE_INVALID",
          `the state file of session ${session} (${file}) has ${info.size} bytes, more than the ${MAX_STATE_FILE_BYTES} a session may hold; remove it or start the session fresh`,
          { details: { session, file, bytes: info.size, limit: MAX_STATE_FILE_BYTES } },
        );
      }
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
    // The same depth a run may write (the file's own object is one level more).
    if (jsonDepth(text, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH + 1) {
      throw new McpCliError(
        "STATE_INVALID",
        `the state file of session ${session} (${file}) is nested more than ${MAX_JSON_DEPTH} levels deep; fix or delete it, or start the session fresh`,
        { details: { session, file, limit: MAX_JSON_DEPTH } },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new McpCliError(
        "STATE_INVALID",
        `the state file of session ${session} (${file}) is not valid JSON; fix or delete it`,
        { details: { session, file }, cause: error },
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new McpCliError(
        "STATE_INVALID",
        `the state file of session ${session} (${file}) must hold a JSON object; fix or delete it`,
        { details: { session, file } },
      );
    }
    return parsed as Record<string, JsonValue>;
  }

  async save(session: SessionId, state: Readonly<Record<string, JsonValue>>): Promise<void> {
    const file = this.fileFor(session);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600, flag: "wx" });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Forgets a session's state. A session without state is fine. */
  async remove(session: SessionId): Promise<void> {
    await rm(this.fileFor(session), { force: true });
  }
}
