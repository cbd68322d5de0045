/** Runs a script in the real sandbox with a generated tree at /mcp-tools (sandbox*.test.ts). */
import {
  type ExecutionOutcome,
  type GeneratedFile,
  resolveLimits,
  type ToolBridge,
} from "@mcp-execution/core";
import { VirtualFileSystem } from "@mcp-execution/vfs";
import type { QuickJsExecutor } from "@mcp-execution/wasm-runtime";

const limits = resolveLimits("strict", { timeoutMs: 20_000, maxToolCalls: 20 });

export async function runWithTree(
  executor: QuickJsExecutor,
  files: readonly GeneratedFile[],
  source: string,
  bridge?: ToolBridge,
): Promise<ExecutionOutcome> {
  const vfs = VirtualFileSystem.withTools(files);
  try {
    return await executor.execute({
      source,
      mode: "module",
      filename: "script.ts",
      limits,
      files: vfs,
      ...(bridge === undefined ? {} : { bridge }),
    });
  } finally {
    vfs.dispose();
  }
}

/** The error document of a failed run, so a failing assertion shows why the run failed. */
export function why(outcome: ExecutionOutcome): string {
  return outcome.ok ? "" : JSON.stringify(outcome.error);
}
