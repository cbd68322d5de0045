/**
 * Completion scripts: syntax-checked with each shell when it is installed, and exercised: bash and
 * fish complete for real; zsh runs the script's function with the completion builtins replaced by
 * printers (zsh's completion system needs a terminal). Server and skill names come from the
 * configuration and the skills directory through `mcp-cli __complete`, without starting a server.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, installCliWrapper, parseDocument, runCli, type Sandbox } from "./helpers.js";

function installed(shell: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;
}

let sandbox: Sandbox;
let scripts: Record<string, string>;
let pathWithCli: string;

beforeAll(async () => {
  sandbox = createSandbox();
  // A server that would fail loudly if anything tried to start it.
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        alpha: { command: "/nonexistent/alpha-server" },
        beta: { url: "http://127.0.0.1:9/mcp" },
        gamma: { command: "/nonexistent/gamma", disabled: true },
      },
    }),
  );
  sandbox.write("work/.claude/skills/weather-tools/SKILL.md", "---\nname: weather-tools\n---\n");
  sandbox.write("work/.claude/skills/not-a-skill/README.md", "no SKILL.md here\n");
  sandbox.write("home/.claude/skills/user-skill/SKILL.md", "---\nname: user-skill\n---\n");
  pathWithCli = `${installCliWrapper(sandbox)}:${process.env.PATH ?? ""}`;
  scripts = {};
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await runCli(sandbox, ["completions", shell]);
    expect(result.code, result.stderr).toBe(0);
    scripts[shell] = sandbox.write(`completion.${shell}`, result.stdout);
  }
});
afterAll(() => sandbox.remove());

describe("__complete", () => {
  it("lists enabled configured servers without starting them", async () => {
    const result = await runCli(sandbox, ["__complete", "servers"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean)).toEqual(["alpha", "beta"]);
  });

  it("lists saved skills of the project or user scope", async () => {
    const project = await runCli(sandbox, ["__complete", "skills"]);
    expect(project.stdout.trim()).toBe("weather-tools");
    const user = await runCli(sandbox, ["__complete", "skills", "--scope", "user"]);
    expect(user.stdout.trim()).toBe("user-skill");
  });

  it("rejects an unknown kind as a usage error", async () => {
    const result = await runCli(sandbox, ["__complete", "tools", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "USAGE" } });
  });

  it("is not offered by the scripts or the help", async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const script = execFileSync("cat", [scripts[shell] as string], { encoding: "utf8" });
      expect(script).not.toMatch(/(^|[ '])__complete:/m);
    }
  });
});

describe("completions --json", () => {
  it("wraps the script in one document", async () => {
    const result = await runCli(sandbox, ["completions", "bash", "--json"]);
    const document = parseDocument(result);
    expect(document).toMatchObject({ ok: true, shell: "bash" });
    expect(String(document.script)).toContain("complete -F _mcp_cli mcp-cli");
  });
});

describe.each(["bash", "zsh", "fish"])("%s script syntax", (shell) => {
  it.skipIf(!installed(shell))(`passes ${shell} -n`, () => {
    const result = spawnSync(shell, ["-n", scripts[shell] as string], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});

function bashComplete(words: string[]): string[] {
  const script = `
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_mcp_cli
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const output = execFileSync("bash", ["-c", script, "bash", scripts.bash as string, ...words], {
    cwd: sandbox.cwd,
    env: { ...sandbox.env(), PATH: pathWithCli },
    encoding: "utf8",
  });
  return output.split("\n").filter(Boolean);
}

describe.skipIf(!installed("bash"))("bash completes", () => {
  it("top-level commands", () => {
    expect(bashComplete(["mcp-cli", ""])).toEqual([
      "introspect",
      "generate",
      "execute",
      "call",
      "resource",
      "prompt",
      "serve",
      "daemon",
      "skill",
      "server",
      "auth",
      "completions",
      "help",
    ]);
  });
  it("subcommands and their prefixes", () => {
    expect(bashComplete(["mcp-cli", "server", ""])).toEqual(["list", "info", "validate", "trust"]);
    expect(bashComplete(["mcp-cli", "skill", "re"])).toEqual(["remove"]);
  });
  it("flags of a command, global ones included", () => {
    const flags = bashComplete(["mcp-cli", "execute", "--"]);
    expect(flags).toEqual(
      expect.arrayContaining(["--eval", "--server", "--skill", "--profile", "--json", "--config"]),
    );
  });
  it("server names from the configuration", () => {
    expect(bashComplete(["mcp-cli", "introspect", ""])).toEqual(["alpha", "beta"]);
    expect(bashComplete(["mcp-cli", "execute", "--server", "a"])).toEqual(["alpha"]);
    expect(bashComplete(["mcp-cli", "--json", "server", "info", ""])).toEqual(["alpha", "beta"]);
  });
  it("server names from the file named by --config on the line", () => {
    sandbox.write("other.json", JSON.stringify({ servers: { delta: { command: "x" } } }));
    expect(bashComplete(["mcp-cli", "--config", join(sandbox.root, "other.json"), "introspect", ""])).toEqual(
      ["delta"],
    );
  });
  it("skill names from the skills directory", () => {
    expect(bashComplete(["mcp-cli", "skill", "info", ""])).toEqual(["weather-tools"]);
    expect(bashComplete(["mcp-cli", "skill", "verify", "--scope", "user", ""])).toEqual(["user-skill"]);
    expect(bashComplete(["mcp-cli", "execute", "--skill", ""])).toEqual(["weather-tools"]);
  });
  it("fixed choices", () => {
    expect(bashComplete(["mcp-cli", "completions", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(bashComplete(["mcp-cli", "execute", "--profile", ""])).toEqual([
      "strict",
      "moderate",
      "permissive",
    ]);
  });
  it("only the first operand", () => {
    expect(bashComplete(["mcp-cli", "call", "alpha", ""])).toEqual([]);
  });
});

function fishComplete(line: string): string[] {
  const output = execFileSync(
    "fish",
    ["--no-config", "-c", `source ${scripts.fish}; complete -C '${line}'`],
    {
      cwd: sandbox.cwd,
      env: { ...sandbox.env(), PATH: pathWithCli },
      encoding: "utf8",
    },
  );
  return output
    .split("\n")
    .filter(Boolean)
    .map((entry) => entry.split("\t")[0] as string);
}

describe.skipIf(!installed("fish"))("fish completes", () => {
  it("top-level commands and subcommands", () => {
    expect(fishComplete("mcp-cli ").sort()).toEqual(
      [
        "auth",
        "call",
        "completions",
        "daemon",
        "execute",
        "generate",
        "help",
        "introspect",
        "prompt",
        "resource",
        "serve",
        "server",
        "skill",
      ].sort(),
    );
    expect(fishComplete("mcp-cli server ").sort()).toEqual(["info", "list", "trust", "validate"]);
  });
  it("server and skill names", () => {
    expect(fishComplete("mcp-cli introspect ").sort()).toEqual(["alpha", "beta"]);
    expect(fishComplete("mcp-cli execute --server ").sort()).toEqual(["alpha", "beta"]);
    expect(fishComplete("mcp-cli skill load ")).toEqual(["weather-tools"]);
  });
  it("flags, with --version only at the top level", () => {
    const flags = fishComplete("mcp-cli server list --");
    expect(flags).toEqual(expect.arrayContaining(["--json", "--config", "--quiet"]));
    expect(flags).not.toContain("--version");
    expect(fishComplete("mcp-cli --ver")).toEqual(["--verbose", "--version"]);
  });
});

function zshComplete(words: string[]): string[] {
  const harness = `
compadd() { if [[ $1 == -a ]]; then print -rl -- "\${(@P)2}"; else print -rl -- "$@"; fi }
_describe() { local entry; for entry in "\${(@P)4}"; do print -r -- "\${entry%%:*}"; done }
_files() { print -r -- "<files $*>"; }
_normal() { print -r -- "<normal>"; }
compdef() { :; }
source "$1"; shift
words=("$@"); CURRENT=$#words
_mcp-cli`;
  const output = execFileSync("zsh", ["-f", "-c", harness, "zsh", scripts.zsh as string, ...words], {
    cwd: sandbox.cwd,
    env: { ...sandbox.env(), PATH: pathWithCli },
    encoding: "utf8",
  });
  return output.split("\n").filter(Boolean);
}

describe.skipIf(!installed("zsh"))("zsh script logic", () => {
  it("offers commands, subcommands, names, choices and files", () => {
    expect(zshComplete(["mcp-cli", ""])).toContain("introspect");
    expect(zshComplete(["mcp-cli", "skill", ""])).toEqual(["list", "info", "load", "remove", "verify"]);
    expect(zshComplete(["mcp-cli", "call", ""])).toEqual(["alpha", "beta"]);
    expect(zshComplete(["mcp-cli", "skill", "remove", ""])).toEqual(["weather-tools"]);
    expect(zshComplete(["mcp-cli", "generate", "alpha", "--scope", ""])).toEqual(["project", "user"]);
    expect(zshComplete(["mcp-cli", "--config", ""])).toEqual(["<files >"]);
    expect(zshComplete(["mcp-cli", "introspect", "--", "np"])).toEqual(["<normal>"]);
  });
});
