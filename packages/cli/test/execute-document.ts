/** The `--json` document of `mcp-cli execute`, and a run that parses it (execute*.test.ts). */
import { parseDocument, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

export interface ExecutionDocument {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  logs: { level: string; text: string }[];
  stats: { durationMs: number; toolCalls: number; memoryBytes: number };
}

export async function executeJson(
  sandbox: Sandbox,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
) {
  const result = await runMain(sandbox, ["execute", "--json", ...args], options);
  return { result, document: parseDocument(result) as unknown as ExecutionDocument };
}
