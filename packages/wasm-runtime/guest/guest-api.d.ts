/**
 * The globals guest code sees in the QuickJS sandbox (docs/sandbox.md, "What guest code sees"),
 * beside ECMAScript's built-ins. Include this file in an editor project for scripts written for
 * `mcp-cli execute`; generated trees declare `callTool` in their own wrappers.
 */

/** An error from a sandbox API: a stable code, and for tool calls the server and tool. */
interface SandboxError extends Error {
  readonly code: string;
  readonly server?: string;
  readonly tool?: string;
  readonly uri?: string;
  readonly details?: unknown;
}

/** One item of a resources/read answer: text, or binary as base64 (`blob`). */
interface SandboxResourceContent {
  readonly uri: string;
  readonly mimeType?: string;
  readonly text?: string;
  readonly blob?: string;
}

/** Calls a tool of a server the run was given; rejects with a {@link SandboxError}. */
declare function callTool(server: string, tool: string, args?: Record<string, unknown>): Promise<unknown>;
/** Reads a resource of a server; counted like a tool call. */
declare function readResource(
  server: string,
  uri: string,
): Promise<{ readonly contents: readonly SandboxResourceContent[] }>;
/** A file of the virtual filesystem (`/mcp-tools` read-only, `/workspace` read-write). */
declare function readFile(path: string): string;
declare function writeFile(path: string, text: string): void;
declare function listFiles(directory?: string): string[];
/** A JSON value kept for the session (`--session`), or undefined. */
declare function getState(key: string): unknown;
/** `undefined` deletes. */
declare function setState(key: string, value: unknown): void;
declare function setTimeout<A extends unknown[]>(
  callback: (...args: A) => void,
  delay?: number,
  ...args: A
): number;
declare function clearTimeout(id: number | undefined): void;
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};
