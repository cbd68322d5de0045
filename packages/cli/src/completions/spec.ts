/**
 * What the completion scripts know, read from the commander program itself so the scripts can
 * never drift from the real flags. Names that change (servers, skills) are not embedded: the
 * scripts ask `mcp-cli __complete servers|skills`, which reads the configuration and the skills
 * directory and never starts a server.
 */
import type { Command, Option } from "commander";

export type ValueKind =
  | { readonly kind: "servers" }
  | { readonly kind: "skills" }
  | { readonly kind: "files" }
  | { readonly kind: "directories" }
  | { readonly kind: "choices"; readonly values: readonly string[] }
  | { readonly kind: "free" };

export interface FlagSpec {
  /** `--config`, `-o`: every spelling. */
  readonly names: readonly string[];
  readonly description: string;
  /** What follows the flag, or undefined for a switch (optional values count as switches). */
  readonly value: ValueKind | undefined;
}

export interface CommandSpec {
  /** Words from the root, e.g. `["server", "list"]`; empty for the root. */
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  /** This command's flags plus the global ones. */
  readonly flags: readonly FlagSpec[];
  /** What the first operand is, when it can be completed. */
  readonly operand: ValueKind | undefined;
}

const SERVERS: ValueKind = { kind: "servers" };
const SKILLS: ValueKind = { kind: "skills" };
const FILES: ValueKind = { kind: "files" };
const DIRECTORIES: ValueKind = { kind: "directories" };
const FREE: ValueKind = { kind: "free" };

/** Flags whose values can be completed, by long name. */
const FLAG_VALUES: Readonly<Record<string, ValueKind>> = {
  "--config": FILES,
  "--skills-dir": DIRECTORIES,
  "--output": DIRECTORIES,
  "--cwd": DIRECTORIES,
  "--server": SERVERS,
  "--skill": SKILLS,
  "--token-file": FILES,
  "--audit-log": FILES,
};

/** The first operand of each command, by path. */
const OPERANDS: Readonly<Record<string, ValueKind>> = {
  introspect: SERVERS,
  generate: SERVERS,
  call: SERVERS,
  "resource read": SERVERS,
  "prompt get": SERVERS,
  execute: FILES,
  "server info": SERVERS,
  "server validate": SERVERS,
  "auth login": SERVERS,
  "auth status": SERVERS,
  "auth logout": SERVERS,
  "skill info": SKILLS,
  "skill load": SKILLS,
  "skill remove": SKILLS,
  "skill verify": SKILLS,
};

function flagSpec(option: Option): FlagSpec {
  const names = [option.short, option.long].filter((name): name is string => name !== undefined);
  let value: ValueKind | undefined;
  if (option.required) {
    value =
      option.argChoices !== undefined
        ? { kind: "choices", values: option.argChoices }
        : (FLAG_VALUES[option.long ?? ""] ?? FREE);
  }
  return { names, description: option.description, value };
}

const HELP_FLAG: FlagSpec = { names: ["-h", "--help"], description: "show help", value: undefined };

/** Every visible command of `program`, root first, depth first. */
export function completionSpecs(program: Command): CommandSpec[] {
  // Global flags apply to every command; --version only to the top level.
  const globals = program.options
    .filter((option) => !option.hidden && option.long !== "--version")
    .map(flagSpec);
  const specs: CommandSpec[] = [];
  const visit = (command: Command, path: string[]): void => {
    const visible = command.commands.filter((child) => !(child as unknown as { _hidden: boolean })._hidden);
    const own =
      path.length === 0
        ? command.options.filter((option) => option.long === "--version").map(flagSpec)
        : command.options.filter((option) => !option.hidden).map(flagSpec);
    const firstArgument = command.registeredArguments[0];
    const operand =
      firstArgument?.argChoices !== undefined
        ? ({ kind: "choices", values: firstArgument.argChoices } as const)
        : OPERANDS[path.join(" ")];
    specs.push({
      path,
      description: command.description(),
      subcommands: visible.map((child) => ({ name: child.name(), description: child.description() })),
      flags: [...own, ...globals, HELP_FLAG],
      operand,
    });
    for (const child of visible) visit(child, [...path, child.name()]);
  };
  visit(program, []);
  return specs;
}
