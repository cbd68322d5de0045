/**
 * The skills directory as every part of the store sees it: its path, the lock settings, the
 * clock, the diagnostics listener, and the checks that keep every operation inside it.
 */

import { isAbsolute, join, relative, sep } from "node:path";
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

  /** The folder the skills directory was resolved from; see FileSkillStoreOptions.base. */
  readonly base: string | undefined;

  constructor(
    root: string,
    lockOptions: LockOptions,
    now: () => Date,
    diagnostic: DiagnosticListener | undefined,
    base?: string,
  ) {
    this.root = root;
    this.base = base;
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
    this.#checkBetweenBaseAndRoot();
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

  /**
   * The folders between `base` (the folder the skills directory was resolved from, such as the
   * project folder for `./.claude/skills`) and the skills directory must be real folders too: a
   * repository can ship `.claude -> ~/elsewhere`. Missing ones are fine (they are created as
   * real folders); folders above `base` are the caller's choice.
   */
  #checkBetweenBaseAndRoot(): void {
    if (this.base === undefined) return;
    const rel = relative(this.base, this.root);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return;
    let current = this.base;
    for (const segment of rel.split(sep).slice(0, -1)) {
      current = join(current, segment);
      const info = lstatOrUndefinedSync(current);
      if (info === undefined) return;
      if (!info.isDirectory()) {
        throw new McpCliError(
          "PATH_INVALID",
          `${current}, on the way to the skills directory ${this.root}, is ${info.isSymbolicLink() ? "a symbolic link" : "not a directory"}; mcp-cli never writes through links (give the real folder with --skills-dir)`,
          { details: { path: current, rule: "component-not-directory" } },
        );
      }
    }
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
