/**
 * What a server said on stderr, kept so that a failed connection can say why (a missing API key, a
 * stack trace) instead of only "connection closed". Both ends matter: the first lines are where a
 * server explains what is missing ("No access token was provided"), the last where it crashed. A
 * quarter of the budget keeps the head; the rest keeps the tail; what falls between is counted.
 */
export class StderrTail {
  readonly #maxChars: number;
  readonly #headChars: number;
  readonly #head: string[] = [];
  #headUsed = 0;
  #headFull = false;
  readonly #lines: string[] = [];
  #chars = 0;
  #dropped = 0;

  constructor(maxChars: number) {
    this.#maxChars = Math.max(0, maxChars);
    this.#headChars = Math.floor(this.#maxChars / 4);
  }

  push(line: string): void {
    if (this.#maxChars === 0) return;
    if (!this.#headFull) {
      const kept = line.length > this.#headChars ? line.slice(0, this.#headChars) : line;
      if (this.#headUsed + kept.length + 1 <= this.#headChars) {
        this.#head.push(kept);
        this.#headUsed += kept.length + 1;
        return;
      }
      this.#headFull = true;
    }
    const tailChars = this.#maxChars - this.#headChars;
    const kept = line.length > tailChars ? line.slice(-tailChars) : line;
    this.#lines.push(kept);
    this.#chars += kept.length + 1;
    while (this.#chars > tailChars && this.#lines.length > 1) {
      const dropped = this.#lines.shift() as string;
      this.#chars -= dropped.length + 1;
      this.#dropped++;
    }
  }

  /** The first lines, a marker for lines left out, the last lines, plus `partial` (an unterminated last line). */
  text(partial = ""): string {
    const tail = partial === "" ? this.#lines : [...this.#lines, partial];
    const gap =
      this.#dropped === 0 ? [] : [`… (${this.#dropped} line${this.#dropped === 1 ? "" : "s"} left out) …`];
    const text = [...this.#head, ...gap, ...tail].join("\n");
    return text.length > this.#maxChars + 64 ? text.slice(-this.#maxChars) : text;
  }
}
