/**
 * `execute --check`: the TypeScript compiler over the script and the generated tree, loaded only
 * for `--check` (packages/codegen `./type-check`).
 */
import type { GeneratedFile, SandboxLimits } from "@mcp-execution/core";
import type { ScriptSource } from "@mcp-execution/runner";
import type { CommandContext } from "./context.js";

export type GuestTypeChecker = import("@mcp-execution/codegen/type-check").GuestTypeChecker;

/**
 * `--check`: the TypeScript compiler over the script and the tree, after the servers are
 * introspected and before the guest starts, so no tool is called when it fails. Errors are
 * `GUEST_TYPE` (exit 2) with the script's own lines and columns.
 */
export async function checkTypes(
  context: CommandContext,
  checker: GuestTypeChecker,
  source: ScriptSource,
  tree: readonly GeneratedFile[],
  limits: SandboxLimits,
): Promise<void> {
  const progress = context.output.progress("type-checking");
  const { guestTypeError } = await import("@mcp-execution/codegen/type-check");
  let report: import("@mcp-execution/codegen/type-check").GuestTypeReport;
  try {
    report = await checker.check({
      source: source.source,
      files: tree,
      filename: source.filename,
      mode: source.mode,
      ...(source.language === undefined ? {} : { language: source.language }),
      timeoutMs: limits.timeoutMs,
      signal: context.signal,
    });
  } catch (error) {
    progress.fail();
    throw error;
  }
  progress.done();
  if (report.total > 0) throw guestTypeError(report);
}
