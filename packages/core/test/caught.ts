/** The coded error a function throws, for tests that assert on `code` and `message`. */
import { McpCliError } from "../src/index.js";

export function caught(fn: () => unknown): McpCliError {
  try {
    fn();
  } catch (error) {
    if (error instanceof McpCliError) return error;
    throw error;
  }
  throw new Error("expected an McpCliError");
}

export async function caughtAsync(fn: () => Promise<unknown>): Promise<McpCliError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof McpCliError) return error;
    throw error;
  }
  throw new Error("expected an McpCliError");
}
