/**
 * The error model of mcp-execution.
 *
 * Every error a user or a script can see carries a stable string `code` from {@link ERROR_CODES}.
 * The table below is the one place that says which process exit code each maps to; the CLI's
 * top-level handler reads it and nothing else. Callers branch on `code`, never on message text.
 */

/** Process exit codes, as documented in docs/conventions.md section 1. */
export const EXIT = {
  success: 0,
  usage: 1,
  failed: 2,
  connection: 3,
  auth: 4,
  limit: 5,
  integrity: 6,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface ErrorCodeInfo {
  readonly exit: ExitCode;
  readonly summary: string;
}

/**
 * Every stable error code, the exit code it maps to and a one-line meaning.
 * Adding a code is a compatible change; renaming or removing one is not.
 */
export const ERROR_CODES = {
  // 1: usage or configuration
  USAGE: { exit: EXIT.usage, summary: "the command line is not valid" },
  CONFIG_INVALID: { exit: EXIT.usage, summary: "a configuration file is not valid" },
  CONFIG_NOT_FOUND: { exit: EXIT.usage, summary: "a configuration file named explicitly does not exist" },
  CONFIG_VARIABLE_MISSING: {
    exit: EXIT.usage,
    summary: "a variable referenced in the configuration has no value and no default",
  },
  CONFIG_UNTRUSTED: {
    exit: EXIT.usage,
    summary: "a project configuration file that starts processes or expands variables is not approved",
  },
  SERVER_UNKNOWN: { exit: EXIT.usage, summary: "no server with that name is configured or allowed" },
  SERVER_DISABLED: { exit: EXIT.usage, summary: "the server is marked disabled in its configuration" },
  TOOL_UNKNOWN: { exit: EXIT.usage, summary: "the server has no tool with that name" },
  NAME_INVALID: { exit: EXIT.usage, summary: "a name (server, tool, skill, session) is not valid" },
  PATH_INVALID: { exit: EXIT.usage, summary: "a path is not valid or leaves its root" },
  FILE_NOT_FOUND: { exit: EXIT.usage, summary: "a file or directory does not exist" },
  SKILL_NOT_FOUND: { exit: EXIT.usage, summary: "no skill with that name is saved" },
  UNSUPPORTED: { exit: EXIT.usage, summary: "the operation is not supported here" },
  INTERNAL: { exit: EXIT.usage, summary: "a bug in mcp-cli; please report it" },

  // 2: the work failed
  TOOL_ERROR: { exit: EXIT.failed, summary: "a tool returned an error (isError)" },
  ARGS_INVALID: { exit: EXIT.failed, summary: "tool arguments do not match the tool's input schema" },
  RESULT_INVALID: { exit: EXIT.failed, summary: "a tool result does not match its output schema" },
  GUEST_ERROR: { exit: EXIT.failed, summary: "the executed code threw an error" },
  GUEST_SYNTAX: { exit: EXIT.failed, summary: "the executed code does not compile" },
  GUEST_TYPE: {
    exit: EXIT.failed,
    summary: "execute --check: the code does not type-check against the generated API",
  },
  TOOL_DENIED: {
    exit: EXIT.failed,
    summary: "the configuration's allowedTools / disabledTools do not allow this tool",
  },
  RESULT_UNSERIALIZABLE: { exit: EXIT.failed, summary: "the result cannot be represented in JSON" },
  READ_ONLY: { exit: EXIT.failed, summary: "a write to a read-only location" },
  COMPONENT_INVALID: {
    exit: EXIT.failed,
    summary: "a WebAssembly component is malformed or has the wrong world",
  },
  FILE_EXISTS: { exit: EXIT.failed, summary: "a file or directory already exists" },
  SKILL_LOCKED: {
    exit: EXIT.failed,
    summary: "another process is saving or removing this skill and did not finish in time",
  },

  // 3: connection
  CONNECT_FAILED: { exit: EXIT.connection, summary: "could not connect to an MCP server" },
  CONNECTION_CLOSED: { exit: EXIT.connection, summary: "the MCP server closed the connection or crashed" },
  PROTOCOL_ERROR: { exit: EXIT.connection, summary: "the MCP server broke the protocol" },
  TIMEOUT: { exit: EXIT.connection, summary: "an MCP server did not answer in time" },

  // 4: authentication
  AUTH_REQUIRED: { exit: EXIT.auth, summary: "the server requires authentication" },
  AUTH_REFUSED: { exit: EXIT.auth, summary: "the server refused the credentials" },

  // 5: sandbox limits
  LIMIT_TIME: { exit: EXIT.limit, summary: "the execution ran out of wall-clock time" },
  LIMIT_FUEL: { exit: EXIT.limit, summary: "the execution ran out of CPU fuel" },
  LIMIT_MEMORY: { exit: EXIT.limit, summary: "the execution ran out of memory" },
  LIMIT_STACK: { exit: EXIT.limit, summary: "the execution overflowed its stack" },
  LIMIT_OUTPUT: { exit: EXIT.limit, summary: "the execution produced more output than allowed" },
  LIMIT_CALLS: { exit: EXIT.limit, summary: "the execution made more tool calls than allowed" },
  LIMIT_RATE: { exit: EXIT.limit, summary: "a rate limit was exceeded" },
  LIMIT_SIZE: { exit: EXIT.limit, summary: "an argument, result or file is larger than allowed" },
  LIMIT_STORAGE: { exit: EXIT.limit, summary: "the workspace quota is used up" },

  // 6: integrity
  INTEGRITY: { exit: EXIT.integrity, summary: "a skill's checksum does not match its files" },
  SNAPSHOT_INVALID: {
    exit: EXIT.integrity,
    summary: "a virtual filesystem snapshot (a skill's vfs.json) is malformed or of an unknown version",
  },
  STATE_INVALID: {
    exit: EXIT.integrity,
    summary: "a sandbox session's state file is not a JSON object",
  },
  FINGERPRINT_MISMATCH: {
    exit: EXIT.integrity,
    summary: "a server's tools differ from the ones a skill was generated from",
  },

  // 130: interrupted
  CANCELLED: { exit: EXIT.interrupted, summary: "the operation was cancelled" },
  DISPOSED: { exit: EXIT.usage, summary: "a resource was used after it was disposed (a bug)" },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Structured, JSON-safe extra information about an error. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** The shape printed under `error` by `--json` and returned by the sandbox boundary. */
export interface ErrorDocument {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: ErrorDetails;
}

export interface McpCliErrorOptions<D extends ErrorDetails> {
  readonly details?: D;
  readonly cause?: unknown;
}

/**
 * The one error class of mcp-execution. Library code throws it with a code from
 * {@link ERROR_CODES}; the CLI maps `exitCode` to the process exit status.
 *
 * Messages say what is wrong, where, and what would be valid. `details` holds the same
 * facts in machine-readable form and must be JSON-serializable.
 */
export class McpCliError<D extends ErrorDetails = ErrorDetails> extends Error {
  override readonly name = "McpCliError";
  readonly code: ErrorCode;
  readonly details: D | undefined;

  constructor(code: ErrorCode, message: string, options: McpCliErrorOptions<D> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The process exit code this error maps to. */
  get exitCode(): ExitCode {
    return ERROR_CODES[this.code].exit;
  }

  /** True for errors that point at a bug rather than at the user's input or environment. */
  get isInternal(): boolean {
    return this.code === "INTERNAL" || this.code === "DISPOSED";
  }

  toJSON(): ErrorDocument {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

export function isMcpCliError(error: unknown, code?: ErrorCode): error is McpCliError {
  return error instanceof McpCliError && (code === undefined || error.code === code);
}

export function exitCodeFor(code: ErrorCode): ExitCode {
  return ERROR_CODES[code].exit;
}

/**
 * Turns anything thrown into a coded error. An {@link McpCliError} passes through; anything else
 * becomes `INTERNAL` with the original kept as `cause`, because an uncoded throw is a bug.
 */
export function toMcpCliError(error: unknown): McpCliError {
  if (error instanceof McpCliError) return error;
  if (error instanceof Error) {
    return new McpCliError("INTERNAL", error.message, { cause: error });
  }
  return new McpCliError("INTERNAL", `non-error value thrown: ${String(error)}`, { cause: error });
}

/** The JSON error document for anything thrown. */
export function toErrorDocument(error: unknown): ErrorDocument {
  return toMcpCliError(error).toJSON();
}
