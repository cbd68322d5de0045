/**
 * `getState`/`setState` persistence: one JSON file per session in a directory the caller chooses.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type JsonValue, McpCliError, type SessionId, type StateStore, sessionId } from "@mcp-execution/core";

function isJsonValue(value: unknown, depth: number): value is JsonValue {
  if (depth > 1000) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === "object") {
    return Object.values(value as Record<string, unknown>).every((item) => isJsonValue(item, depth + 1));
  }
  return false;
}

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
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
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
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || !isJsonValue(parsed, 0)) {
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
