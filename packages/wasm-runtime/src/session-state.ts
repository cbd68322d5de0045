/**
 * A session's state while one execution runs: loaded from the {@link StateStore} before the run,
 * read and written synchronously by the guest's `getState`/`setState`, saved after the run when it
 * changed. Values are kept as JSON text, so what the guest gets back is always a fresh copy.
 */
import { type JsonValue, McpCliError } from "@mcp-execution/core";
import { jsonDepth, MAX_JSON_DEPTH, MAX_STATE_KEY_LENGTH } from "./sandbox-constants.js";

export class SessionState {
  readonly #values = new Map<string, string>();
  #bytes = 0;
  #changed = false;

  /**
   * Loads `initial` with exactly the checks {@link setJson} applies (key length, depth, the
   * quota), so that a state a run could write is a state the next run can load, and the other
   * way round. Throws `STATE_INVALID` (naming `source`) for one that breaks them.
   */
  constructor(
    initial: Readonly<Record<string, JsonValue>>,
    private readonly maxBytes: number,
    source = "the session's state",
  ) {
    for (const [key, value] of Object.entries(initial)) {
      try {
        this.setJson(key, JSON.stringify(value));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new McpCliError("STATE_INVALID", `${source} cannot be loaded: ${reason}`, {
          details: { key: key.slice(0, MAX_STATE_KEY_LENGTH), reason },
          cause: error,
        });
      }
    }
    this.#changed = false;
  }

  get changed(): boolean {
    return this.#changed;
  }

  /** The value's JSON text, or undefined when the key has none. */
  getJson(key: string): string | undefined {
    checkKey(key);
    return this.#values.get(key);
  }

  /**
   * Sets `key` to the value whose JSON text is `json` (undefined deletes it). Refuses with
   * `LIMIT_STORAGE` when the session's state would exceed its quota, leaving it unchanged.
   */
  setJson(key: string, json: string | undefined): void {
    checkKey(key);
    const previous = this.#values.get(key);
    const previousSize = previous === undefined ? 0 : key.length + previous.length;
    if (json === undefined) {
      if (previous === undefined) return;
      this.#values.delete(key);
      this.#bytes -= previousSize;
      this.#changed = true;
      return;
    }
    // Depth first (on the text, without recursion), then parsed to be sure it is JSON before it
    // is stored: the guest side produced it, but the host does not rely on guest code for what
    // it writes to disk. Loading checks the same.
    if (jsonDepth(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      throw new McpCliError(
        "RESULT_UNSERIALIZABLE",
        `cannot save state ${JSON.stringify(key.slice(0, 64))}: the value is nested more than ${MAX_JSON_DEPTH} levels deep`,
        { details: { key, limit: MAX_JSON_DEPTH } },
      );
    }
    JSON.parse(json);
    const size = key.length + json.length;
    if (this.#bytes - previousSize + size > this.maxBytes) {
      throw new McpCliError(
        "LIMIT_STORAGE",
        `cannot save state ${JSON.stringify(key)}: the session's state would exceed its quota of ${this.maxBytes} bytes`,
        { details: { key, quotaBytes: this.maxBytes } },
      );
    }
    this.#values.set(key, json);
    this.#bytes += size - previousSize;
    this.#changed = true;
  }

  toJSON(): Record<string, JsonValue> {
    const state: Record<string, JsonValue> = {};
    for (const [key, json] of this.#values) state[key] = JSON.parse(json) as JsonValue;
    return state;
  }
}

function checkKey(key: string): void {
  if (key.length === 0 || key.length > MAX_STATE_KEY_LENGTH) {
    throw new McpCliError("NAME_INVALID", `a state key must be 1 to ${MAX_STATE_KEY_LENGTH} characters`, {
      details: { kind: "state key", length: key.length },
    });
  }
}
