/**
 * `@mcp-execution/runner`: one execution of agent code, reusable by every front end (the CLI's
 * `execute`, and next the code-mode MCP server and the daemon). Importing it loads no engine;
 * each is imported when a run needs it. See docs/runner.md.
 */
export type {
  ComponentSource,
  ExecutionSource,
  ProgressEvent,
  RunAuthProvider,
  RunRequest,
  ScriptSource,
  SkillRequest,
} from "./request.js";
export { runExecution } from "./run-execution.js";
