/**
 * The last few kilobytes of a server's stderr, kept so that a failed connection can say why
 * (a missing API key, a stack trace) instead of only "connection closed".
 */
export class StderrTail {
  readonly #maxChars: number;
  readonly #lines: string[] = [];
  #chars = 0;

  constructor(maxChars: number) {
    this.#maxChars = Math.max(0, maxChars);
  }

  push(line: string): void {
    if (this.#maxChars === 0) return;
    const kept = line.length > this.#maxChars ? line.slice(-this.#maxChars) : line;
    this.#lines.push(kept);
    this.#chars += kept.length + 1;
    while (this.#chars > this.#maxChars && this.#lines.length > 1) {
      const dropped = this.#lines.shift() as string;
      this.#chars -= dropped.length + 1;
    }
  }

  /** The kept lines joined by newlines, plus `partial` (an unterminated last line). */
  text(partial = ""): string {
    const lines = partial === "" ? this.#lines : [...this.#lines, partial];
    const text = lines.join("\n");
    return text.length > this.#maxChars ? text.slice(-this.#maxChars) : text;
  }
}
