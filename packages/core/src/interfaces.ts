/**
 * The contracts between engines. Each engine package implements one of these; only the CLI wires
 * concrete implementations together, so engines depend on these types rather than on each other.
 */
import type { ErrorDocument } from "./errors.js";
import type { SessionId, SkillId } from "./ids.js";
import type { SandboxLimits } from "./limits.js";
import type { ServerManifest, ToolFingerprint } from "./manifest.js";

// ---------------------------------------------------------------------------------------------
// Tool bridge

/** One MCP content block (text, image, audio, resource link, embedded resource), as sent. */
export type ContentBlock = { readonly type: string; readonly [key: string]: unknown };

export interface ToolCallOptions {
  /** Aborting sends MCP cancellation to the server and rejects with `CANCELLED`. */
  readonly signal?: AbortSignal;
  /** Overrides the server's configured request timeout for this call. */
  readonly timeoutMs?: number;
  /** Receives the server's progress notifications for this call (the timeout then measures silence). */
  readonly onProgress?: (update: { progress: number; total?: number; message?: string }) => void;
}

export interface ToolCallResult {
  /**
   * What guest code receives: `structuredContent` when the server gave it, otherwise the text
   * content parsed as JSON when it is JSON, otherwise the text (several text blocks: an array).
   */
  readonly value: unknown;
  /** The raw content blocks the server returned. */
  readonly content: readonly ContentBlock[];
  readonly structuredContent?: unknown;
  readonly fromCache: boolean;
  readonly durationMs: number;
}

/** One item of a resources/read answer: text, or binary as base64 (`blob`). */
export interface ResourceContent {
  readonly uri: string;
  readonly mimeType?: string | undefined;
  readonly text?: string | undefined;
  readonly blob?: string | undefined;
}
export interface ResourceReadResult {
  readonly contents: readonly ResourceContent[];
}

/**
 * Routes tool calls to MCP servers. A tool that returns `isError` rejects with `TOOL_ERROR`
 * whose details carry `server`, `tool` and the content; other rejections use `SERVER_UNKNOWN`,
 * `TOOL_UNKNOWN`, `ARGS_INVALID`, `LIMIT_*`, `CONNECT_FAILED`, `CONNECTION_CLOSED`, `TIMEOUT`,
 * `CANCELLED`. The owner closes the bridge, which closes every connection it opened.
 */
export interface ToolBridge extends AsyncDisposable {
  callTool(
    server: string,
    tool: string,
    args: Readonly<Record<string, unknown>>,
    options?: ToolCallOptions,
  ): Promise<ToolCallResult>;
  /** The servers this bridge may call. */
  servers(): readonly string[];
  close(): Promise<void>;
  readResource?(server: string, uri: string, options?: ToolCallOptions): Promise<ResourceReadResult>;
}

// ---------------------------------------------------------------------------------------------
// Guest filesystem and state

/**
 * The filesystem guest code sees through `readFile`, `writeFile` and `listFiles`. Paths are
 * absolute POSIX paths inside the virtual volume; errors are `PATH_INVALID`, `FILE_NOT_FOUND`,
 * `READ_ONLY` and `LIMIT_STORAGE`.
 */
export interface GuestFileSystem {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  listFiles(directory: string): string[];
}

/** JSON values, the only values guest state can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Persists `getState`/`setState` per session. The executor loads a session's state before a run
 * and saves it after, so sessions are isolated from each other; concurrent runs of one session
 * are last-writer-wins.
 */
