/**
 * `execute --check`: type-checks a guest script against the generated tree with the TypeScript
 * compiler before anything runs, so an agent learns about a wrong argument name or type from the
 * compiler, with its own line and column, instead of from a failed tool call.
 *
 * A subpath of its own (`@mcp-execution/codegen/type-check`): the compiler (about 9 MB of
 * JavaScript) loads only when a check is asked for. It runs in a worker thread with a wall-clock
 * limit and a heap cap, because a compiler can take very long or grow large on a small hostile
 * source; the worker is terminated when either is exceeded.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { disposedError, type GeneratedFile, McpCliError } from "@mcp-execution/core";
import type { GuestProgramInput, GuestTypeDiagnostic } from "./guest-program.js";

export { type GuestTypeDiagnostic, MAX_GUEST_DIAGNOSTICS } from "./guest-program.js";

export interface CheckGuestTypesOptions {
  readonly source: string;
  /** The generated tree the script imports from (`/mcp-tools`); may be empty. */
  readonly files: readonly GeneratedFile[];
  /** What the user calls the script; diagnostics carry this name. */
  readonly filename: string;
  /** `snippet` for `execute -e` (the body of an async function). Default `module`. */
  readonly mode?: "module" | "snippet";
  /** Default: from the file name (`.js`, `.mjs` are JavaScript), else TypeScript. */
  readonly language?: "typescript" | "javascript";
  /** Wall-clock limit of the check (`LIMIT_TIME`). Default 30 s. */
  readonly timeoutMs?: number;
  /** Heap of the checking worker (`LIMIT_MEMORY`). Default 1024 MiB. */
  readonly maxHeapMb?: number;
  readonly signal?: AbortSignal;
}

export interface GuestTypeReport {
  /** At most `MAX_GUEST_DIAGNOSTICS`, in the compiler's order. */
  readonly diagnostics: readonly GuestTypeDiagnostic[];
  /** All errors found, including those not listed. */
  readonly total: number;
}

/** Bytes of source a check accepts; larger scripts are `LIMIT_SIZE`. */
export const MAX_CHECKED_SOURCE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_HEAP_MB = 1024;
const JAVASCRIPT = /\.(?:m|c)?jsx?$/i;

