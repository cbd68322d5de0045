/**
 * Node's request and response to the SDK's web-standard MCP handler (`createMcpHandler(...).fetch`)
 * and back, for `serve --http`.
 *
 * The SDK's own adapter (`toNodeHandler`) puts the body into the `Request`, which the handler then
 * clones and reads a second time, and copies even a one-piece JSON answer through a web stream.
 * Here the body is read once (capped), parsed once and handed over as `parsedBody`, the SDK's
 * documented way to skip its own reading; a JSON answer is written in one piece; only an event
 * stream (SSE) is streamed, with backpressure. A body that is not JSON goes to the handler as it
 * came, so the SDK answers it as it answers any malformed request.
 *
 * When the client goes away before the answer is written, the request's signal aborts: the SDK
 * cancels what the request started (an execution, for one).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface WebHandler {
  fetch(request: Request, options?: { parsedBody?: unknown }): Promise<Response>;
}

export interface WebHandlerOptions {
  /** Bodies longer than this are answered 413 and the connection is closed. */
  readonly maxRequestBytes: number;
  /** A body turned out longer than the cap while it was read (counted as `LIMIT_SIZE`). */
  readonly onTooLarge?: (() => void) | undefined;
  readonly onError?: ((error: Error) => void) | undefined;
}

/** Why a body was not read: over the cap, or the client stopped sending. */
type BodyRead = { readonly text: string } | { readonly tooLarge: true } | { readonly failed: Error };

async function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      received += chunk.byteLength;
      if (received > maxBytes) return { tooLarge: true };
      chunks.push(chunk);
    }
  } catch (error) {
    return { failed: error instanceof Error ? error : new Error(String(error)) };
  }
  return {
    text:
      chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"),
  };
}

export function jsonRpcError(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
  close = false,
): void {
  response.writeHead(status, {
    "content-type": "application/json",
    ...(close ? { connection: "close" } : {}),
  });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

/** Serves one request through `handler`; never rejects (failures are answered, or reported). */
export async function serveWebHandler(
  handler: WebHandler,
  request: IncomingMessage,
  response: ServerResponse,
  options: WebHandlerOptions,
): Promise<void> {
  const abort = new AbortController();
  // Closed before the answer was ended: the client left, so the execution is cancelled.
  response.once("close", () => {
    if (!response.writableEnded) abort.abort();
  });

  const method = (request.method ?? "GET").toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  let body: string | undefined;
  let parsedBody: unknown;
  if (method !== "GET" && method !== "HEAD") {
    const read = await readBody(request, options.maxRequestBytes);
    if ("tooLarge" in read) {
      options.onTooLarge?.();
      // The rest of the body is not read: the connection cannot carry another request.
      jsonRpcError(response, 413, -32000, `request body over ${options.maxRequestBytes} bytes`, true);
      return;
    }
    if ("failed" in read) {
      response.destroy();
      return;
    }
    try {
      parsedBody = read.text.length === 0 ? undefined : JSON.parse(read.text);
    } catch {
      parsedBody = undefined;
    }
    if (parsedBody === undefined) {
      if (read.text.length > 0) body = read.text;
    } else {
      // The handler reads `parsedBody`, not the body: the request goes without it.
      headers.delete("content-length");
      headers.delete("transfer-encoding");
      headers.delete("content-encoding");
    }
  }

  let answer: Response;
  try {
    const url = `http://${request.headers.host ?? "localhost"}${request.url ?? "/"}`;
    answer = await handler.fetch(
      new Request(url, { method, headers, signal: abort.signal, ...(body === undefined ? {} : { body }) }),
      parsedBody === undefined ? undefined : { parsedBody },
    );
  } catch (error) {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
    if (!response.headersSent) jsonRpcError(response, 500, -32603, "Internal server error");
    return;
  }

  const answerHeaders: Record<string, string> = {};
  for (const [name, value] of answer.headers) answerHeaders[name] = value;
  if (answer.body === null) {
    response.writeHead(answer.status, answerHeaders);
    response.end();
    return;
  }
  if (!(answerHeaders["content-type"] ?? "").startsWith("text/event-stream")) {
    const bytes = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, { ...answerHeaders, "content-length": String(bytes.byteLength) });
    response.end(bytes);
    return;
  }
  response.writeHead(answer.status, answerHeaders);
  await streamEvents(answer.body, response, abort.signal);
  response.end();
}

/** Copies an event stream to the socket, waiting for `drain`, until it ends or the client leaves. */
async function streamEvents(
  events: ReadableStream<Uint8Array>,
  response: ServerResponse,
  gone: AbortSignal,
): Promise<void> {
  const left = new Promise<void>((resolve) =>
    gone.addEventListener("abort", () => resolve(), { once: true }),
  );
  try {
    for await (const chunk of events) {
      if (gone.aborted) break;
      if (!response.write(chunk)) {
        await Promise.race([new Promise<void>((resolve) => response.once("drain", resolve)), left]);
      }
    }
  } catch {
    // The stream failed or was cancelled: what was written stands; the response ends here.
  }
}
