/**
 * The WASI 0.2 interfaces a component guest may import, implemented deny-by-default for the
 * Worker. jco's own host (`@bytecodealliance/preview2-shim`) is a full host: it hands the guest the
 * process environment, the filesystem, sockets and `process.exit`. Here a guest gets clocks,
 * randomness, an empty stdin, stdout and stderr captured as logs, an empty environment and no
 * preopened directories (so no file can ever be opened). Network interfaces (`wasi:http`,
 * `wasi:sockets`) exist only so components built with them instantiate; any use traps with a
 * message saying why.
 */
import { randomFillSync } from "node:crypto";

/** Thrown from a host import when the guest does something the sandbox refuses. */
export class SandboxDenied extends Error {
  override readonly name = "SandboxDenied";
  constructor(
    readonly iface: string,
    readonly member: string,
  ) {
    super(
      `${iface} (${member}) is not available in the sandbox: components get no network, files or ` +
        "environment; call MCP tools through mcp:tools/host call-tool",
    );
  }
}

/** Thrown when the guest calls `wasi:cli/exit`: the execution ends without a result. */
export class GuestExit extends Error {
  override readonly name = "GuestExit";
  constructor(readonly status: number) {
    super(`the component called wasi:cli/exit with status ${status} instead of returning from run`);
  }
}

export type OutputSink = (stream: "stdout" | "stderr", bytes: Uint8Array) => void;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the Worker for `ns` nanoseconds (the watchdog on the main thread still applies). */
function sleep(ns: bigint): void {
  if (ns <= 0n) return;
  Atomics.wait(sleeper, 0, 0, Number(ns / 1_000_000n) + 1);
}

const now = (): bigint => process.hrtime.bigint();

class Pollable {
  constructor(private readonly deadline: bigint | undefined = undefined) {}
  ready(): boolean {
    return this.deadline === undefined || now() >= this.deadline;
  }
  block(): void {
    if (this.deadline !== undefined) sleep(this.deadline - now());
  }
  /** When this pollable becomes ready; `undefined` means now. */
  get readyAt(): bigint | undefined {
    return this.deadline;
  }
}

function poll(pollables: Pollable[]): Uint32Array {
  if (pollables.length === 0) throw new SandboxDenied("wasi:io/poll", "poll with an empty list");
  let ready = pollables.flatMap((pollable, index) => (pollable.ready() ? [index] : []));
  if (ready.length === 0) {
    const earliest = pollables.reduce((best, pollable) =>
      (pollable.readyAt ?? 0n) < (best.readyAt ?? 0n) ? pollable : best,
    );
    earliest.block();
    ready = pollables.flatMap((pollable, index) => (pollable.ready() ? [index] : []));
  }
  return Uint32Array.from(ready);
}

class IoError {
  constructor(private readonly message: string) {}
  toDebugString(): string {
    return this.message;
  }
}

const CLOSED = { tag: "closed" } as const;

