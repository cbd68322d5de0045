/**
 * Masking secrets in text the client hands out: error messages and details built from fetch,
 * undici, SDK and process failures, a server's stderr tail and its stderr lines.
 *
 * Servers and HTTP stacks quote what they were given: undici prints a URL with its credentials,
 * the SDK puts an HTTP error body (which a hostile server fills with the Authorization header it
 * received) into its message, a server prints its own environment on stderr. Masking the known
 * values wherever text leaves this package is the one rule that covers all of these.
 *
 * The values are: every header value (and each word after the first, so `Bearer <token>` hides
 * the token alone too), URL credentials and query values, the stdio server's configured `env` values, and
 * whatever the configuration loader lists in `redact` (every value that came from `${VAR}`
 * expansion, defaults included). Each value is also matched in its URL-encoded, form-encoded and
 * JSON-escaped spellings, and `user:password` also in Base64 (Basic authentication).
 */
import {
  type ErrorDetails,
  MASK,
  McpCliError,
  type RemoteServerConfig,
  type ResolvedServerConfig,
  type StdioServerConfig,
} from "@mcp-execution/core";

/**
 * Shorter values are not masked: masking `1` or `on` would garble every message and hides
 * nothing a guess would not find.
 */
export const MIN_REDACTED_LENGTH = 4;
/** An error message longer than this (after masking) is cut, with a marker saying so. */
export const MAX_ERROR_MESSAGE_CHARS = 4_096;
/** A string in error details longer than this is cut the same way. */
export const MAX_ERROR_DETAIL_CHARS = 65_536;
/** Details nested deeper than this are replaced by a marker (they are built by us, never that deep). */
const MAX_DETAIL_DEPTH = 16;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The spellings under which `value` may show up in a message. */
function spellings(value: string): string[] {
  const out = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
  out.push(new URLSearchParams({ v: value }).toString().slice(2));
  return out;
}

/** Masks a fixed set of secret values in text. Immutable; cheap when there is nothing to mask. */
export class Redactor {
  readonly #pattern: RegExp | undefined;
  readonly #longest: number;

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const secret of secrets) {
      if (typeof secret !== "string" || secret.length < MIN_REDACTED_LENGTH) continue;
      for (const spelling of spellings(secret)) {
        if (spelling.length >= MIN_REDACTED_LENGTH && spelling !== MASK) all.add(spelling);
      }
    }
    // Longest first, so a value that contains another is masked whole, not around the shorter one.
    const sorted = [...all].sort((a, b) => b.length - a.length);
    this.#longest = sorted[0]?.length ?? 0;
    this.#pattern = sorted.length === 0 ? undefined : new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }

  /** True when there is at least one value to mask. */
  get active(): boolean {
    return this.#pattern !== undefined;
  }

  /** `text` with every secret replaced by {@link MASK}. */
  text(text: string): string {
    if (this.#pattern === undefined || text === "") return text;
    return text.replace(this.#pattern, MASK);
  }

  /**
   * `text` masked and cut to `maxChars`. A huge text is cut before masking (with room for one
   * secret across the cut, so no half secret survives) to keep the cost bounded.
   */
  bounded(text: string, maxChars: number): string {
    const head = text.length > maxChars + this.#longest ? text.slice(0, maxChars + this.#longest) : text;
    const masked = this.text(head);
    if (masked.length <= maxChars && head.length === text.length) return masked;
    return `${masked.slice(0, maxChars)}... (${text.length - maxChars} more characters cut)`;
  }

  /** A copy of JSON-like details with every string masked and bounded. */
  details(details: ErrorDetails): ErrorDetails {
    return this.#value(details, 0) as ErrorDetails;
  }

  #value(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.bounded(value, MAX_ERROR_DETAIL_CHARS);
    if (value === null || typeof value !== "object") return value;
    if (depth >= MAX_DETAIL_DEPTH) return "(nested too deeply)";
    if (Array.isArray(value)) return value.map((item) => this.#value(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = this.#value(item, depth + 1);
    return out;
  }

  /**
   * The error with its message and details masked and bounded. The cause keeps its type when it
   * holds nothing to mask; otherwise it becomes a plain Error with a masked message and stack,
   * because a cause's text is printed too (stack traces of internal errors).
   */
  error(error: McpCliError): McpCliError {
    const message = this.bounded(error.message, MAX_ERROR_MESSAGE_CHARS);
    const details = error.details === undefined ? undefined : this.details(error.details);
    const cause = this.#cause(error.cause);
    return new McpCliError(error.code, message, {
      ...(cause === undefined ? {} : { cause }),
      ...(details === undefined ? {} : { details }),
    });
  }

  #cause(cause: unknown): unknown {
    if (!(cause instanceof Error) || cause instanceof McpCliError) {
      return cause instanceof McpCliError ? this.error(cause) : cause;
    }
    const message = this.text(cause.message);
    const stack = cause.stack === undefined ? undefined : this.text(cause.stack);
    if (message === cause.message && stack === cause.stack) return cause;
    const copy = new Error(message);
    copy.name = cause.name;
    if (stack !== undefined) copy.stack = stack;
    const code = (cause as { code?: unknown }).code;
    if (code !== undefined) (copy as { code?: unknown }).code = code;
    return copy;
  }
}

/** A redactor that masks nothing. */
export const NO_REDACTION = new Redactor([]);

/** The values of {@link ResolvedServerConfig} that must never be printed (see the module comment). */
export function secretsOf(config: ResolvedServerConfig): string[] {
  const secrets: string[] = [...(config.redact ?? [])];
  if (config.transport === "stdio") {
    secrets.push(...Object.values((config as StdioServerConfig).env));
    return secrets;
  }
  const remote = config as RemoteServerConfig;
  for (const value of Object.values(remote.headers)) {
    // `Bearer <token>`: the token alone is a secret too, the scheme word is not (masking
    // "Bearer" would garble every hint that mentions it).
    const words = value.split(/\s+/).filter((word) => word !== "");
    secrets.push(value, ...(words.length > 1 ? words.slice(1) : []));
  }
  let url: URL | undefined;
  try {
    url = new URL(remote.url);
  } catch {
    return secrets;
  }
  const username = safeDecode(url.username);
  const password = safeDecode(url.password);
  secrets.push(url.username, url.password, username, password);
  if (username !== "" || password !== "") {
    secrets.push(Buffer.from(`${username}:${password}`).toString("base64"));
  }
  for (const value of url.searchParams.values()) secrets.push(value);
  for (const raw of url.search.slice(1).split("&")) {
    const equals = raw.indexOf("=");
    if (equals !== -1) secrets.push(raw.slice(equals + 1));
  }
  return secrets;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The redactor for one server's configuration. */
export function redactorFor(config: ResolvedServerConfig): Redactor {
  return new Redactor(secretsOf(config));
}
