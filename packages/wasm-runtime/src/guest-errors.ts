/**
 * What a guest failure becomes: a coded {@link ErrorDocument} whose location points at the user's
 * file and line. Pure functions, used inside the worker on what the prelude's `describe` reports.
 */
import type { ErrorCode, ErrorDocument } from "@mcp-execution/core";
import { PRELUDE_FILENAME } from "./guest-prelude.js";

/** What the prelude's `describe()` says about a thrown value. */
export interface ThrownInfo {
  readonly isError: boolean;
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
  /** The `code` property as the guest left it: only kept in details, never trusted. */
  readonly code?: string;
  /** The code the sandbox gave the error when it raised it (the prelude's private record). */
  readonly hostCode?: string;
  readonly details?: unknown;
  readonly server?: string;
  readonly tool?: string;
  /** For non-errors: `typeof` the value (`null` for null) and how it prints. */
  readonly type?: string;
  readonly value?: string;
}

export interface SourceMapping {
  /** The main module's name inside QuickJS (`/mcp-tools/main.ts`). */
  readonly moduleName: string;
  /** What the user calls it (`script.ts`, `snippet.ts`). */
  readonly displayName: string;
  readonly wrapperShift?: { readonly line: number; readonly columns: number; readonly lastLine: number };
}

/**
 * Codes that the sandbox's own host APIs (tools, files, state, imports, serialization) put on the
 * errors they throw into the guest. An uncaught error keeps its code only when the sandbox raised
 * it (the prelude records those errors where guest code cannot reach) and the code is one of
 * these; any `code` a guest sets itself becomes `GUEST_ERROR` (details keep it as `code`), so
 * guest code cannot pose as the host or as a limit the host enforced.
 */
const GUEST_VISIBLE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "TOOL_ERROR",
  "ARGS_INVALID",
  "RESULT_INVALID",
  "SERVER_UNKNOWN",
  "SERVER_DISABLED",
  "TOOL_UNKNOWN",
  "CONNECT_FAILED",
  "CONNECTION_CLOSED",
  "PROTOCOL_ERROR",
  "TIMEOUT",
  "AUTH_REQUIRED",
  "AUTH_REFUSED",
  "LIMIT_RATE",
  "LIMIT_SIZE",
  "LIMIT_STORAGE",
  "PATH_INVALID",
  "FILE_NOT_FOUND",
  "FILE_EXISTS",
  "READ_ONLY",
  "UNSUPPORTED",
  "NAME_INVALID",
  "GUEST_SYNTAX",
  "RESULT_UNSERIALIZABLE",
]);

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The stack with the sandbox's own frames removed, the main module shown under the user's name and
 * the snippet wrapper's columns taken back out.
 */
export function mapStack(stack: string, mapping: SourceMapping): string {
  const name = new RegExp(`${escapeRegExp(mapping.moduleName)}:(\\d+):(\\d+)`);
  const shift = mapping.wrapperShift;
  const lines: string[] = [];
  for (const line of stack.split("\n")) {
    if (line.trim().length === 0 || line.includes(PRELUDE_FILENAME)) continue;
    const match = name.exec(line);
    if (match === null) {
      lines.push(line);
      continue;
    }
    const lineNumber = Number(match[1]);
    let column = Number(match[2]);
    // The snippet wrapper's own frame (the call after the user's last line) means nothing to users.
    if (shift !== undefined && lineNumber > shift.lastLine) continue;
    if (shift !== undefined && lineNumber === shift.line && column > shift.columns) column -= shift.columns;
    lines.push(line.replace(name, `${mapping.displayName}:${lineNumber}:${column}`));
  }
  return lines.join("\n");
}

/**
 * The first frame of a mapped stack that points into the guest's files; frames of built-ins
 * (`native`) and of code without a file (`<input>` of eval and JSON.parse) are skipped unless
 * nothing else is left.
 */
export function firstLocation(mappedStack: string): Location | undefined {
  let fallback: Location | undefined;
  for (const line of mappedStack.split("\n")) {
    const match = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (match === null) continue;
    const [, file, lineText, columnText] = match;
    if (file === undefined || file === "native") continue;
    const location = { file, line: Number(lineText), column: Number(columnText) };
    if (!file.startsWith("<")) return location;
    fallback ??= location;
  }
  return fallback;
}

/**
 * Where the generated wrappers live. An error raised inside one (a tool call it made failed) is
 * located at the guest's line that called the wrapper, with the wrapper's own line beside it.
 */
const GENERATED_WRAPPERS = "/mcp-tools/servers/";

/** The first frame outside the generated wrappers, when the first frame is inside one. */
function callerOfWrapper(mappedStack: string, first: Location | undefined): Location | undefined {
  if (first === undefined || !first.file.startsWith(GENERATED_WRAPPERS)) return undefined;
  const outside = mappedStack
    .split("\n")
    .filter((line) => !line.includes(GENERATED_WRAPPERS))
    .join("\n");
  const caller = firstLocation(outside);
  return caller === undefined || caller.file.startsWith("<") ? undefined : caller;
}

/** A compile-time error's stack is one bare location (`at file:1:9`), with no function frame. */
function isCompileError(stack: string): boolean {
  const first = stack.split("\n").find((line) => line.trim().length > 0);
  return first !== undefined && /^\s*at [^\s()]+:\d+:\d+\s*$/.test(first);
}

function locationText(location: Location | undefined, via?: Location): string {
  if (location === undefined) return "";
  const wrapper = via === undefined ? "" : `, in ${via.file}:${via.line}:${via.column}`;
  return ` (at ${location.file}:${location.line}:${location.column}${wrapper})`;
}