function workerUrl(): URL {
  const sibling = new URL("./type-check-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  // Tests run the TypeScript sources; the worker is the built one.
  return new URL("../dist/type-check-worker.js", import.meta.url);
}

/**
 * A checker worker started ahead of time: the compiler loads while the caller does other work
 * (connecting to servers, generating the tree). One check per checker; `close()` ends the worker
 * and is idempotent; a check after close is `DISPOSED`.
 */
export interface GuestTypeChecker extends AsyncDisposable {
  /**
   * Type-checks `source` against `files`. Resolves to the errors found (an empty list: it
   * compiles). Rejects with `LIMIT_SIZE` (source too large), `LIMIT_TIME` (`timeoutMs`, counted
   * from this call), `LIMIT_MEMORY`, `CANCELLED`, or `INTERNAL` when the compiler itself fails.
   */
  check(options: CheckGuestTypesOptions): Promise<GuestTypeReport>;
  close(): Promise<void>;
}

/** Starts a checker worker, which begins loading the TypeScript compiler at once. */
export function startGuestTypeChecker(options: { readonly maxHeapMb?: number } = {}): GuestTypeChecker {
  const heapMb = options.maxHeapMb ?? DEFAULT_HEAP_MB;
  const worker = new Worker(workerUrl(), {
    resourceLimits: { maxOldGenerationSizeMb: heapMb, stackSizeMb: 16 },
    env: {},
    execArgv: [],
    stdout: true,
    stderr: true,
    name: "mcp-execution-type-check",
  });
  // A worker that dies before a check is asked for reports it to that check.
  let early: Error | undefined;
  const onEarlyError = (error: Error): void => {
    early ??= error;
  };
  worker.on("error", onEarlyError);
  // A checker nobody asks (or closes) must not keep the process alive; a check in progress does,
  // through its timer.
  worker.unref();
  let used = false;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await worker.terminate();
  };
  const memoryError = (): McpCliError =>
    new McpCliError("LIMIT_MEMORY", `the type check needed more than ${heapMb} MiB`, {
      details: { limit: "maxHeapMb", maxHeapMb: heapMb },
    });
  const failure = (error: Error & { code?: string }): McpCliError =>
    error.code === "ERR_WORKER_OUT_OF_MEMORY"
      ? memoryError()
      : new McpCliError("INTERNAL", `the type check failed: ${error.message}`, { cause: error });

  const check = (request: CheckGuestTypesOptions): Promise<GuestTypeReport> => {
    if (closed || used) return Promise.reject(disposedError("guest type checker"));
    used = true;
    const bytes = Buffer.byteLength(request.source, "utf8");
    if (bytes > MAX_CHECKED_SOURCE_BYTES) {
      void close();
      return Promise.reject(
        new McpCliError(
          "LIMIT_SIZE",
          `${request.filename} is ${bytes} bytes; --check takes at most ${MAX_CHECKED_SOURCE_BYTES}`,
          { details: { bytes, limitBytes: MAX_CHECKED_SOURCE_BYTES, what: "checked source" } },
        ),
      );
    }
    const input: GuestProgramInput = {
      source: request.source,
      files: request.files.filter((file) => file.path.endsWith(".ts")),
      filename: request.filename,
      mode: request.mode ?? "module",
      language: request.language ?? (JAVASCRIPT.test(request.filename) ? "javascript" : "typescript"),
    };
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<GuestTypeReport>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
        outcome();
        void close();
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new McpCliError("LIMIT_TIME", `the type check ran longer than ${timeoutMs} ms`, {
                details: { limit: "timeoutMs", timeoutMs },
              }),
            ),
          ),
        timeoutMs,
      );
      const onAbort = (): void =>
        finish(() => reject(new McpCliError("CANCELLED", "the type check was cancelled")));
      if (request.signal?.aborted) {
        onAbort();
        return;
      }
      request.signal?.addEventListener("abort", onAbort, { once: true });
      if (early !== undefined) {
        const error = early;
        finish(() => reject(failure(error)));
        return;
      }
      worker.once("message", (report: GuestTypeReport) => finish(() => resolve(report)));
      worker.once("error", (error: Error & { code?: string }) => finish(() => reject(failure(error))));
      worker.once("exit", (code) =>
        finish(() =>
          reject(new McpCliError("INTERNAL", `the type check ended without an answer (exit code ${code})`)),
        ),
      );
      worker.postMessage(input);
    });
  };
  return { check, close, [Symbol.asyncDispose]: close };
}

/**
 * Type-checks `source` against `files` in a checker of its own (see {@link GuestTypeChecker}).
 * Rejects with `LIMIT_SIZE`, `LIMIT_TIME`, `LIMIT_MEMORY`, `CANCELLED` or `INTERNAL`.
 */
export function checkGuestTypes(options: CheckGuestTypesOptions): Promise<GuestTypeReport> {
  const checker = startGuestTypeChecker(
    options.maxHeapMb === undefined ? {} : { maxHeapMb: options.maxHeapMb },
  );
  return checker.check(options);
}

/** Diagnostics shown in the error message; all of them are in `details`. */
const SHOWN = 10;

function located(diagnostic: GuestTypeDiagnostic): string {
  const where =
    diagnostic.line === 0 ? diagnostic.file : `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
  return `${where} - TS${diagnostic.code}: ${diagnostic.message}`;
}

/** The `GUEST_TYPE` error (exit 2) for a check that found errors. */
export function guestTypeError(report: GuestTypeReport): McpCliError {
  const lines = report.diagnostics.slice(0, SHOWN).map(located);
  const more = report.total - lines.length;
  const first = report.diagnostics[0];
  return new McpCliError(
    "GUEST_TYPE",
    `the code does not type-check (${report.total} error${report.total === 1 ? "" : "s"}):\n${lines.join("\n")}${more > 0 ? `\n... and ${more} more` : ""}`,
    {
      details: {
        diagnostics: report.diagnostics,
        total: report.total,
        ...(first === undefined ? {} : { file: first.file, line: first.line, column: first.column }),
      },
    },
  );
}
