/**
 * `serve` over stdio: SDK v2's `serveStdio`, which answers both protocol eras on one connection
 * (2026-07-28 `server/discover` and the 2025 `initialize` handshake). The connection ends when the
 * client closes stdin; `closed` resolves then.
 */
import type { McpServerFactory } from "@modelcontextprotocol/server";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";

export interface StdioServe {
  /** Resolves when the client closes the connection (stdin ends). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface StdioServeOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly onError?: ((error: Error) => void) | undefined;
}

export function startStdioServe(factory: McpServerFactory, options: StdioServeOptions): StdioServe {
  const transport = new StdioServerTransport(
    options.input as import("node:stream").Readable,
    options.output as import("node:stream").Writable,
  );
  const closed = new Promise<void>((resolve) => {
    options.input.once("end", () => resolve());
    options.input.once("close", () => resolve());
  });
  const handle = serveStdio(factory, {
    transport,
    ...(options.onError === undefined ? {} : { onerror: options.onError }),
  });
  return { closed, close: () => handle.close() };
}
