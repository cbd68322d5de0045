/**
 * What a command receives: the parsed global flags, the output, the process environment as values
 * (so commands never read `process.*` behind the caller's back), a scope that owns every resource
 * the command opens, and the signal that SIGINT aborts.
 */
import type { ConfigEnvironment, ProtocolPreference } from "@mcp-execution/core";
import { ResourceScope } from "@mcp-execution/core";
import type { Output } from "./output.js";

/** The global flags of docs/conventions.md section 1. */
export interface GlobalOptions {
  readonly config?: string;
  readonly skillsDir?: string;
  readonly json: boolean;
  readonly color: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** `--protocol`: pins every server's protocol era, over its configured `protocol`. */
  readonly protocol?: ProtocolPreference;
  /** `--trust-project`: project configuration files count as approved for this run. */
  readonly trustProject?: boolean;
}

/** The process, as values. */
export interface ProcessEnvironment extends ConfigEnvironment {
  /** Reads all of standard input (for `execute -`). */
  readonly readStdin: () => Promise<string>;
  /** Reads one line of standard input (`auth login --no-browser`); absent: the first line of all of it. */
  readonly readLine?: (signal: AbortSignal) => Promise<string>;
  /** The CLI's own version, from its package.json. */
  readonly version: string;
  /**
   * Asks the user a question on the terminal and resolves with the answer line; absent when
   * standard input or standard error is not a terminal (nobody to ask).
   */
  readonly ask?: (question: string) => Promise<string | undefined>;
}

export class CommandContext {
  /** Closed by the top-level handler after the command, also on failure and on SIGINT. */
  readonly scope = new ResourceScope("command");

  constructor(
    readonly globals: GlobalOptions,
    readonly output: Output,
    readonly environment: ProcessEnvironment,
    readonly signal: AbortSignal,
    /** The words after `--`: an ad-hoc stdio server command, or undefined. */
    readonly adHoc: readonly string[] | undefined,
  ) {}

  get cwd(): string {
    return this.environment.cwd;
  }

  get env(): Readonly<Record<string, string | undefined>> {
    return this.environment.env;
  }
}
