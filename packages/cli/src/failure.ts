/**
 * The one place that turns a failure into an exit code and into what the user sees (STYLE.md
 * point 5). Coded user errors print their message (or the JSON error document with `--json`) and
 * never a stack; anything uncoded is a bug and prints its stack with a hint to report it.
 */

import { EXIT, McpCliError, toMcpCliError } from "@mcp-execution/core";
import { CommanderError } from "commander";
import { withoutOptionValues } from "./argv.js";
import type { Output } from "./output.js";

/** A commander parse failure as a coded `USAGE` error; commander's own text loses its `error: ` prefix. */
export function fromCommanderError(error: CommanderError, commandPath: string): McpCliError {
  const message = withoutOptionValues(error.message.replace(/^error:\s*/, ""));
  return new McpCliError("USAGE", message, {
    details: { reason: error.code, command: commandPath },
  });
}

function stackOf(error: unknown): string | undefined {
  if (error instanceof McpCliError && error.cause instanceof Error) return error.cause.stack;
  if (error instanceof Error) return error.stack;
  return undefined;
}

/**
 * Reports `error` and returns the process exit code. With `--json`, writes the error document
 * unless the command already wrote its own (in which case the failure goes to stderr only).
 */
export function reportFailure(output: Output, error: unknown, usageHint?: string): number {
  const coded = toMcpCliError(error);
  const internal = !(error instanceof McpCliError) || coded.isInternal;
  if (output.json && !output.documentWritten) {
    output.document({ ok: false, error: coded.toJSON() });
  } else if (!output.json) {
    output.error(coded.message);
    if (coded.code === "USAGE" && usageHint !== undefined) output.stderr(output.errorStyle.dim(usageHint));
  } else {
    output.error(coded.message);
  }
  if (internal) {
    const stack = stackOf(error);
    if (stack !== undefined) output.stderr(stack);
    output.stderr(
      "This is a bug in mcp-cli, not in your input. Please report it to the mcp-execution issue tracker " +
        "with the command you ran and the output above.",
    );
  }
  return coded.exitCode;
}

export function isCommanderError(error: unknown): error is CommanderError {
  return error instanceof CommanderError;
}

export { EXIT };
