/**
 * Messages between the executor (main thread) and a sandbox worker. Everything here crosses a
 * `postMessage` boundary, so it is plain data: no functions, no class instances except the
 * compiled `WasmModule`.
 *
 * Two channels:
 * - the worker's `parentPort` carries asynchronous traffic (jobs, logs, tool calls and their
 *   results, the outcome), in order;
 * - a dedicated `MessageChannel` carries synchronous requests (`readFile`, `getState`, module
 *   resolution): the worker posts a request, blocks on `Atomics.wait` and takes the answer with
 *   `receiveMessageOnPort` once the main thread has flipped the flag in `SyncSignal` (threads/sync-channel.ts).
 */
import type { ErrorDocument, LogLevel } from "@mcp-execution/core";
import type { MainModulePath } from "./transpile.js";
import type { WasmModule } from "./wasm-types.js";

/** The limits a worker enforces itself; the wall-clock watchdog stays on the main thread. */
export interface WorkerLimits {
  readonly memoryBytes: number;
  readonly timeoutMs: number;
  readonly fuel: number;
  readonly stackBytes: number;
  readonly maxToolCalls: number;
  readonly maxOutputBytes: number;
  readonly workspaceBytes: number;
}

/** The guest's main module as the caller gave it; the worker wraps and transpiles it. */
export interface MainSource {
  readonly source: string;
  readonly mode: "module" | "snippet";
  readonly language: "typescript" | "javascript";
  readonly filename?: string;
}

export interface RunJob {
  readonly runId: number;
  /**
   * The main module, untransformed: transpiling guest code is work on the guest's behalf, so it
   * happens in the worker under the run's deadline and the watchdog, never on the main thread.
   */
  readonly main: MainSource;
  readonly limits: WorkerLimits;
}

export type MainToWorker =
  | {
      readonly type: "init";
      readonly wasmModule: WasmModule;
      /** The memory limit to prepare the first interpreter for. */
      readonly memoryBytes: number;
      /**
       * True: load sucrase in the worker's first idle moment after `ready` (a worker that will
       * serve many runs, so its first TypeScript run finds it loaded). False: load it only when a
       * run needs it (a one-shot process whose run may be plain JavaScript). Either way `ready`
       * does not wait for it, and a run that needs it awaits the same load.
       */
      readonly preloadTranspiler: boolean;
    }
  | { readonly type: "run"; readonly job: RunJob }
  | {
      readonly type: "tool-results";
      readonly runId: number;
      /** Answers gathered in one turn of the host's event loop: `[callId, envelope]`. */
      readonly results: readonly (readonly [number, string])[];
    }
  | { readonly type: "cancel"; readonly runId: number };

export interface ToolCallRequest {
  readonly callId: number;
  /** `tool` names a tool; `resource` reads the resource whose URI is `uri` (in `tool`'s place). */
  readonly kind: "tool" | "resource";
  readonly server: string;
  readonly tool: string;
  /**
   * The arguments as JSON text, checked for size and depth in the worker. Text, not an object:
   * `postMessage` clones objects recursively, and deep ones would overflow the receiving stack.
   */
  readonly argsJson: string;
}

export type { TripReason } from "./limit-errors.js";

export interface WorkerOutcome {
  readonly runId: number;
  /** The result as JSON text (checked against the output cap), when the run succeeded. */
  readonly resultJson?: string;
  readonly error?: ErrorDocument;
  /** Peak of the sampled QuickJS heap, in bytes; the limit itself when the run ran out of memory. */
  readonly memoryBytes: number;
  /** Tool calls the guest made. */
  readonly toolCalls: number;
  /** True when the worker threw its interpreter away afterwards (a limit was hit). */
  readonly discarded: boolean;
  /** How the main module reached QuickJS; absent when the run ended before that was decided. */
  readonly mainModule?: MainModulePath;
  /** Whether the worker had sucrase loaded when the run ended (tests and benches read this). */
  readonly transpilerLoaded?: boolean;
}

export type WorkerToMain =
  | { readonly type: "ready" }
  | { readonly type: "log"; readonly runId: number; readonly level: LogLevel; readonly text: string }
  | {
      readonly type: "tool-calls";
      readonly runId: number;
      /** Calls the guest made since the last batch, sent when it starts to wait (or ends). */
      readonly calls: readonly ToolCallRequest[];
    }
  | { readonly type: "done"; readonly outcome: WorkerOutcome }
  | { readonly type: "diagnostic"; readonly message: string }
  | { readonly type: "fatal"; readonly message: string };

/** Synchronous requests a guest makes through the worker; the main thread answers each at once. */
export type SyncRequest =
  | { readonly op: "resolve"; readonly specifier: string; readonly importer: string }
  | { readonly op: "read"; readonly path: string }
  | { readonly op: "write"; readonly path: string; readonly text: string }
  /** Bytes a write to `path` may still add (the quota left, plus the file's own size): a number or null (unknown). */
  | { readonly op: "room"; readonly path: string }
  | { readonly op: "list"; readonly path: string }
  | { readonly op: "get-state"; readonly key: string }
  | { readonly op: "set-state"; readonly key: string; readonly valueJson: string | undefined };

/** What a `resolve` request answers: the module's file, untransformed (the worker transpiles it). */
export interface ResolvedModuleText {
  readonly name: string;
  readonly text: string;
  readonly typescript: boolean;
}

export type SyncAnswer =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly error: ErrorDocument };

export interface SyncEnvelope<T> {
  readonly seq: number;
  readonly runId: number;
  readonly body: T;
}

/** The guest-visible error envelope of host calls: `{"ok":true,"value":…}` or `{"ok":false,"error":…}`. */
export function okEnvelope(value: unknown): string {
  const json = value === undefined ? undefined : JSON.stringify(value);
  return json === undefined ? '{"ok":true}' : `{"ok":true,"value":${json}}`;
}

export function errorEnvelope(error: ErrorDocument): string {
  return JSON.stringify({ ok: false, error });
}
