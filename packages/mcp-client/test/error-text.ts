/** What a user could see of a client error (redact*.test.ts). */
import { McpCliError } from "@mcp-execution/core";

/** Everything of an error a user could see: message, details, and the messages and stacks of its causes. */
export function printable(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (current instanceof McpCliError) parts.push(JSON.stringify(current.toJSON()));
    if (current instanceof Error) parts.push(current.message, current.stack ?? "");
    else parts.push(String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join("\n");
}
