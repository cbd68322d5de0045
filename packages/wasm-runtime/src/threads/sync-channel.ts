/**
 * Synchronous requests from a worker to the main thread: the worker posts a request and blocks on
 * `Atomics.wait`; the main thread posts the answer on a dedicated `MessagePort`, then flips a flag
 * in shared memory and notifies; the worker takes the answer with `receiveMessageOnPort`. Guests
 * see synchronous host functions (files, state, imports, component `call-tool`) while the main
 * thread stays asynchronous. Both the QuickJS sandbox and the component runtime use this pair.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort } from "node:worker_threads";

/** Layout of the shared `Int32Array` between the host and one worker. */
export const SyncSignal = {
  /** 0 while a synchronous request waits for its answer, 1 once the answer is posted. */
  answered: 0,
  /** Set to the id of a run the host wants stopped; the worker's interrupt handler reads it. */
  cancelRun: 1,
  length: 2,
} as const;

/** What the worker receives (through `workerData`, the port in the transfer list). */
export interface SyncChannelEnd {
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** The main thread's end: answers requests and wakes the worker. */
export class SyncChannelHost {
  readonly flags: Int32Array;
  /** Requests arrive here when the worker posts them on this channel (the sandbox does). */
  readonly port: MessagePort;
  /** Hand this to the worker; transfer `workerEnd.port`. */
  readonly workerEnd: SyncChannelEnd;

  constructor() {
    const signal = new SharedArrayBuffer(SyncSignal.length * Int32Array.BYTES_PER_ELEMENT);
    this.flags = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.workerEnd = { signal, port: port2 };
  }

  /** Posts `answer` and wakes the worker. The answer is posted first, so it is there when the flag is. */
  answer(answer: unknown): void {
    this.port.postMessage(answer);
    Atomics.store(this.flags, SyncSignal.answered, 1);
    Atomics.notify(this.flags, SyncSignal.answered);
  }

  /** Asks the worker's interrupt handler to stop run `runId` (0: none). */
  setCancelRun(runId: number): void {
    Atomics.store(this.flags, SyncSignal.cancelRun, runId);
  }

  close(): void {
    this.port.close();
  }
}

/** The worker's end: blocks for answers. */
export class SyncChannelWorker {
  readonly flags: Int32Array;
  readonly port: MessagePort;

  constructor(end: SyncChannelEnd) {
    this.flags = new Int32Array(end.signal);
    this.port = end.port;
  }

  /**
   * Sends a request with `send` and blocks until an answer that `accept` takes arrives, or until
   * `timeoutMs` passed (`undefined`). Answers `accept` refuses (late answers to earlier requests)
   * are dropped.
   */
  request<T>(send: () => void, accept: (message: unknown) => message is T, timeoutMs: number): T | undefined {
    Atomics.store(this.flags, SyncSignal.answered, 0);
    send();
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Drain first: the answer is posted before the flag flips, so it is here if the flag is.
      for (;;) {
        const received = receiveMessageOnPort(this.port);
        if (received === undefined) break;
        if (accept(received.message)) return received.message;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return undefined;
      Atomics.wait(this.flags, SyncSignal.answered, 0, remaining);
      Atomics.store(this.flags, SyncSignal.answered, 0);
    }
  }

  cancelRequested(runId: number): boolean {
    return Atomics.load(this.flags, SyncSignal.cancelRun) === runId;
  }
}
