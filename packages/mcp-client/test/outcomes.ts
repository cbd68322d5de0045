/** What tests read from calls: the coded error a promise rejects with, and a result's text. */
import { McpCliError } from "@mcp-execution/core";

export async function failure(promise: Promise<unknown>): Promise<McpCliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof McpCliError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

export function text(result: { content: readonly { type: string; text?: unknown }[] }): string {
  return result.content.map((block) => String(block.text)).join("");
}
