/**
 * The typed contract between the sandbox's host (src/guest-run.ts) and the guest half of the API
 * (the .js files beside this one, checked with `// @ts-check` against these declarations and
 * embedded into src/guest-prelude.generated.ts at build time). Nothing here exists at run time.
 */

/** An error document as the host sends it inside envelopes (core's ErrorDocument). */
export interface HostErrorDocument {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

/**
 * The raw host functions, given to the core once and kept in closures: guest code never sees
 * them. Strings with content cross as JSON text (QuickJS hands strings to the host as C strings,
 * which would end at the first NUL). Answers are envelopes: `{"ok":true,"value":…}` or
 * `{"ok":false,"error":{…}}`.
 */
export interface SandboxHost {
  /** Throws once the output limit is reached. */
  log(level: "log" | "info" | "warn" | "error" | "debug", textJson: string): void;
  /**
   * `callJson` is `[server, tool, args]` (kind "tool") or `[server, uri, {}]` (kind "resource").
   * Answers `""` (accepted: the answer comes later through `settle`) or an error envelope.
   * Throws once the tool-call limit is reached.
   */
  callTool(id: number, callJson: string, kind: "tool" | "resource"): string;
  /** `textLength`: the text's length in UTF-16 units, so the host can refuse before copying. */
  fs(op: "read" | "write" | "list", pathJson: string, textJson: string, textLength?: number): string;
  /** `valueJson` `""` deletes. */
  state(op: "get" | "set", keyJson: string, valueJson: string): string;
  /** Throws `RangeError` when too many timers are pending. */
  timer(op: "set" | "clear", id: number, delay: number): void;
  /** Compiles piece `name` on first use and returns its exports. */
  load<K extends keyof Pieces>(name: K, primordials: Primordials): Pieces[K];
}

/** An error with the properties the sandbox's errors carry. */
export type CodedError = Error & {
  code?: string;
  server?: string;
  tool?: string;
  uri?: string;
  details?: unknown;
};

/** What a call that failed remembers, to make its error. */
export interface CallSite {
  readonly server: string;
  readonly tool?: string;
  readonly uri?: string;
  stack?: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Built-ins captured by the core before guest code runs, and helpers the pieces share. */
export interface Primordials {
  readonly host: SandboxHost;
  readonly apply: typeof Reflect.apply;
  readonly stringify: typeof JSON.stringify;
  readonly parse: typeof JSON.parse;
  readonly toStr: typeof Object.prototype.toString;
  readonly keys: typeof Object.keys;
  readonly isArray: typeof Array.isArray;
  readonly isFinite: typeof Number.isFinite;
  readonly trunc: typeof Math.trunc;
  readonly test: typeof RegExp.prototype.test;
  readonly join: typeof Array.prototype.join;
  readonly replace: typeof String.prototype.replace;
  readonly slice: typeof String.prototype.slice;
  readonly symbolToString: typeof Symbol.prototype.toString;
  readonly dateToISOString: typeof Date.prototype.toISOString;
  readonly regexpToString: typeof RegExp.prototype.toString;
  readonly String: StringConstructor;
  readonly Number: NumberConstructor;
  readonly Error: ErrorConstructor;
  readonly TypeError: TypeErrorConstructor;
  readonly Promise: PromiseConstructor;
  readonly Map: MapConstructor;
  readonly mapGet: typeof Map.prototype.get;
  readonly mapSet: typeof Map.prototype.set;
  readonly mapDelete: typeof Map.prototype.delete;
  readonly mapHas: typeof Map.prototype.has;
  /** The exports of piece `name`, compiled on first use. */
  piece<K extends keyof Pieces>(name: K): Pieces[K];
  /** JSON text, or undefined when JSON.stringify would drop or refuse something. */
  fastJson(value: unknown): string | undefined;
  /** Records `error` as raised by the sandbox with `code`; returns it. */
  markHost<E extends object>(error: E, code: string): E;
  /** The code the sandbox gave `error` when it raised it, if it did. */
  hostCode(error: unknown): string | undefined;
}

export interface Pieces {
  common: {
    strictJson(value: unknown, what: string, code: string): string;
    toError(error: HostErrorDocument, call?: CallSite): Error;
    // biome-ignore lint/suspicious/noExplicitAny: each caller knows what its host call answers
    unwrap(envelope: string): any;
  };
  json: {
    strict(value: unknown, what: string, code: string): string;
    /** `"R"` + the JSON, or `"F"` + `{code, message}`. */
    explain(value: unknown, budget: number): string;
    toJson(value: unknown, what: string, budget: number, failCode: string): string;
  };
  console: {
    inspect(value: unknown, depth: number, seen: unknown[]): string;
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
  };
  tools: {
    callTool(server: unknown, tool: unknown, args?: unknown): Promise<unknown>;
    readResource(server: unknown, uri: unknown): Promise<unknown>;
    settle(batchJson: string): void;
  };
  timers: {
    setTimeout(callback: unknown, delay?: unknown, ...args: unknown[]): number;
    clearTimeout(id: unknown): void;
    fireTimer(id: number): void;
  };
  files: {
    readFile(path: unknown): string;
    writeFile(path: unknown, text: unknown): void;
    listFiles(directory?: unknown): string[];
    getState(key: unknown): unknown;
    setState(key: unknown, value: unknown): void;
  };
  errors: {
    /** JSON of what the host needs to know about a thrown value, texts cut to `maxChars`. */
    describe(thrown: unknown, maxChars: number): string;
  };
}

/** What the core returns to the host. */
export interface GuestApi {
  /**
   * Resolves to `"R"` + the result's JSON or `"F"` + `{code, message}`; rejects with what the
   * guest threw. `evaluation` is the module's namespace (`isNamespace`) or its evaluation promise.
   */
  // biome-ignore lint/suspicious/noExplicitAny: a module namespace or the promise of one, from QuickJS
  finish(evaluation: any, isNamespace: boolean, budget: number): Promise<string>;
  settle(batchJson: string): void;
  fireTimer(id: number): void;
  describe(thrown: unknown, maxChars: number): string;
  /** An error raised by the sandbox with `code` (refused imports). */
  coded(code: string, message: string): Error;
}
