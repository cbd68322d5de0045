/**
 * Messages between the main thread and the component Worker. The Worker posts `log`, `call` and
 * `done` on its parent port; the main thread answers a `call` through the shared synchronous
 * channel (threads/sync-channel.ts), on which the Worker blocks.
 */
import type { ErrorDocument, LogLevel } from "@mcp-execution/core";
import type { TripLimits } from "../limit-errors.js";
import type { SyncChannelEnd } from "../threads/sync-channel.js";

/** What the Worker needs to load and run one transpiled component. */
export interface WorkerInput {
  /** Absolute path of the transpiled component's directory (the cache entry). */
  readonly directory: string;
  /** File name of the generated JavaScript module inside `directory`. */
  readonly moduleFile: string;
  /** Every linear memory is given this maximum, in 64 KiB pages. */
  readonly memoryPages: number;
  /**
   * The run's limits: `maxToolCalls` and `maxOutputBytes` (log text, in UTF-8 bytes; the result
   * is checked on the main thread) are enforced here, the others name themselves in errors.
   */
  readonly limits: TripLimits;
  /** The main thread answers {@link CallMessage}s here with a {@link CallReply}. */
  readonly sync: SyncChannelEnd;
}

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
