/**
 * A `fetch` for the HTTP transports that bounds what a server can make us buffer, counted while
 * the body streams in, before anything parses it:
 *
 * - a JSON (or any non-event-stream) body is cut when it passes `maxBytes` in total;
 * - an event stream may run for hours, so it is counted per event: one event (the bytes between
 *   two blank lines) longer than `maxBytes` is cut, including an event that never ends;
 * - the body of an error answer (HTTP status 400 and up) is read only up to
 *   {@link MAX_ERROR_BODY_BYTES} and then ends quietly: its text only goes into an error message.
 *
 * Going over the limit calls `onLimit` once (the connection closes itself with the error there)
 * and errors the body with the same `LIMIT_SIZE` error.
 */
import { McpCliError } from "@mcp-execution/core";

/**
 * Largest answer accepted from a server by default (`maxResponseBytes`): twice the bridge's 16 MiB
 * result cap, so a result the bridge accepts always arrives, even from a server that escapes every
 * non-ASCII character as `\uXXXX`.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** How much of an error answer's body is read. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface BoundedFetchOptions {
  /** Largest body, or largest event of an event stream, in bytes. */
  readonly maxBytes: number;
  /** Called once when a body goes over the limit, before the body errors. */
  readonly onLimit?: (error: McpCliError) => void;
  /** The fetch to wrap (default: the global one). */
  readonly fetch?: FetchFunction;
}

/** The `LIMIT_SIZE` error for an answer over `maxBytes`. */
export function responseTooLarge(maxBytes: number, what: "answer" | "event"): McpCliError {
  return new McpCliError(
    "LIMIT_SIZE",
    what === "event"
      ? `the server sent an event larger than ${maxBytes} bytes (maxResponseBytes); the connection was closed`
      : `the server sent an answer larger than ${maxBytes} bytes (maxResponseBytes); the connection was closed`,
    { details: { limit: "maxResponseBytes", limitBytes: maxBytes, what } },
  );
}

/** Wraps `fetch` so that every response body is bounded as described above. */
export function boundedFetch(options: BoundedFetchOptions): FetchFunction {
  const base: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let reported = false;
  const limit = (error: McpCliError): void => {
    if (reported) return;
    reported = true;
    options.onLimit?.(error);
  };
  return async (input, init) => {
    const response = await base(input, init);
    const source = response.body;
    // Statuses that cannot carry a body cannot be rebuilt with one either; they have none to bound.
    if (source === null || NULL_BODY_STATUSES.has(response.status)) return response;
    let body: ReadableStream<Uint8Array>;
    if (!response.ok) {
      body = truncated(source, MAX_ERROR_BODY_BYTES);
    } else if ((response.headers.get("content-type") ?? "").toLowerCase().includes("text/event-stream")) {
      body = counted(
        source,
        new EventCounter(options.maxBytes),
        () => responseTooLarge(options.maxBytes, "event"),
        limit,
      );
    } else {
      body = counted(
        source,
        new TotalCounter(options.maxBytes),
        () => responseTooLarge(options.maxBytes, "answer"),
        limit,
      );
    }
    const wrapped = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    // The SDK looks at where a redirect went; a constructed Response would say "nowhere".
    for (const key of ["url", "redirected", "type"] as const) {
      Object.defineProperty(wrapped, key, { value: response[key] });
    }
    return wrapped;
  };
}

interface Counter {
  /** Counts a chunk; false when the limit is passed. */
  add(chunk: Uint8Array): boolean;
}

class TotalCounter implements Counter {
  #bytes = 0;
  constructor(private readonly maxBytes: number) {}
  add(chunk: Uint8Array): boolean {
    this.#bytes += chunk.length;
    return this.#bytes <= this.maxBytes;
  }
}

const LF = 10;
const CR = 13;

/**
 * Bytes since the current event began. An event ends at a blank line; lines end with CRLF, LF
 * or CR (the event-stream grammar), so a CR followed by LF is one line end.
 */
class EventCounter implements Counter {
  #eventBytes = 0;
  #lineBytes = 0;
  #afterCR = false;
  constructor(private readonly maxBytes: number) {}
  add(chunk: Uint8Array): boolean {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (byte === LF && this.#afterCR) {
        this.#afterCR = false;
        continue;
      }
      this.#afterCR = byte === CR;
      if (byte === LF || byte === CR) {
        if (this.#lineBytes === 0) this.#eventBytes = 0;
        this.#lineBytes = 0;
        continue;
      }
      this.#lineBytes += 1;
      this.#eventBytes += 1;
      if (this.#eventBytes > this.maxBytes) return false;
    }
    return true;
  }
}

/**
 * `source` read chunk by chunk on demand, each chunk handed to `onChunk`, which enqueues, errors or
 * closes through the controller; a read error or the end of `source` ends the stream.
 */
function relayed(
  source: ReadableStream<Uint8Array>,
  onChunk: (
    chunk: Uint8Array,
    controller: ReadableStreamDefaultController<Uint8Array>,
    reader: ReadableStreamDefaultReader<Uint8Array>,
  ) => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        controller.error(error);
        return;
      }
      if (next.done) controller.close();
      else onChunk(next.value, controller, reader);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function counted(
  source: ReadableStream<Uint8Array>,
  counter: Counter,
  tooLarge: () => McpCliError,
  onLimit: (error: McpCliError) => void,
): ReadableStream<Uint8Array> {
  return relayed(source, (chunk, controller, reader) => {
    if (counter.add(chunk)) {
      controller.enqueue(chunk);
      return;
    }
    const error = tooLarge();
    onLimit(error);
    controller.error(error);
    void reader.cancel(error).catch(() => {});
  });
}

/** The first `maxBytes` of `source`, then the end of the body. */
function truncated(source: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let bytes = 0;
  return relayed(source, (next, controller, reader) => {
    const room = maxBytes - bytes;
    const chunk = next.length > room ? next.subarray(0, room) : next;
    bytes += chunk.length;
    if (chunk.length > 0) controller.enqueue(chunk);
    if (bytes >= maxBytes) {
      controller.close();
      void reader.cancel().catch(() => {});
    }
  });
}
