/**
 * The component Worker's entry point (the main thread's side is `execute.ts`): loads one
 * transpiled component, serves its imports and calls `run` once.
 *
 * `call-tool` is synchronous for the guest: the Worker posts the call to the main thread and
 * blocks in `Atomics.wait` until the main thread has posted the answer on the reply port and
 * flipped the shared state. Limits that the guest could only break through its imports (tool
 * calls, log output) are enforced here by throwing out of the import, which unwinds the guest
 * without giving it a chance to catch; the wall-clock deadline and the Worker's heap are
 * enforced by the main thread. Nothing here writes to stdout or stderr, and nothing here loads
 * @mcp-execution/core's runtime code (type imports only): each execution starts a Worker.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { ErrorCode, ErrorDocument, LogLevel } from "@mcp-execution/core";
import { tripError } from "../limit-errors.js";
import { WASM_PAGE_BYTES } from "../sandbox-constants.js";
import { SyncChannelWorker } from "../threads/sync-channel.js";
import {
  type WasmImports,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
  wasm,
} from "../wasm-types.js";
import { capMemories, MemoryCapError } from "./memory-cap.js";
import { HOST_INTERFACE, LOG_LEVELS } from "./names.js";
import type { CallReply, DoneMessage, WorkerInput, WorkerMessage } from "./protocol.js";
import { GuestExit, SandboxDenied, wasiImports } from "./wasi.js";

/** Ends the run with a coded error; thrown from imports so the guest cannot catch it. */
class HostStop extends Error {
  override readonly name = "HostStop";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/**
 * The first limit or contract stop of this run. Remembered because a guest compiled with
 * WebAssembly exception handling could catch the exception on its way out and carry on; the
 * stop is reported however `run` ends, and every later import throws again.
 */
let firstStop: HostStop | undefined;

function stop(code: ErrorCode, message: string, details?: Readonly<Record<string, unknown>>): HostStop {
  firstStop ??= new HostStop(code, message, details);
  return firstStop;
}

/** A limit stop, with the same error document the QuickJS sandbox gives for it. */
function stopFor(reason: "output" | "calls"): HostStop {
  const document = tripError(reason, input.limits);
  return stop(document.code, document.message, document.details as Readonly<Record<string, unknown>>);
}

/** A component's exported `run`, as jco binds it: `ok` returns, `err` throws a ComponentError. */
interface Root {
  run(...args: unknown[]): unknown;
}

type Instantiate = (
  getCoreModule: (path: string) => WasmModule,
  imports: Record<string, unknown>,
  instantiateCore: (module: WasmModule, imports?: WasmImports) => WasmInstance,
) => Root | Promise<Root>;

const input = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error("component worker started outside a Worker");
const sync = new SyncChannelWorker(input.sync);
const encoder = new TextEncoder();
const memories = new Set<WasmMemory>();

let toolCalls = 0;
let outputBytes = 0;

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

function log(level: LogLevel, text: string): void {
  outputBytes += encoder.encode(text).length;
  if (outputBytes > input.limits.maxOutputBytes) throw stopFor("output");
  post({ type: "log", level, text });
}

/** Splits WASI stdout/stderr bytes into log lines; a trailing partial line waits for more. */
function lineLogger(level: LogLevel): { write(bytes: Uint8Array): void; flush(): void } {
  const decoder = new TextDecoder();
  let pending = "";
  return {
    write(bytes) {
      pending += decoder.decode(bytes, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        log(level, pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    },
    flush() {
      pending += decoder.decode();
      if (pending !== "") log(level, pending);
      pending = "";
    },
  };
}

const stdout = lineLogger("log");
const stderr = lineLogger("error");

function requireString(value: unknown, parameter: string, fn: string): string {
  if (typeof value !== "string") {
    throw stop(
      "COMPONENT_INVALID",
      `the component passed ${typeof value} as ${parameter} of ${fn}; ${HOST_INTERFACE} expects a string`,
    );
  }
  return value;
}

function callTool(server: unknown, tool: unknown, argsJson: unknown): { tag: "ok" | "err"; val: string } {
  if (firstStop !== undefined) throw firstStop;
  const message = {
    type: "call" as const,
    server: requireString(server, "server", "call-tool"),
    tool: requireString(tool, "tool", "call-tool"),
    argsJson: requireString(argsJson, "args-json", "call-tool"),
  };
  toolCalls += 1;
  if (toolCalls > input.limits.maxToolCalls) throw stopFor("calls");
  // No timeout of its own: the main thread's watchdog ends this thread at the deadline.
  const reply = sync.request(
    () => post(message),
    (answer): answer is CallReply => typeof (answer as CallReply).ok === "boolean",
    Number.POSITIVE_INFINITY,
  );
  if (reply === undefined) throw new Error("woken without an answer to call-tool");
  return { tag: reply.ok ? "ok" : "err", val: reply.text };
}

function hostLog(level: unknown, message: unknown): void {
  if (firstStop !== undefined) throw firstStop;
  if (typeof level !== "string" || !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw stop(
      "COMPONENT_INVALID",
      `the component passed log level ${String(level)}; expected one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  log(level as LogLevel, requireString(message, "message", "log"));
}

function memoryBytes(): number {
  let total = 0;
  for (const memory of memories) total += memory.buffer.byteLength;
  return total;
}

function instantiateCore(module: WasmModule, imports?: WasmImports): WasmInstance {
  const instance = new wasm.Instance(module, imports);
  for (const value of Object.values(instance.exports)) {
    if (value instanceof wasm.Memory) memories.add(value);
  }
  return instance;
}

function getCoreModule(file: string): WasmModule {
  const bytes = readFileSync(join(input.directory, file));
  return new wasm.Module(capMemories(bytes, input.memoryPages).bytes);
}

function failure(
  code: ErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): ErrorDocument {
  return details === undefined ? { code, message } : { code, message, details };
}

/**
 * True when some memory is within an eighth of its cap (at least 1 MiB): a guest that fails
 * there almost surely failed because `memory.grow` refused to go past the cap.
 */
function nearMemoryCap(): boolean {
  const limit = input.memoryPages * WASM_PAGE_BYTES;
  const headroom = Math.max(1024 * 1024, limit / 8);
  for (const memory of memories) if (memory.buffer.byteLength >= limit - headroom) return true;
  return false;
}

/** Maps whatever escaped `run` to a coded error; guest failures and host stops alike. */
function classify(error: unknown): ErrorDocument {
  if (firstStop !== undefined) return failure(firstStop.code, firstStop.message, firstStop.details);
  if (error instanceof HostStop) return failure(error.code, error.message, error.details);
  // The memory cap refused a core module while loading (LIMIT_MEMORY or COMPONENT_INVALID).
  if (error instanceof MemoryCapError) return failure(error.code, error.message, error.details);
  const document = classifyGuestFailure(error);
  if (document.code !== "GUEST_ERROR" || !nearMemoryCap()) return document;
  const limitBytes = input.memoryPages * WASM_PAGE_BYTES;
  return failure(
    "LIMIT_MEMORY",
    `the component ran out of memory at the memory limit of ${limitBytes / (1024 * 1024)} MiB (${document.message})`,
    { ...tripError("memory", input.limits).details, usedBytes: memoryBytes(), guestError: document.message },
  );
}

function classifyGuestFailure(error: unknown): ErrorDocument {
  if (error instanceof SandboxDenied) {
    return failure("GUEST_ERROR", error.message, { interface: error.iface, member: error.member });
  }
  if (error instanceof GuestExit) return failure("GUEST_ERROR", error.message, { status: error.status });
  if (error instanceof Error && "payload" in error) {
    const payload = (error as { payload: unknown }).payload;
    if (typeof payload !== "string") {
      return failure(
        "COMPONENT_INVALID",
        `run returned err(${typeof payload}); the mcp:tools/guest world's run returns result<string, string>`,
      );
    }
    return failure("GUEST_ERROR", payload === "" ? "run returned err with an empty message" : payload, {
      source: "run",
    });
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return failure("LIMIT_STACK", "the component overflowed its stack", { reason: error.message });
  }
  if (error instanceof wasm.RuntimeError) {
    return failure("GUEST_ERROR", `the component trapped: ${error.message}`, { trap: error.message });
  }
  if (error instanceof wasm.CompileError || error instanceof wasm.LinkError) {
    return failure("COMPONENT_INVALID", `the component cannot be instantiated: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return failure("GUEST_ERROR", `the component failed: ${message}`);
}

function finish(message: DoneMessage): void {
  post(message);
}

async function main(): Promise<void> {
  const module = (await import(pathToFileURL(join(input.directory, input.moduleFile)).href)) as {
    instantiate: Instantiate;
  };
  const imports: Record<string, unknown> = {
    ...wasiImports((stream, bytes) => (stream === "stdout" ? stdout : stderr).write(bytes)),
    [HOST_INTERFACE]: { callTool, log: hostLog },
  };
  let value: unknown;
  try {
    const root = await module.instantiate(getCoreModule, imports, instantiateCore);
    value = root.run();
    stdout.flush();
    stderr.flush();
  } catch (error) {
    try {
      stdout.flush();
      stderr.flush();
    } catch {
      // The output limit was already reached; the first error is the one to report.
    }
    finish({ type: "done", ok: false, error: classify(error), memoryBytes: memoryBytes() });
    return;
  }
  if (firstStop !== undefined) {
    finish({ type: "done", ok: false, error: classify(firstStop), memoryBytes: memoryBytes() });
    return;
  }
  if (typeof value !== "string") {
    finish({
      type: "done",
      ok: false,
      error: failure(
        "COMPONENT_INVALID",
        `run returned ${typeof value}; the mcp:tools/guest world's run returns result<string, string>`,
      ),
      memoryBytes: memoryBytes(),
    });
    return;
  }
  finish({ type: "done", ok: true, resultText: value, memoryBytes: memoryBytes() });
}

await main();
