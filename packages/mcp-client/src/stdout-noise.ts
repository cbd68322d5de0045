/**
 * Lines a stdio server writes to stdout that are not JSON-RPC messages. A banner or a stray log
 * line is worth a warning; a server that prints 20,000 lines must not turn into 20,000 warnings.
 * So: each distinct line is shown once, at most {@link MAX_SHOWN_NOISE_LINES} of them, each cut to
 * {@link SHOWN_NOISE_CHARS} characters and quoted as JSON (no raw control characters); after that
 * one warning says the rest is only counted, and {@link summary} gives the count at the end.
 */

export const MAX_SHOWN_NOISE_LINES = 5;
export const SHOWN_NOISE_CHARS = 200;

export class StdoutNoise {
  /** Lines ignored so far. */
  count = 0;
  /** The first ignored line, cut to {@link SHOWN_NOISE_CHARS}. */
  first: string | undefined;
  readonly #shown = new Set<string>();
  #suppressedFrom: number | undefined;
  #summarized = false;

  /** Records one ignored line; returns the warning to show for it, if any. */
  record(line: string): string | undefined {
    this.count += 1;
    const shown = line.length > SHOWN_NOISE_CHARS ? `${line.slice(0, SHOWN_NOISE_CHARS)}...` : line;
    this.first ??= shown;
    if (this.#shown.has(shown)) return undefined;
    if (this.#shown.size < MAX_SHOWN_NOISE_LINES) {
      this.#shown.add(shown);
      return `ignored a line on stdout that is not a JSON-RPC message: ${JSON.stringify(shown)}`;
    }
    if (this.#suppressedFrom !== undefined) return undefined;
    this.#suppressedFrom = this.count;
    return (
      "the server keeps writing lines that are not JSON-RPC messages to stdout; further ones are" +
      " counted, not shown (stdio servers must log to stderr)"
    );
  }

  /** Once, after the connection ended: how many lines were ignored without a warning of their own. */
  summary(): string | undefined {
    if (this.#summarized || this.#suppressedFrom === undefined) return undefined;
    this.#summarized = true;
    return `the server wrote ${this.count} lines to stdout that are not JSON-RPC messages in total`;
  }
}
