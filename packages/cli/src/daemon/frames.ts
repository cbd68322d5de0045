/**
 * JSON-lines framing over a socket, bounded: a line longer than `maxBytes` ends the connection
 * instead of growing a buffer without limit (both ends are local, but the client side of a stale
 * socket name could be anything that listens there).
 */
import type { Socket } from "node:net";

/** The longest frame either end accepts: answers are output and one result; this only stops a runaway peer. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function readFrames(socket: Socket, maxBytes: number, onFrame: (frame: unknown) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  socket.on("data", (chunk: Buffer) => {
    let start = 0;
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, index)]).toString("utf8");
      pending = [];
      pendingBytes = 0;
      start = index + 1;
      let frame: unknown;
      try {
        frame = JSON.parse(line);
      } catch {
        socket.destroy(new Error("the peer sent a frame that is not JSON"));
        return;
      }
      onFrame(frame);
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxBytes) {
        socket.destroy(new Error(`the peer sent a frame over ${maxBytes} bytes`));
        return;
      }
      pending.push(chunk.subarray(start));
    }
  });
}

export function writeFrame(socket: Socket, frame: unknown): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(frame)}\n`);
}