export interface StateStore {
  load(session: SessionId): Promise<Readonly<Record<string, JsonValue>>>;
  save(session: SessionId, state: Readonly<Record<string, JsonValue>>): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Code executor

export type LogLevel = "log" | "info" | "warn" | "error" | "debug";

export interface LogEntry {
  readonly level: LogLevel;
  readonly text: string;
}

export interface ExecutionStats {
  readonly durationMs: number;
  readonly toolCalls: number;
  readonly memoryBytes: number;
}

export type ExecutionOutcome =
  | {
      readonly ok: true;
      readonly result: unknown;
      readonly logs: readonly LogEntry[];
      readonly stats: ExecutionStats;
    }
  | {
      readonly ok: false;
      readonly error: ErrorDocument;
      readonly logs: readonly LogEntry[];
      readonly stats: ExecutionStats;
    };

export interface ExecutionRequest {
  /** TypeScript or JavaScript source. */
  readonly source: string;
  /**
   * `module`: an ES module whose `export default` (awaited) is the result.
   * `snippet`: the body of an async function whose `return` value is the result.
   */
  readonly mode: "module" | "snippet";
  /** Shown in error locations; its extension picks the language when `language` is absent. */
  readonly filename?: string;
  readonly language?: "typescript" | "javascript";
  readonly limits: SandboxLimits;
  /**
   * A WebAssembly component's bytes, for an executor that runs components (the component
   * runtime's `ComponentExecutor`); `source` is then ignored. The QuickJS executor refuses it.
   */
  readonly component?: Uint8Array;
  /** Serves `callTool`; without it, `callTool` rejects with `SERVER_UNKNOWN`. */
  readonly bridge?: ToolBridge;
  /** Serves `readFile`/`writeFile`/`listFiles` and module imports of the generated tree. */
  readonly files?: GuestFileSystem;
  readonly session?: { readonly id: SessionId; readonly store: StateStore };
  /**
   * What to do when the session's state cannot be loaded (`STATE_INVALID`): `false` (default)
   * fails the run and says how to start fresh; `true` forgets the stored state, warns through
   * the executor's diagnostics and runs with an empty state (the CLI's `--reset-session`).
   */
  readonly resetSession?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Called with each guest console line as it happens (the lines are also in the outcome's
   * `logs`), so a caller can stream them. Must not throw.
   */
  readonly onLog?: (entry: LogEntry) => void;
}

/**
 * Runs guest code. `execute` resolves for every guest failure (`ok: false` with a coded error);
 * it rejects only for host bugs. The owner closes the executor.
 */
export interface CodeExecutor extends AsyncDisposable {
  execute(request: ExecutionRequest): Promise<ExecutionOutcome>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Cache

export interface CacheProvider<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, options?: { readonly ttlMs?: number }): void;
  delete(key: string): boolean;
  clear(): void;
  readonly size: number;
}

// ---------------------------------------------------------------------------------------------
// Skills

/** A generated text file; `path` is relative, POSIX, without `..`. */
export interface GeneratedFile {
  readonly path: string;
  readonly contents: string;
}

/** One server of a skill generated from several (`generate a b --save-skill`). */
export interface SkillServerRecord {
  readonly server: string;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly protocolVersion: string;
  readonly toolCount: number;
  readonly fingerprint: ToolFingerprint;
}

export interface SkillMetadata {
  readonly name: SkillId;
  readonly description: string;
  /** The first server (by name); a skill of several servers lists all of them in `servers`. */
  readonly server: string;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly protocolVersion: string;
  readonly toolCount: number;
  readonly fingerprint: ToolFingerprint;
  readonly generatorVersion: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Present when the skill covers several servers: every one of them, sorted by name, the first
   * being `server`. `toolCount` is then their sum; `fingerprint` stays the first server's.
   */
  readonly servers?: readonly SkillServerRecord[];
}

export interface SaveSkillInput {
  readonly name: SkillId;
  readonly description: string;
  /** The first server's manifest; with `manifests`, the first of them. */
  readonly manifest: ServerManifest;
  /** Every server of a skill generated from several; absent or one entry for a single server. */
  readonly manifests?: readonly ServerManifest[];
  /** The generated tree: `SKILL.md`, `REFERENCE.md` and `servers/...`. */
  readonly files: readonly GeneratedFile[];
  readonly generatorVersion: string;
}

export interface SkillSummary {
  readonly name: SkillId;
  readonly description: string;
  readonly server: string;
  readonly toolCount: number;
  readonly updatedAt: string;
  readonly directory: string;
}

export interface LoadedSkill {
  readonly metadata: SkillMetadata;
  readonly files: readonly GeneratedFile[];
  readonly directory: string;
}

export interface SkillVerification {
  readonly name: SkillId;
  readonly ok: boolean;
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  readonly extra: readonly string[];
}

/**
 * Skills on disk. Errors: `NAME_INVALID`, `PATH_INVALID`, `SKILL_NOT_FOUND`, `INTEGRITY`.
 */
export interface SkillStore {
  save(input: SaveSkillInput): Promise<SkillSummary>;
  list(): Promise<readonly SkillSummary[]>;
  info(name: SkillId): Promise<SkillMetadata>;
  /** Verifies every checksum first; refuses a tampered skill with `INTEGRITY` unless `force`. */
  load(name: SkillId, options?: { readonly force?: boolean }): Promise<LoadedSkill>;
  verify(name: SkillId): Promise<SkillVerification>;
  remove(name: SkillId): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

/**
 * Library code never writes to stdout or stderr: it reports progress, warnings and server stderr
 * through a listener the caller passes in.
 */
export interface Diagnostic {
  readonly level: "debug" | "info" | "warn";
  readonly message: string;
  /** For example `server:everything` for a server's stderr. */
  readonly source?: string;
}

export type DiagnosticListener = (diagnostic: Diagnostic) => void;
