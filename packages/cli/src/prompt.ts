/**
 * A yes/no question on the terminal. Streams come in as arguments, so the question can be tested
 * with in-memory streams as well as under a pseudo-terminal.
 */
import type { Readable } from "node:stream";

/** The most characters read for one answer: an answer is a word, not a file pasted by mistake. */
const MAX_ANSWER_LENGTH = 1024;

/**
 * Writes `question` to `output` and resolves with the first line read from `input` (without its
 * line ending), or undefined when the input ends first. Stops reading after the line.
 */
export function askLine(
  input: Readable,
  output: { write(text: string): unknown },
  question: string,
): Promise<string | undefined> {
  output.write(question);
  return new Promise((resolve) => {
    let buffered = "";
    const finish = (answer: string | undefined): void => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onEnd);
      input.pause();
      resolve(answer);
    };
    const onData = (chunk: Buffer | string): void => {
      buffered += typeof chunk === "string" ? chunk : chunk.toString("utf8");
      const newline = buffered.search(/\r?\n|\r/);
      if (newline !== -1) finish(buffered.slice(0, newline));
      else if (buffered.length > MAX_ANSWER_LENGTH) finish(buffered.slice(0, MAX_ANSWER_LENGTH));
    };
    const onEnd = (): void => finish(buffered === "" ? undefined : buffered);
    input.on("data", onData);
    input.once("end", onEnd);
    input.once("error", onEnd);
    input.resume();
  });
}

/** Whether an answer says yes (`y`, `yes`, any case); everything else, and no answer, is no. */
export function isYes(answer: string | undefined): boolean {
  return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
}
