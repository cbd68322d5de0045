/**
 * The skills directory as every part of the store sees it: its path, the lock settings, the
 * clock, the diagnostics listener, and the checks that keep every operation inside it.
 */
import { type DiagnosticListener, McpCliError, type SkillId } from "@mcp-execution/core";
import { lstatOrUndefinedSync } from "./contained-path.js";
import type { LockOptions } from "./lock.js";

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function notFound(name: SkillId, root: string, why = "is saved"): McpCliError {
  return new McpCliError("SKILL_NOT_FOUND", `no skill named ${name} ${why} in ${root}`, {
    details: { name, directory: root },
  });
}

/** One skills directory with the settings its store was made with. */
export class SkillsDirectory {
  readonly root: string;
  readonly lockOptions: LockOptions;
  readonly now: () => Date;
  readonly #diagnostic: DiagnosticListener | undefined;

  constructor(
    root: string,
    lockOptions: LockOptions,
    now: () => Date,
    diagnostic: DiagnosticListener | undefined,
  ) {
    this.root = root;
    this.lockOptions = lockOptions;
    this.now = now;
    this.#diagnostic = diagnostic;
  }

  debug(message: string): void {
    this.#diagnostic?.({ level: "debug", message, source: "skill-store" });
  }

  warn(message: string): void {
    this.#diagnostic?.({ level: "warn", message, source: "skill-store" });
  }

  /**
   * Whether the skills directory exists; `PATH_INVALID` when it is a link or a file. Every save,
   * removal and repair happens inside it, so a link here (a cloned repository can ship
   * `.claude/skills -> ~/`) would let them reach anywhere.
   */
  async check(): Promise<boolean> {
    const info = lstatOrUndefinedSync(this.root);
    if (info === undefined) return false;
    if (!info.isDirectory()) {
      throw new McpCliError(
        "PATH_INVALID",
        `the skills directory ${this.root} is ${info.isSymbolicLink() ? "a symbolic link" : "not a directory"}; mcp-cli never writes through links (give the real folder with --skills-dir)`,
        { details: { path: this.root, rule: "root-not-directory" } },
      );
    }
    return true;
  }

  // Synchronous: one lstat costs less than a round trip through the thread pool.
  async kind(path: string): Promise<"directory" | "other" | undefined> {
    const info = lstatOrUndefinedSync(path);
    return info === undefined ? undefined : info.isDirectory() ? "directory" : "other";
  }

  /** `SKILL_NOT_FOUND` for `name` in this directory. */
  notFound(name: SkillId, why?: string): McpCliError {
    return notFound(name, this.root, why);
  }
}
