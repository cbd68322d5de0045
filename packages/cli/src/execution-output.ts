/**
 * How `execute` shows a run: progress steps as spinners, guest log lines on stderr as they arrive
 * (human mode), and the outcome, either as text or as the one JSON document of `--json`.
 */
import { type ExecutionOutcome, exitCodeFor, type LogEntry } from "@mcp-execution/core";
import type { ProgressEvent } from "@mcp-execution/runner";
import type { CommandContext } from "./context.js";
import { escapeControlCharacters, type Progress } from "./output.js";

const MIB = 1024 * 1024;

/** Shows each step of the run as a spinner on stderr (a TTY only; with -v, a debug line). */
export function progressListener(context: CommandContext): (event: ProgressEvent) => void {
  const active = new Map<number, Progress>();
  return (event) => {
    if (event.state === "started") {
      active.set(event.id, context.output.progress(event.label));
      return;
    }
    const progress = active.get(event.id);
    active.delete(event.id);
    if (event.state === "done") progress?.done();
    else progress?.fail();
  };
}

// Guest output is untrusted: control characters are escaped so it cannot drive the terminal.
export function formatLog(entry: LogEntry): string {
  const text = escapeControlCharacters(entry.text);
  return entry.level === "log" || entry.level === "info" ? text : `[${entry.level}] ${text}`;
}

function formatResult(result: unknown): string | undefined {
  if (result === undefined) return undefined;
  if (typeof result === "string") return escapeControlCharacters(result);
  return JSON.stringify(result, null, 2);
}

/** Prints the outcome (logs not yet streamed first) and returns the exit code. */
export function reportOutcome(
  context: CommandContext,
  outcome: ExecutionOutcome,
  streamedLogs: number,
): number {
  const { output } = context;
  if (output.json) {
    const { logs, stats } = outcome;
    output.document(
      outcome.ok
        ? { ok: true, result: outcome.result === undefined ? null : outcome.result, logs, stats }
        : { ok: false, error: outcome.error, logs, stats },
    );
  } else {
    for (const entry of outcome.logs.slice(streamedLogs)) output.stderr(formatLog(entry));
    if (outcome.ok) {
      const text = formatResult(outcome.result);
      if (text !== undefined) output.data(text);
    } else {
      output.error(`${outcome.error.message} (${outcome.error.code})`);
      if (outcome.error.code === "INTERNAL") {
        output.stderr(
          "This is a bug in mcp-cli's sandbox, not in your code. Please report it with the code you ran.",
        );
      }
    }
  }
  const { durationMs, toolCalls, memoryBytes } = outcome.stats;
  output.debug(
    `ran in ${Math.round(durationMs)} ms, ${toolCalls} tool calls, ${(memoryBytes / MIB).toFixed(1)} MiB`,
  );
  return outcome.ok ? 0 : exitCodeFor(outcome.error.code);
}
