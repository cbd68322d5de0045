/**
 * One execution inside a sandbox worker: a fresh QuickJS runtime and context, the guest API, the
 * main module, the event loop that waits for tool results and timers, and the classification of
 * how it ended. Owns every QuickJS handle it creates; `dispose()` releases all of them.
 */
import { type ErrorDocument, type LogLevel, McpCliError, toErrorDocument } from "@mcp-execution/core";
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import { compilesAsModule } from "./compile-check.js";
import { LOG_LEVELS } from "./component/names.js";
import { classifyThrown, type SourceMapping, type ThrownInfo } from "./guest-errors.js";
import { PRELUDE_CORE, PRELUDE_FILENAME, PRELUDE_PIECES } from "./guest-prelude.js";
import type { Interpreter } from "./interpreter.js";
import { tripError } from "./limit-errors.js";
import { checkModuleSize } from "./module-resolution.js";
import {
  errorEnvelope,
  okEnvelope,
  type ResolvedModuleText,
  type RunJob,
  type SyncAnswer,
  type SyncRequest,
  type ToolCallRequest,
  type TripReason,
  type WorkerOutcome,
  type WorkerToMain,
} from "./protocol.js";
import {
  jsonDepth,
  LOG_ENTRY_OVERHEAD_BYTES,
  MAX_IN_FLIGHT_ARGUMENT_BYTES,
  MAX_JSON_DEPTH,
  MAX_PATH_ARGUMENT_LENGTH,
  MAX_PENDING_TIMERS,
  MAX_STATE_KEY_LENGTH,
  MAX_TOOL_ARGUMENT_BYTES,
} from "./sandbox-constants.js";
import {
  cachedTranspile,
  loadTranspiler,
  loadTranspilerNow,
  type MainModulePath,
  mainModuleName,
  mayRunAsJavaScript,
  rememberTranspiled,
  type SucraseTransform,
  transpilerLoaded,
  transpileTypeScript,
  wrapMain,
} from "./transpile.js";

/** What a run needs from its worker. */
export interface RunChannel {
  post(message: WorkerToMain): void;
  /** Blocks until the main thread answers; `undefined` when `timeoutMs` passed first. */
  request(runId: number, body: SyncRequest, timeoutMs: number): SyncAnswer | undefined;
  /** Whether the host asked to stop this run (read from shared memory, so it works mid-loop). */
  cancelRequested(runId: number): boolean;
}

/** Polls of the interrupt handler between two heap samples (a power of two). */
const MEMORY_SAMPLE_POLLS = 2048;
/** Names given to refused imports; never a VFS path (those start with "/"). */
const REFUSED_MODULE_PREFIX = "sandbox:refused-import-";
/** The levels a guest may log at: the same list as the component world's `log-level`. */
const LOG_LEVEL_SET: ReadonlySet<string> = new Set<LogLevel>(LOG_LEVELS);
const MAX_NAME_LENGTH = 512;
/** Error texts are cut to the output left, but never below this, so an error can always say what happened. */
const ERROR_TEXT_FLOOR_CHARACTERS = 1024;
/** Writes whose JSON text is longer than this ask the host first how much room is left. */
const LARGE_WRITE_CHARACTERS = 64 * 1024;

interface GuestApi {
  readonly settle: QuickJSHandle;
  readonly fireTimer: QuickJSHandle;
  readonly finish: QuickJSHandle;
  readonly describe: QuickJSHandle;
  readonly coded: QuickJSHandle;
}

interface Ending {
  readonly resultJson?: string;
  readonly error?: ErrorDocument;
}