class InputStream {
  read(_length: bigint): Uint8Array {
    throw CLOSED;
  }
  blockingRead(_length: bigint): Uint8Array {
    throw CLOSED;
  }
  skip(_length: bigint): bigint {
    throw CLOSED;
  }
  blockingSkip(_length: bigint): bigint {
    throw CLOSED;
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

const WRITE_BUDGET = 1_048_576n;

class OutputStream {
  constructor(private readonly sink: ((bytes: Uint8Array) => void) | undefined = undefined) {}
  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  write(contents: Uint8Array): void {
    if (this.sink === undefined) throw CLOSED;
    this.sink(contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(length: bigint): void {
    this.write(new Uint8Array(Number(length)));
  }
  blockingWriteZeroesAndFlush(length: bigint): void {
    this.writeZeroes(length);
  }
  splice(_source: InputStream, _length: bigint): bigint {
    throw CLOSED;
  }
  blockingSplice(_source: InputStream, _length: bigint): bigint {
    throw CLOSED;
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

class TerminalInput {}
class TerminalOutput {}

/** A class no guest can obtain an instance of (no directory is ever preopened). */
class Descriptor {}
class DirectoryEntryStream {}

function randomBytes(length: bigint): Uint8Array {
  if (length > 1_048_576n) throw new SandboxDenied("wasi:random/random", `get-random-bytes(${length})`);
  return randomFillSync(new Uint8Array(Number(length)));
}

function randomU64(): bigint {
  return Buffer.from(randomBytes(8n)).readBigUInt64LE();
}

/**
 * An interface object whose unknown members are functions that throw {@link SandboxDenied}: a
 * newer 0.2.x minor version may name members this host does not implement, and the bindings
 * look every member up when the component is instantiated.
 */
function denyUnknown(iface: string, members: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(members, {
    get(target, name) {
      if (typeof name !== "string") return undefined;
      return Object.hasOwn(target, name) ? target[name] : denied(iface, name);
    },
  });
}

function denied(iface: string, member: string): () => never {
  return new Proxy(
    function deniedMember(): never {
      throw new SandboxDenied(iface, member);
    },
    {
      construct() {
        throw new SandboxDenied(iface, member);
      },
    },
  );
}

/** The unversioned interface names this host serves; anything else is refused before instantiation. */
export const WASI_INTERFACES: readonly string[] = [
  "wasi:cli/environment",
  "wasi:cli/exit",
  "wasi:cli/stdin",
  "wasi:cli/stdout",
  "wasi:cli/stderr",
  "wasi:cli/terminal-input",
  "wasi:cli/terminal-output",
  "wasi:cli/terminal-stdin",
  "wasi:cli/terminal-stdout",
  "wasi:cli/terminal-stderr",
  "wasi:clocks/monotonic-clock",
  "wasi:clocks/wall-clock",
  "wasi:filesystem/preopens",
  "wasi:filesystem/types",
  "wasi:io/error",
  "wasi:io/poll",
  "wasi:io/streams",
  "wasi:random/random",
  "wasi:random/insecure",
  "wasi:random/insecure-seed",
  // Served only so that components built with fetch() support instantiate: every member traps.
  "wasi:http/types",
  "wasi:http/outgoing-handler",
];

/** The WASI WIT package versions this host serves (0.2.x). */
export const WASI_VERSION = /^0\.2\.\d+$/;

/** Builds the import object entries for every interface in {@link WASI_INTERFACES}. */
export function wasiImports(output: OutputSink): Record<string, Record<string, unknown>> {
  const stdout = new OutputStream((bytes) => output("stdout", bytes));
  const stderr = new OutputStream((bytes) => output("stderr", bytes));
  const stdin = new InputStream();
  const members: Record<string, Record<string, unknown>> = {
    "wasi:cli/environment": {
      getEnvironment: (): [string, string][] => [],
      getArguments: (): string[] => [],
      initialCwd: (): undefined => undefined,
    },
    "wasi:cli/exit": {
      exit(status: { tag: "ok" | "err" }): never {
        throw new GuestExit(status.tag === "ok" ? 0 : 1);
      },
      exitWithCode(code: number): never {
        throw new GuestExit(code);
      },
    },
    "wasi:cli/stdin": { getStdin: () => stdin },
    "wasi:cli/stdout": { getStdout: () => stdout },
    "wasi:cli/stderr": { getStderr: () => stderr },
    "wasi:cli/terminal-input": { TerminalInput },
    "wasi:cli/terminal-output": { TerminalOutput },
    "wasi:cli/terminal-stdin": { getTerminalStdin: (): undefined => undefined },
    "wasi:cli/terminal-stdout": { getTerminalStdout: (): undefined => undefined },
    "wasi:cli/terminal-stderr": { getTerminalStderr: (): undefined => undefined },
    "wasi:clocks/monotonic-clock": {
      now,
      resolution: (): bigint => 1n,
      subscribeInstant: (when: bigint) => new Pollable(when),
      subscribeDuration: (duration: bigint) => new Pollable(now() + duration),
    },
    "wasi:clocks/wall-clock": {
      now() {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
    "wasi:filesystem/preopens": { getDirectories: (): [] => [] },
    "wasi:filesystem/types": {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (): undefined => undefined,
    },
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": { Pollable, poll },
    "wasi:io/streams": { InputStream, OutputStream },
    "wasi:random/random": { getRandomBytes: randomBytes, getRandomU64: randomU64 },
    "wasi:random/insecure": { getInsecureRandomBytes: randomBytes, getInsecureRandomU64: randomU64 },
    "wasi:random/insecure-seed": { insecureSeed: (): [bigint, bigint] => [randomU64(), randomU64()] },
    "wasi:http/types": {},
    "wasi:http/outgoing-handler": {},
  };
  return Object.fromEntries(
    Object.entries(members).map(([iface, implementation]) => [iface, denyUnknown(iface, implementation)]),
  );
}