/**
 * The outcome for a value the guest threw and did not catch (or a module that failed to load).
 * `stackBytes` is only used in the stack-overflow message.
 */
export function classifyThrown(info: ThrownInfo, mapping: SourceMapping, stackBytes: number): ErrorDocument {
  if (!info.isError) {
    const type = info.type ?? "unknown";
    const value = info.value ?? "";
    return {
      code: "GUEST_ERROR",
      message: `Uncaught ${type === "string" ? "string" : `non-error value (${type})`}: ${value}`,
      details: { thrownType: type, thrown: value },
    };
  }
  const name = info.name ?? "Error";
  const message = info.message ?? "";
  const stack = mapStack(info.stack ?? "", mapping);
  const innermost = firstLocation(stack);
  const caller = callerOfWrapper(stack, innermost);
  const location = caller ?? innermost;
  const via = caller === undefined ? undefined : innermost;
  const where = {
    ...(location === undefined ? {} : { file: location.file, line: location.line, column: location.column }),
    ...(via === undefined ? {} : { wrapper: { file: via.file, line: via.line, column: via.column } }),
  };
  const base = { name, message, stack, ...where };

  if (message === "stack overflow" || message === "Maximum call stack size exceeded") {
    return {
      code: "LIMIT_STACK",
      message: `the code overflowed its stack limit of ${stackBytes} bytes${locationText(location)}: too deep recursion or too deeply nested data`,
      details: { ...base, limit: "stackBytes", stackBytes },
    };
  }
  if (message === "out of memory" && name === "InternalError") {
    return {
      code: "LIMIT_MEMORY",
      message: `the code ran out of memory${locationText(location)}`,
      details: { ...base, limit: "memoryBytes" },
    };
  }
  if (name === "SyntaxError" && isCompileError(info.stack ?? "")) {
    return {
      code: "GUEST_SYNTAX",
      message: `SyntaxError: ${message}${locationText(location)}`,
      details: base,
    };
  }
  const extra: Record<string, unknown> = {};
  if (info.server !== undefined) extra.server = info.server;
  if (info.tool !== undefined) extra.tool = info.tool;
  if (info.details !== undefined) extra.details = info.details;
  if (info.hostCode !== undefined && GUEST_VISIBLE_CODES.has(info.hostCode)) {
    // A host error (tool error, invalid arguments, ...) that crossed the guest uncaught: its own
    // details (server, tool, content, argument errors) come first-class, plus where the guest was;
    // the message is already the document's message.
    const hostDetails =
      typeof info.details === "object" && info.details !== null && !Array.isArray(info.details)
        ? (info.details as Record<string, unknown>)
        : {};
    const { details: _nested, ...identity } = extra;
    return {
      code: info.hostCode as ErrorCode,
      message: `${message}${locationText(location, via)}`,
      details: { ...hostDetails, ...identity, stack, ...where },
    };
  }
  if (info.code !== undefined) extra.code = info.code;
  return {
    code: "GUEST_ERROR",
    message: `${name}: ${message}${locationText(location, via)}`,
    details: { ...base, ...extra },
  };
}

/** What a cut text ends with. */
export const TRUNCATION_MARK = "… [truncated]";
/** An error document is never cut below this many bytes, so it can always say what happened. */
export const MIN_ERROR_DOCUMENT_BYTES = 1024;

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

/** `text` cut to at most `maxBytes` UTF-8 bytes (the mark included), on a character boundary. */
export function cutText(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const room = Math.max(0, maxBytes - Buffer.byteLength(TRUNCATION_MARK, "utf8"));
  // At most `room` characters are copied, never the whole text.
  const head = Buffer.from(text.slice(0, room), "utf8").subarray(0, room).toString("utf8");
  return `${head.replace(/\uFFFD$/, "")}${TRUNCATION_MARK}`;
}

/**
 * The error document cut to at most `maxBytes` bytes of JSON (but never below
 * {@link MIN_ERROR_DOCUMENT_BYTES}): every byte a run prints counts against its output limit.
 * Texts are cut with {@link TRUNCATION_MARK}, a `details.message` that repeats the message is
 * dropped, large detail values are replaced by their size, and `details.truncated` says so.
 * `code` is never touched. A document within the bound is returned as it is.
 */
export function boundErrorDocument(error: ErrorDocument, maxBytes: number): ErrorDocument {
  const budget = Math.max(MIN_ERROR_DOCUMENT_BYTES, maxBytes);
  if (error.message.length * 3 + 256 < budget && byteSize(error) <= budget) return error;
  const details =
    typeof error.details === "object" && error.details !== null && !Array.isArray(error.details)
      ? (error.details as Record<string, unknown>)
      : undefined;
  for (let share = Math.floor(budget / 2); share >= 16; share = Math.floor(share / 2)) {
    const message = cutText(error.message, share);
    const cutDetails: Record<string, unknown> = {};
    if (details !== undefined) {
      const each = Math.max(16, Math.floor(share / Math.max(1, Object.keys(details).length)));
      for (const [key, value] of Object.entries(details)) {
        // The message is in the document once.
        if (key === "message" && typeof value === "string" && error.message.includes(value.slice(0, 64)))
          continue;
        if (typeof value === "string") cutDetails[key] = cutText(value, each);
        else if (value === null || typeof value !== "object") cutDetails[key] = value;
        else {
          const size = byteSize(value);
          cutDetails[key] = size <= each ? value : `[${size} bytes, truncated]`;
        }
      }
    }
    cutDetails.truncated = true;
    const bounded: ErrorDocument = { code: error.code, message, details: cutDetails };
    if (byteSize(bounded) <= budget) return bounded;
  }
  return {
    code: error.code,
    message: cutText(error.message, Math.floor(budget / 2)),
    details: { truncated: true },
  };
}