/** The run needed sucrase and the worker could not load it: the host's failure, not the guest's. */
function transpilerUnavailable(error: unknown): McpCliError {
  return new McpCliError(
    "INTERNAL",
    `the TypeScript transpiler (sucrase) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    { details: { reason: "transpiler-unavailable" } },
  );
}

/** Thrown into the guest by host functions once the run was stopped; the interrupt follows. */
class StoppedError extends Error {
  override readonly name = "InternalError";
}

/**
 * One execution. Created and {@link prepare}d ahead of time (a fresh runtime and context with the
 * guest API installed: most of the per-run cost, paid while the worker is idle), then {@link run}
 * exactly once with a job. Each instance is used for one job only.
 */
export class GuestRun {
  readonly #interpreter: Interpreter;
  readonly #channel: RunChannel;
  #job: RunJob | undefined;
  #mapping: SourceMapping = { moduleName: "", displayName: "" };

  #trip: TripReason | undefined;
  #hostFailure: ErrorDocument | undefined;
  #polls = 0;
  #peakMemoryBytes = 0;
  #deadline = 0;
  #logBytes = 0;
  #toolCalls = 0;
  /** Calls waiting for an answer, with the size of their arguments. */
  readonly #outstandingCalls = new Map<number, number>();
  #inFlightBytes = 0;
  #queuedCalls: ToolCallRequest[] = [];
  /** Pending timers; `undefined` for one due after the deadline, which is never scheduled. */
  readonly #timers = new Map<number, NodeJS.Timeout | undefined>();
  #deadlineTimer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #uncaught: QuickJSHandle | undefined;
  readonly #resolvedModules = new Map<string, string>();
  readonly #normalized = new Map<string, string>();
  readonly #refusedModules = new Map<string, ErrorDocument>();
  #runtime: QuickJSRuntime | undefined;
  #context: QuickJSContext | undefined;
  #transform: SucraseTransform | undefined;
  #mainModulePath: MainModulePath | undefined;
  #api: GuestApi | undefined;
  #used = false;

  constructor(interpreter: Interpreter, channel: RunChannel) {
    this.#interpreter = interpreter;
    this.#channel = channel;
  }

  get interpreter(): Interpreter {
    return this.#interpreter;
  }

  get runId(): number {
    return this.#job?.runId ?? 0;
  }

  get #limits(): RunJob["limits"] {
    if (this.#job === undefined) throw new Error("the guest run has no job yet");
    return this.#job.limits;
  }

  /**
   * Creates the runtime and context and installs the guest API. Idempotent. Throws only for host
   * bugs (the prelude failing to install); the instance is then unusable and must be disposed.
   */
  prepare(): void {
    if (this.#context !== undefined) return;
    const runtime = this.#interpreter.quickjs.newRuntime();
    this.#runtime = runtime;
    runtime.setInterruptHandler(() => this.#shouldInterrupt());
    runtime.setModuleLoader(
      (name, context) => this.#loadModule(name, context),
      (base, requested) => this.#normalizeModule(base, requested),
    );
    const context = runtime.newContext();
    this.#context = context;
    this.#api = this.#installApi(context);
    // The first memory measurement in a runtime creates its property names; do it now, not in the run.
    this.#measureMemory(context, runtime);
  }

  /**
   * Releases the runtime, the context and every handle; call it after {@link run} (the worker does
   * so after posting the outcome, off the caller's path) or for a prepared run that will not be
   * used. Returns false when QuickJS refused (a leak or an aborted engine): the interpreter must
   * then be thrown away. Idempotent.
   */
  dispose(): boolean {
    return this.#dispose();
  }

  /**
   * Runs the job to its end. Never throws: host-side failures become an `INTERNAL` outcome. The
   * caller disposes afterwards.
   */
  async run(job: RunJob): Promise<WorkerOutcome> {
    if (this.#used) throw new Error("a guest run is used for one job only");
    this.#used = true;
    this.#job = job;
    const limits = job.limits;
    this.#deadline = performance.now() + limits.timeoutMs;
    this.#deadlineTimer = setTimeout(() => {
      this.#stop("time");
    }, limits.timeoutMs);
    this.#interpreter.resetGrowFailures();

    let ending: Ending = {};
    let memoryBytes = 0;
    let broken = false;
    try {
      this.prepare();
      const runtime = this.#runtime as QuickJSRuntime;
      const context = this.#context as QuickJSContext;
      runtime.setMemoryLimit(limits.memoryBytes);
      runtime.setMaxStackSize(limits.stackBytes);
      // The transpiler loads and runs here, inside the deadline: the main thread's watchdog ends
      // this thread if sucrase takes too long on hostile input, and the host's own loop stays free.
      const main = await this.#prepareMain(job, runtime);
      if (main.error !== undefined) ending = { error: main.error };
      else if (performance.now() >= this.#deadline) this.#trip ??= "time";
      else {
        ending = await this.#evaluate(context, runtime, main.source);
        this.#sampleMemory();
        memoryBytes = this.#peakMemoryBytes;
      }
    } catch (error) {
      broken = true;
      if (this.#trip === undefined && this.#interpreter.growFailures === 0) {
        ending = {
          error: {
            code: "INTERNAL",
            message: `the sandbox failed while running the code: ${error instanceof Error ? error.message : String(error)}`,
          },
        };
      }
    } finally {
      // Calls made but not sent yet still go out (and are cancelled with the run), as if sent at once.
      this.#flushToolCalls();
      this.#stopTimers();
    }

    let error = ending.error;
    let resultJson = ending.resultJson;
    if (this.#interpreter.growFailures > 0 && this.#trip === undefined) this.#trip = "memory";
    if (this.#trip !== undefined) {
      error = this.#hostFailure ?? tripError(this.#trip, limits);
      resultJson = undefined;
      if (this.#trip === "memory") memoryBytes = this.#interpreter.maximumBytes;
    }
    const discarded = broken || this.#trip !== undefined;
    const toolCalls = this.#toolCalls;
    const transpiler = {
      ...(this.#mainModulePath === undefined ? {} : { mainModule: this.#mainModulePath }),
      transpilerLoaded: transpilerLoaded(),
    };
    return error === undefined
      ? {
          runId: job.runId,
          resultJson: resultJson ?? "null",
          memoryBytes,
          toolCalls,
          discarded,
          ...transpiler,
        }
      : { runId: job.runId, error, memoryBytes, toolCalls, discarded, ...transpiler };
  }

  /**
   * Tool calls finished on the main thread: `[callId, envelope]` pairs, the envelopes being the
   * guest-visible answers. They are settled in the guest in one call.
   */
  onToolResults(results: readonly (readonly [number, string])[]): void {
    const context = this.#context;
    const api = this.#api;
    const parts: string[] = [];
    let size = 0;
    for (const [callId, envelope] of results) {
      const argumentBytes = this.#outstandingCalls.get(callId);
      if (argumentBytes === undefined) continue;
      this.#outstandingCalls.delete(callId);
      this.#inFlightBytes -= argumentBytes;
      let answer = envelope;
      if (answer.length > this.#limits.memoryBytes - size) {
        answer = errorEnvelope({
          code: "LIMIT_SIZE",
          message: `the tool result (${answer.length} characters) is larger than the sandbox's memory limit allows`,
        });
      }
      size += answer.length;
      parts.push(`[${callId},${answer}]`);
    }
    if (context === undefined || api === undefined || this.#trip !== undefined || parts.length === 0) return;
    this.#callGuest(context, api.settle, [context.newString(`[${parts.join(",")}]`)]);
    this.#notify();
  }

  /** Sends the tool calls made since the last batch; called before the run waits and when it ends. */
  #flushToolCalls(): void {
    if (this.#queuedCalls.length === 0) return;
    const calls = this.#queuedCalls;
    this.#queuedCalls = [];
    this.#channel.post({ type: "tool-calls", runId: this.runId, calls });
  }

  /** The host's side failed (a message that could not be received): the run ends with `INTERNAL`. */
  onHostFailure(message: string): void {
    this.#hostFailure ??= { code: "INTERNAL", message };
    this.#stop("cancelled");
  }

  /** The host asked to stop this run (cancellation reaches a busy run through shared memory too). */
  onCancel(): void {
    this.#stop("cancelled");
  }

  // ------------------------------------------------------------------------------------------
  // Limits

  #shouldInterrupt(): boolean {
    if (this.#trip !== undefined) return true;
    const job = this.#job;
    // While the run is being prepared only the sandbox's own code runs.
    if (job === undefined) return false;
    if (this.#interpreter.growFailures > 0) {
      this.#trip = "memory";
      return true;
    }
    this.#polls++;
    // A sample of the heap now and then, so that memory freed before the end still shows in the
    // peak (about five samples a second of pure computation; cost grows with the heap).
    if ((this.#polls & (MEMORY_SAMPLE_POLLS - 1)) === 0) this.#sampleMemory();
    if (this.#polls > job.limits.fuel) this.#trip = "fuel";
    else if (performance.now() >= this.#deadline) this.#trip = "time";
    else if (this.#channel.cancelRequested(this.runId)) this.#trip = "cancelled";
    return this.#trip !== undefined;
  }

  #stop(reason: TripReason): void {
    this.#trip ??= reason;
    this.#notify();
  }

  #checkRunning(): void {
    if (this.#trip !== undefined) throw new StoppedError(`the execution was stopped (${this.#trip})`);
  }

  #remainingMs(): number {
    return Math.max(0, this.#deadline - performance.now());
  }

  // ------------------------------------------------------------------------------------------
  // Evaluation and the event loop

  /**
   * The main module as QuickJS runs it (wrapped, transpiled), or why it cannot run. TypeScript
   * that is plain JavaScript (see `mayRunAsJavaScript`) and compiles runs as it is, without sucrase;
   * anything else goes through sucrase, loaded now if this worker has not loaded it yet.
   */
  async #prepareMain(
    job: RunJob,
    runtime: QuickJSRuntime,
  ): Promise<{ readonly source: string; readonly error?: undefined } | { readonly error: ErrorDocument }> {
    const main = job.main;
    const name = mainModuleName(main.filename, main.mode, main.language);
    const displayName = main.filename ?? name.slice(name.lastIndexOf("/") + 1);
    this.#mapping = { moduleName: name, displayName };
    try {
      checkModuleSize(main.source, displayName);
      const wrapped = wrapMain(main);
      this.#mapping = {
        moduleName: wrapped.moduleName,
        displayName: wrapped.displayName,
        ...(wrapped.wrapperShift === undefined ? {} : { wrapperShift: wrapped.wrapperShift }),
      };
      if (wrapped.language !== "typescript") {
        this.#mainModulePath = "javascript";
        return { source: wrapped.source };
      }
      const cached = cachedTranspile(wrapped.source, wrapped.displayName);
      if (cached !== undefined) {
        this.#mainModulePath = "cached";
        return { source: cached };
      }
      // Compiled in a scratch context of this run's runtime, so the run's limits apply.
      if (
        mayRunAsJavaScript(wrapped.source) &&
        compilesAsModule(() => runtime.newContext(), wrapped.source, wrapped.moduleName)
      ) {
        // sucrase would return this text unchanged (see mayRunAsJavaScript).
        rememberTranspiled(wrapped.source, wrapped.displayName, wrapped.source);
        this.#mainModulePath = "as-javascript";
        return { source: wrapped.source };
      }
      this.#transform = await this.#loadTranspiler();
      this.#mainModulePath = "sucrase";
      return {
        source: transpileTypeScript(
          this.#transform,
          wrapped.source,
          wrapped.displayName,
          wrapped.wrapperShift,
        ),
      };
    } catch (error) {
      if (error instanceof McpCliError && error.code === "GUEST_SYNTAX") {
        return { error: this.#locateSyntaxError(main, error.toJSON()) };
      }
      if (error instanceof McpCliError) return { error: error.toJSON() };
      throw error;
    }
  }

  /** sucrase for this run, loading it if needed; a failed load is this run's `INTERNAL` error. */
  async #loadTranspiler(): Promise<SucraseTransform> {
    try {
      return await loadTranspiler();
    } catch (error) {
      throw transpilerUnavailable(error);
    }
  }

  /**
   * sucrase reports some errors past the place they are (`const x = {;` at the snippet wrapper's
   * closing line). When its location is outside the user's text, QuickJS's own parser, run on the
   * same text (compiled only, in a throwaway context), usually knows the place.
   */
  #locateSyntaxError(main: RunJob["main"], document: ErrorDocument): ErrorDocument {
    const details = (document.details ?? {}) as { line?: unknown; column?: unknown; file?: unknown };
    const lines = main.source.split("\n");
    const line = typeof details.line === "number" ? details.line : 0;
    const column = typeof details.column === "number" ? details.column : 0;
    if (line >= 1 && line <= lines.length && column <= (lines[line - 1]?.length ?? 0) + 1) return document;
    const plain = wrapMain({ ...main, language: "javascript" });
    const context = this.#interpreter.quickjs.newContext();
    try {
      const compiled = context.evalCode(plain.source, plain.moduleName, {
        type: "module",
        compileOnly: true,
      });
      if (compiled.error === undefined) {
        compiled.value.dispose();
        return document;
      }
      const thrown = context.dump(compiled.error) as { message?: unknown; stack?: unknown };
      compiled.error.dispose();
      const found = /:(\d+):(\d+)/.exec(typeof thrown.stack === "string" ? thrown.stack : "");
      if (found === null) return document;
      const foundLine = Number(found[1]);
      let foundColumn = Number(found[2]);
      const shift = plain.wrapperShift;
      if (shift !== undefined && foundLine === shift.line && foundColumn > shift.columns)
        foundColumn -= shift.columns;
      if (foundLine < 1 || foundLine > lines.length) return document;
      const file = typeof details.file === "string" ? details.file : this.#mapping.displayName;
      const reason = typeof thrown.message === "string" ? thrown.message : "invalid syntax";
      return {
        code: "GUEST_SYNTAX",
        message: `SyntaxError: ${reason} (at ${file}:${foundLine}:${foundColumn})`,
        details: { file, line: foundLine, column: foundColumn },
      };
    } catch {
      return document;
    } finally {
      context.dispose();
    }
  }

  async #evaluate(context: QuickJSContext, runtime: QuickJSRuntime, source: string): Promise<Ending> {
    const api = this.#api as GuestApi;
    const evaluated = context.evalCode(source, this.#mapping.moduleName, { type: "module" });
    if (evaluated.error !== undefined) {
      const thrown = evaluated.error;
      try {
        return { error: this.#classify(context, thrown) };
      } finally {
        thrown.dispose();
      }
    }
    const evaluation = evaluated.value;
    let finished: QuickJSHandle;
    try {
      const state = context.getPromiseState(evaluation);
      const isNamespace = state.type === "fulfilled" && state.notAPromise === true;
      if (state.type === "fulfilled" && state.notAPromise !== true) state.value.dispose();
      if (state.type === "rejected") state.error.dispose();
      const budget = context.newNumber(this.#outputBudget());
      const called = context.callFunction(api.finish, context.undefined, [
        evaluation,
        isNamespace ? context.true : context.false,
        budget,
      ]);
      budget.dispose();
      if (called.error !== undefined) {
        const thrown = called.error;
        try {
          return { error: this.#classify(context, thrown) };
        } finally {
          thrown.dispose();
        }
      }
      finished = called.value;
    } finally {
      evaluation.dispose();
    }

    try {
      for (;;) {
        this.#runJobs(runtime);
        if (this.#trip !== undefined || this.#interpreter.growFailures > 0) return {};
        if (this.#uncaught !== undefined) return { error: this.#classify(context, this.#uncaught) };
        const state = context.getPromiseState(finished);
        if (state.type === "fulfilled") {
          try {
            return this.#readResult(context, state.value);
          } finally {
            if (state.notAPromise !== true) state.value.dispose();
          }
        }
        if (state.type === "rejected") {
          try {
            return { error: this.#classify(context, state.error) };
          } finally {
            state.error.dispose();
          }
        }
        if (this.#outstandingCalls.size === 0 && this.#timers.size === 0) {
          return {
            error: {
              code: "GUEST_ERROR",
              message:
                "the code awaits a promise that can never settle: no tool call, timer or other work is pending",
              details: { reason: "unsettled-promise" },
            },
          };
        }
        this.#flushToolCalls();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      finished.dispose();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #runJobs(runtime: QuickJSRuntime): void {
    // Jobs only report uncatchable failures (the interrupt, out of memory); the loop above reads
    // the reason from the trip and the grow counter. An out-of-memory job is dropped by QuickJS,
    // so calling again makes progress through the queue.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const result = runtime.executePendingJobs(-1);
      if (result.error === undefined) return;
      result.error.dispose();
      if (this.#trip !== undefined || !runtime.hasPendingJob()) return;
    }
  }

  #outputBudget(): number {
    return Math.max(0, this.#limits.maxOutputBytes - this.#logBytes);
  }

  #readResult(context: QuickJSContext, handle: QuickJSHandle): Ending {
    if (context.typeof(handle) !== "string") {
      return {
        error: { code: "INTERNAL", message: "the sandbox's result serializer returned a non-string" },
      };
    }
    const budget = this.#outputBudget();
    const length = this.#stringLength(context, handle);
    // UTF-8 needs at least one byte per UTF-16 unit, so a longer string cannot fit.
    if (length - 1 > budget) {
      this.#trip ??= "output";
      return {};
    }
    const text = context.getString(handle);
    if (text.startsWith("F")) {
      const failure = JSON.parse(text.slice(1)) as { code: string; message: string };
      if (failure.code === "LIMIT_OUTPUT") {
        this.#trip ??= "output";
        return {};
      }
      return { error: { code: "RESULT_UNSERIALIZABLE", message: failure.message } };
    }
    const json = text.slice(1);
    if (Buffer.byteLength(json, "utf8") > budget) {
      this.#trip ??= "output";
      return {};
    }
    if (jsonDepth(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return {
        error: {
          code: "RESULT_UNSERIALIZABLE",
          message: `result is nested more than ${MAX_JSON_DEPTH} levels deep`,
        },
      };
    }
    return { resultJson: json };
  }

  #classify(context: QuickJSContext, thrown: QuickJSHandle): ErrorDocument {
    const api = this.#api;
    let info: ThrownInfo = { isError: false, type: "unknown", value: "<could not be described>" };
    if (api !== undefined && this.#trip === undefined) {
      // The guest cuts long texts before they are copied out: an error document is bounded by
      // the output limit like everything else the run prints.
      const maxChars = context.newNumber(Math.max(ERROR_TEXT_FLOOR_CHARACTERS, this.#outputBudget()));
      const described = context.callFunction(api.describe, context.undefined, [thrown, maxChars]);
      maxChars.dispose();
      if (described.error !== undefined) {
        described.error.dispose();
      } else {
        try {
          if (context.typeof(described.value) === "string") {
            info = JSON.parse(context.getString(described.value)) as ThrownInfo;
          }
        } finally {
          described.value.dispose();
        }
      }
    }
    return classifyThrown(info, this.#mapping, this.#limits.stackBytes);
  }

  #sampleMemory(): void {
    const runtime = this.#runtime;
    const context = this.#context;
    if (runtime === undefined || context === undefined || this.#interpreter.growFailures > 0) return;
    this.#peakMemoryBytes = Math.max(this.#peakMemoryBytes, this.#measureMemory(context, runtime));
  }

  /**
   * Bytes QuickJS reports in use now: objects, properties, shapes, arrays, typed arrays, bytecode.
   * This build's accounting does not include string contents.
   */
  #measureMemory(context: QuickJSContext, runtime: QuickJSRuntime): number {
    try {
      const usage = runtime.computeMemoryUsage();
      try {
        const used = context.getProp(usage, "memory_used_size");
        try {
          return context.typeof(used) === "number" ? context.getNumber(used) : 0;
        } finally {
          used.dispose();
        }
      } finally {
        usage.dispose();
      }
    } catch {
      return 0;
    }
  }

  /** Disposes everything; false when QuickJS refused (a leak or an aborted engine). Idempotent. */
  #stopTimers(): void {
    clearTimeout(this.#deadlineTimer);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#outstandingCalls.clear();
    this.#wake = undefined;
  }

  #dispose(): boolean {
    const runtime = this.#runtime;
    this.#runtime = undefined;
    this.#stopTimers();
    let clean = true;
    const release = (handle: QuickJSHandle | undefined): void => {
      try {
        if (handle?.alive === true) handle.dispose();
      } catch {
        clean = false;
      }
    };
    release(this.#uncaught);
    this.#uncaught = undefined;
    const api = this.#api;
    this.#api = undefined;
    if (api !== undefined) {
      release(api.settle);
      release(api.fireTimer);
      release(api.finish);
      release(api.describe);
      release(api.coded);
    }
    try {
      if (this.#context?.alive === true) this.#context.dispose();
    } catch {
      clean = false;
    }
    this.#context = undefined;
    try {
      if (runtime?.alive === true) runtime.dispose();
    } catch {
      clean = false;
    }
    return clean;
  }

  // ------------------------------------------------------------------------------------------
  // Modules

  /**
   * QuickJS's module normalizer cannot fail (this binding drops the error and loads ""), so a
   * refused import gets a private name that the loader then refuses with the coded error.
   */
  #normalizeModule(base: string, requested: string): string {
    const key = `${base}\u0000${requested}`;
    const known = this.#normalized.get(key);
    if (known !== undefined) return known;
    const refuse = (error: ErrorDocument): string => {
      const name = `${REFUSED_MODULE_PREFIX}${this.#refusedModules.size + 1}`;
      this.#refusedModules.set(name, error);
      return name;
    };
    if (this.#trip !== undefined) return refuse({ code: "CANCELLED", message: "the execution was stopped" });
    const answer = this.#channel.request(
      this.runId,
      { op: "resolve", specifier: requested, importer: base },
      this.#remainingMs(),
    );
    if (answer === undefined) {
      this.#stop("time");
      return refuse({
        code: "TIMEOUT",
        message: `resolving ${JSON.stringify(requested)} did not finish in time`,
      });
    }
    if (!answer.ok) return refuse(answer.error);
    const { name, text, typescript } = answer.value as ResolvedModuleText;
    let source = text;
    if (typescript) {
      try {
        source = transpileTypeScript(this.#transform ?? this.#transpilerNow(), text, name);
      } catch (error) {
        return refuse(error instanceof McpCliError ? error.toJSON() : toErrorDocument(error));
      }
    }
    this.#resolvedModules.set(name, source);
    this.#normalized.set(key, name);
    return name;
  }

  /**
   * sucrase for an import, when the main module did not need it: the normalizer cannot wait, so it
   * is taken from the worker's load if that finished, or loaded synchronously (inside this run, so
   * under its deadline like any transpile).
   */
  #transpilerNow(): SucraseTransform {
    try {
      this.#transform = loadTranspilerNow();
      return this.#transform;
    } catch (error) {
      throw transpilerUnavailable(error);
    }
  }

  #loadModule(name: string, context: QuickJSContext): string | { error: QuickJSHandle } {
    const refused = this.#refusedModules.get(name);
    if (refused !== undefined) return { error: this.#newCodedError(context, refused.code, refused.message) };
    const source = this.#resolvedModules.get(name);
    if (source === undefined) {
      return {
        error: this.#newCodedError(context, "INTERNAL", `module ${name} was not resolved by the sandbox`),
      };
    }
    return source;
  }

  /** An error the sandbox raises into the guest, marked as the host's by the prelude. */
  #newCodedError(context: QuickJSContext, code: string, message: string): QuickJSHandle {
    const api = this.#api;
    if (api !== undefined) {
      const codeHandle = context.newString(code);
      const messageHandle = context.newString(message);
      try {
        const made = context.callFunction(api.coded, context.undefined, [codeHandle, messageHandle]);
        if (made.error === undefined) return made.value;
        made.error.dispose();
      } finally {
        codeHandle.dispose();
        messageHandle.dispose();
      }
    }
    return context.newError(message);
  }

  // ------------------------------------------------------------------------------------------
  // The guest API's host half

  #installApi(context: QuickJSContext): GuestApi {
    const host = context.newObject();
    const define = (
      name: string,
      implementation: (...args: QuickJSHandle[]) => QuickJSHandle | { error: QuickJSHandle } | undefined,
    ) => {
      const fn = context.newFunction(name, implementation);
      context.setProp(host, name, fn);
      fn.dispose();
    };
    define("log", (level, text) => {
      this.#log(context, level, text);
      return undefined;
    });
    define("callTool", (id, call, kind) => context.newString(this.#callTool(context, id, call, kind)));
    define("fs", (op, path, text, textLength) =>
      context.newString(this.#fileCall(context, op, path, text, textLength)),
    );
    define("state", (op, key, value) => context.newString(this.#stateCall(context, op, key, value)));
    define("timer", (op, id, delay) => {
      this.#timerCall(context, op, id, delay);
      return undefined;
    });

    define("load", (name, primordials) => this.#loadPiece(context, name, primordials));

    try {
      const installer = context.unwrapResult(
        context.evalCode(PRELUDE_CORE, PRELUDE_FILENAME, { type: "global", strict: true }),
      );
      try {
        const apiObject = context.unwrapResult(context.callFunction(installer, context.undefined, [host]));
        try {
          return {
            settle: context.getProp(apiObject, "settle"),
            fireTimer: context.getProp(apiObject, "fireTimer"),
            finish: context.getProp(apiObject, "finish"),
            describe: context.getProp(apiObject, "describe"),
            coded: context.getProp(apiObject, "coded"),
          };
        } finally {
          apiObject.dispose();
        }
      } finally {
        installer.dispose();
      }
    } finally {
      host.dispose();
    }
  }

  /** Compiles one piece of the prelude on first use and returns its exports (or throws into the guest). */
  #loadPiece(
    context: QuickJSContext,
    nameHandle: QuickJSHandle,
    primordials: QuickJSHandle,
  ): QuickJSHandle | { error: QuickJSHandle } {
    const name = context.typeof(nameHandle) === "string" ? context.getString(nameHandle) : "";
    const source = Object.hasOwn(PRELUDE_PIECES, name) ? PRELUDE_PIECES[name] : undefined;
    if (source === undefined) throw new TypeError(`no sandbox API piece named ${name}`);
    const compiled = context.evalCode(source, PRELUDE_FILENAME, { type: "global", strict: true });
    if (compiled.error !== undefined) return { error: compiled.error };
    try {
      const made = context.callFunction(compiled.value, context.undefined, [primordials]);
      return made.error !== undefined ? { error: made.error } : made.value;
    } finally {
      compiled.value.dispose();
    }
  }

  /** Calls a prelude function; a failure inside it is remembered as the run's uncaught error. */
  #callGuest(context: QuickJSContext, fn: QuickJSHandle, args: QuickJSHandle[]): void {
    try {
      const result = context.callFunction(fn, context.undefined, args);
      if (result.error !== undefined) {
        if (this.#uncaught === undefined && this.#trip === undefined) this.#uncaught = result.error;
        else result.error.dispose();
      } else {
        result.value.dispose();
      }
    } finally {
      for (const arg of args) arg.dispose();
    }
  }

  #stringLength(context: QuickJSContext, handle: QuickJSHandle): number {
    const length = context.getProp(handle, "length");
    try {
      return context.getNumber(length);
    } finally {
      length.dispose();
    }
  }

  /** A guest string argument, refused (before it is copied out) when longer than `maxLength`. */
  #stringArgument(context: QuickJSContext, handle: QuickJSHandle, what: string, maxLength: number): string {
    if (context.typeof(handle) !== "string") throw new TypeError(`${what} must be a string`);
    const length = this.#stringLength(context, handle);
    if (length > maxLength) throw new RangeError(`${what} is longer than ${maxLength} characters`);
    return context.getString(handle);
  }

  /**
   * A guest string passed as JSON text (see the prelude: C strings would end at a NUL), refused
   * before it is copied out when its JSON is longer than `maxJsonLength`.
   */
  #jsonString(context: QuickJSContext, handle: QuickJSHandle, what: string, maxJsonLength: number): string {
    if (context.typeof(handle) !== "string") throw new TypeError(`${what} must be a string`);
    if (this.#stringLength(context, handle) > maxJsonLength) {
      throw new RangeError(`${what} is too long (more than ${maxJsonLength} characters as JSON)`);
    }
    const decoded: unknown = JSON.parse(context.getString(handle));
    if (typeof decoded !== "string") throw new TypeError(`${what} must be a string`);
    return decoded;
  }

  #log(context: QuickJSContext, levelHandle: QuickJSHandle, textHandle: QuickJSHandle): void {
    this.#checkRunning();
    const level = this.#stringArgument(context, levelHandle, "log level", 16);
    if (!LOG_LEVEL_SET.has(level)) throw new TypeError(`unknown log level ${level}`);
    if (context.typeof(textHandle) !== "string") throw new TypeError("log text must be a string");
    const remaining = this.#limits.maxOutputBytes - this.#logBytes;
    // JSON text is at least as long as the text (two quotes more), so this refuses before copying.
    if (this.#stringLength(context, textHandle) - 2 + LOG_ENTRY_OVERHEAD_BYTES > remaining)
      this.#overflowOutput();
    const text = this.#jsonString(context, textHandle, "log text", Number.MAX_SAFE_INTEGER);
    const cost = Buffer.byteLength(text, "utf8") + LOG_ENTRY_OVERHEAD_BYTES;
    if (cost > remaining) this.#overflowOutput();
    this.#logBytes += cost;
    this.#channel.post({ type: "log", runId: this.runId, level: level as LogLevel, text });
  }

  #overflowOutput(): never {
    this.#stop("output");
    throw new StoppedError(`output limit of ${this.#limits.maxOutputBytes} bytes reached`);
  }

  /**
   * A tool call (`kind` "tool": `[server, tool, args]`) or a resource read (`kind` "resource":
   * `[server, uri, {}]`); both count against the tool-call limit and come back through `settle`.
   */
  #callTool(
    context: QuickJSContext,
    idHandle: QuickJSHandle,
    callHandle: QuickJSHandle,
    kindHandle: QuickJSHandle | undefined,
  ): string {
    this.#checkRunning();
    const kind =
      kindHandle !== undefined && context.typeof(kindHandle) === "string"
        ? this.#stringArgument(context, kindHandle, "call kind", 8)
        : "tool";
    if (kind !== "tool" && kind !== "resource") throw new TypeError(`unknown call kind ${kind}`);
    if (this.#toolCalls >= this.#limits.maxToolCalls) {
      this.#stop("calls");
      throw new StoppedError(`tool call limit of ${this.#limits.maxToolCalls} reached`);
    }
    const callId = context.getNumber(idHandle);
    if (context.typeof(callHandle) !== "string") throw new TypeError("a tool call must be JSON text");
    const length = this.#stringLength(context, callHandle);
    if (length > MAX_TOOL_ARGUMENT_BYTES + 2 * MAX_NAME_LENGTH) {
      return errorEnvelope({
        code: "LIMIT_SIZE",
        message: `tool arguments are larger than ${MAX_TOOL_ARGUMENT_BYTES} bytes as JSON`,
        details: { limit: MAX_TOOL_ARGUMENT_BYTES },
      });
    }
    if (this.#inFlightBytes + length > MAX_IN_FLIGHT_ARGUMENT_BYTES) {
      return errorEnvelope({
        code: "LIMIT_SIZE",
        message: `the arguments of the tool calls waiting for an answer would exceed ${MAX_IN_FLIGHT_ARGUMENT_BYTES} bytes; await some calls before making more`,
        details: { limit: MAX_IN_FLIGHT_ARGUMENT_BYTES },
      });
    }
    const callJson = context.getString(callHandle);
    // Depth is checked on the text, before anything parses or clones it: a very deep value would
    // overflow a stack on the way (structured clone, JSON.parse) and take its batch down with it.
    if (jsonDepth(callJson, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH + 1) {
      return errorEnvelope({
        code: "ARGS_INVALID",
        message: `tool arguments are nested more than ${MAX_JSON_DEPTH} levels deep`,
        details: { limit: MAX_JSON_DEPTH },
      });
    }
    const call: unknown = JSON.parse(callJson);
    if (!Array.isArray(call) || call.length !== 3)
      throw new TypeError("a tool call must be [server, tool, args]");
    const [server, tool, args] = call as [unknown, unknown, unknown];
    if (
      typeof server !== "string" ||
      typeof tool !== "string" ||
      server.length > MAX_NAME_LENGTH ||
      tool.length > MAX_NAME_LENGTH
    ) {
      throw new TypeError(`server and tool must be strings of at most ${MAX_NAME_LENGTH} characters`);
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      return errorEnvelope({
        code: "ARGS_INVALID",
        message: `the arguments of ${server}/${tool} must be a JSON object`,
        details: { server, tool },
      });
    }
    // The arguments' own text, cut out of the call rather than stringified again.
    const prefix = `[${JSON.stringify(server)},${JSON.stringify(tool)},`;
    const argsJson =
      callJson.startsWith(prefix) && callJson.endsWith("]")
        ? callJson.slice(prefix.length, -1)
        : JSON.stringify(args);
    this.#toolCalls++;
    this.#outstandingCalls.set(callId, length);
    this.#inFlightBytes += length;
    this.#queuedCalls.push({ callId, kind, server, tool, argsJson });
    return "";
  }

  #syncRequest(body: SyncRequest): SyncAnswer {
    const answer = this.#channel.request(this.runId, body, this.#remainingMs());
    if (answer === undefined) {
      this.#stop("time");
      throw new StoppedError("the execution ran out of time waiting for the host");
    }
    return answer;
  }

  #fileCall(
    context: QuickJSContext,
    opHandle: QuickJSHandle,
    pathHandle: QuickJSHandle,
    textHandle: QuickJSHandle,
    textLengthHandle: QuickJSHandle | undefined,
  ): string {
    this.#checkRunning();
    const op = this.#stringArgument(context, opHandle, "file operation", 8);
    const path = this.#jsonString(context, pathHandle, "path", MAX_PATH_ARGUMENT_LENGTH);
    let answer: SyncAnswer;
    if (op === "read") answer = this.#syncRequest({ op: "read", path });
    else if (op === "list") answer = this.#syncRequest({ op: "list", path });
    else if (op === "write") {
      if (context.typeof(textHandle) !== "string") throw new TypeError("file text must be a string");
      // Refused from lengths alone, before the text is copied out of the guest: a string of n
      // UTF-16 units is at least n bytes of UTF-8, and its JSON is at least n + 2 characters.
      const jsonLength = this.#stringLength(context, textHandle);
      const told =
        textLengthHandle !== undefined && context.typeof(textLengthHandle) === "number"
          ? context.getNumber(textLengthHandle)
          : 0;
      const atLeastBytes = Math.max(Number.isSafeInteger(told) && told <= jsonLength - 2 ? told : 0, 0);
      const quota = this.#limits.workspaceBytes;
      let room: number = quota;
      // Large texts only: asking costs a round trip between the threads.
      if (jsonLength > LARGE_WRITE_CHARACTERS) {
        const answer = this.#syncRequest({ op: "room", path });
        if (answer.ok && typeof answer.value === "number") room = Math.min(room, answer.value);
      }
      if (atLeastBytes > room || jsonLength - 2 > quota * 6) {
        return errorEnvelope({
          code: "LIMIT_STORAGE",
          message: `cannot write ${path}: the text (at least ${atLeastBytes} bytes) is larger than the ${room} bytes left of the workspace quota of ${quota} bytes`,
          details: { path, quotaBytes: quota, roomBytes: room, atLeastBytes },
        });
      }
      const text = this.#jsonString(context, textHandle, "file text", Number.MAX_SAFE_INTEGER);
      answer = this.#syncRequest({ op: "write", path, text });
    } else throw new TypeError(`unknown file operation ${op}`);
    return answer.ok ? okEnvelope(answer.value) : errorEnvelope(answer.error);
  }

  #stateCall(
    context: QuickJSContext,
    opHandle: QuickJSHandle,
    keyHandle: QuickJSHandle,
    valueHandle: QuickJSHandle,
  ): string {
    this.#checkRunning();
    const op = this.#stringArgument(context, opHandle, "state operation", 8);
    const key = this.#jsonString(context, keyHandle, "state key", MAX_STATE_KEY_LENGTH * 6 + 2);
    if (op === "get") {
      const answer = this.#syncRequest({ op: "get-state", key });
      if (!answer.ok) return errorEnvelope(answer.error);
      return typeof answer.value === "string" ? `{"ok":true,"value":${answer.value}}` : '{"ok":true}';
    }
    if (op !== "set") throw new TypeError(`unknown state operation ${op}`);
    if (context.typeof(valueHandle) !== "string") throw new TypeError("state value must be JSON text");
    const quota = this.#limits.workspaceBytes;
    if (this.#stringLength(context, valueHandle) > quota) {
      return errorEnvelope({
        code: "LIMIT_STORAGE",
        message: `cannot save state ${JSON.stringify(key)}: the value is larger than the state quota of ${quota} bytes`,
        details: { key, quotaBytes: quota },
      });
    }
    const json = context.getString(valueHandle);
    const answer = this.#syncRequest({ op: "set-state", key, valueJson: json === "" ? undefined : json });
    return answer.ok ? '{"ok":true}' : errorEnvelope(answer.error);
  }

  #timerCall(
    context: QuickJSContext,
    opHandle: QuickJSHandle,
    idHandle: QuickJSHandle,
    delayHandle: QuickJSHandle,
  ): void {
    this.#checkRunning();
    const op = this.#stringArgument(context, opHandle, "timer operation", 8);
    const id = context.getNumber(idHandle);
    if (op === "clear") {
      clearTimeout(this.#timers.get(id));
      this.#timers.delete(id);
      return;
    }
    if (this.#timers.size >= MAX_PENDING_TIMERS) {
      throw new RangeError(`too many pending timers (at most ${MAX_PENDING_TIMERS})`);
    }
    const requested = context.getNumber(delayHandle);
    const delay = Number.isFinite(requested) && requested > 0 ? requested : 0;
    // A timer due at or after the deadline can never fire inside the run: it stays pending (so the
    // run is not an unsettled deadlock) and the deadline ends the run.
    if (delay >= this.#remainingMs()) {
      this.#timers.set(id, undefined);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      const api = this.#api;
      if (api === undefined || this.#trip !== undefined) return;
      this.#callGuest(context, api.fireTimer, [context.newNumber(id)]);
      this.#notify();
    }, delay);
    this.#timers.set(id, timer);
  }
}
