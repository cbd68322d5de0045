/**
 * Messages between the main thread and the component Worker. The Worker posts `log`, `call` and
 * `done` on its parent port; the main thread answers a `call` on the reply port and then wakes
 * the Worker, which is blocked in `Atomics.wait` on {@link CALL_STATE_INDEX} of the shared state.
 */
import type { MessagePort } from "node:worker_threads";
import type { ErrorDocument, LogLevel } from "@mcp-execution/core";

/** What the Worker needs to load and run one transpiled component. */
export interface WorkerInput {
  /** Absolute path of the transpiled component's directory (the cache entry). */
  readonly directory: string;
  /** File name of the generated JavaScript module inside `directory`. */
  readonly moduleFile: string;
  /** Every linear memory is given this maximum, in 64 KiB pages. */
  readonly memoryPages: number;
  readonly maxToolCalls: number;
  /** Budget for captured log text, in UTF-8 bytes; the result is checked on the main thread. */
  readonly maxOutputBytes: number;
  /** `Int32Array` view index {@link CALL_STATE_INDEX}: 0 while a call is pending, 1 when answered. */
  readonly state: SharedArrayBuffer;
  /** The main thread posts {@link CallReply} here before waking the Worker. */
  readonly replyPort: MessagePort;
}

export const CALL_STATE_INDEX = 0;
export const CALL_PENDING = 0;
export const CALL_ANSWERED = 1;

export interface LogMessage {
  readonly type: "log";
  readonly level: LogLevel;
  readonly text: string;
}

export interface CallMessage {
  readonly type: "call";
  readonly server: string;
  readonly tool: string;
  readonly argsJson: string;
}

export type DoneMessage =
  | { readonly type: "done"; readonly ok: true; readonly resultText: string; readonly memoryBytes: number }
  | {
      readonly type: "done";
      readonly ok: false;
      readonly error: ErrorDocument;
      readonly memoryBytes: number;
    };

export type WorkerMessage = LogMessage | CallMessage | DoneMessage;

/** The answer to a `call`: the text `call-tool` returns as `ok` or as `err`. */
export interface CallReply {
  readonly ok: boolean;
  readonly text: string;
}
