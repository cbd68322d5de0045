/**
 * Discovery from anywhere in the project, every client's files merged by scope with shadowing
 * shown, skills found from subfolders, masking in `server list`/`server info`, usage errors that do
 * not echo flag values, ad-hoc names, and `help`. The CLI runs with HOME and XDG folders in a temp
 * dir, over files shaped as each client writes them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, parseDocument, REPO_ROOT, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
let subfolder: string;
beforeEach(() => {
  sandbox = createSandbox();
  subfolder = join(sandbox.cwd, "packages", "app", "src");
  mkdirSync(subfolder, { recursive: true });
});
afterEach(() => sandbox.remove());

interface Listed {
  name: string;
  source: string;
  kind: string;
  scope: string;
  shadows: { source: string; scope: string }[];
  [key: string]: unknown;
}
interface ListDocument {
  projectRoot: string;
  servers: Listed[];
  shadowed: (Listed & { shadowedBy: { source: string; scope: string } })[];
}

describe("found from anywhere in the project", () => {
  it("walks up from a subfolder to the folder with .git and reads its .mcp.json", async () => {
    mkdirSync(join(sandbox.cwd, ".git"));
    const file = sandbox.write(
      "work/.mcp.json",
      JSON.stringify({ mcpServers: { everything: { command: "x" } } }),
    );
    const result = await runCli(sandbox, ["server", "list", "--json"], { cwd: subfolder });
    expect(result.code, result.stderr).toBe(0);
    const document = parseDocument(result) as unknown as ListDocument;
    expect(document.projectRoot).toBe(sandbox.cwd);
    expect(document.servers.map((server) => [server.name, server.source])).toEqual([["everything", file]]);
  });

  it("a project configuration file marks the root even without .git", async () => {
    const file = sandbox.write(
      "work/.vscode/mcp.json",
      JSON.stringify({ servers: { code: { command: "x" } } }),
    );
    const result = await runCli(sandbox, ["server", "info", "code", "--json"], { cwd: subfolder });
    expect(result.code, result.stderr).toBe(0);
    expect(parseDocument(result)).toMatchObject({ server: { name: "code", source: file, scope: "project" } });
  });

  it("skills: the project's .claude/skills from a subfolder, else the user's", async () => {
    mkdirSync(join(sandbox.cwd, ".git"));
    const userSkills = join(sandbox.home, ".claude", "skills");
    mkdirSync(userSkills, { recursive: true });
    const fallback = parseDocument(await runCli(sandbox, ["skill", "list", "--json"], { cwd: subfolder }));
    expect(fallback).toMatchObject({ directory: userSkills });
    const projectSkills = join(sandbox.cwd, ".claude", "skills");
    mkdirSync(projectSkills, { recursive: true });
    const found = parseDocument(await runCli(sandbox, ["skill", "list", "--json"], { cwd: subfolder }));
    expect(found).toMatchObject({ directory: projectSkills });
    const user = parseDocument(
      await runCli(sandbox, ["skill", "list", "--json", "--scope", "user"], { cwd: subfolder }),
    );
    expect(user).toMatchObject({ directory: userSkills });
  });
});

describe("files are bounded before they are parsed", () => {
  it("a project file over 1 MiB is CONFIG_INVALID; a FIFO is refused without blocking", async () => {
    const file = sandbox.write("work/.mcp.json", `{"mcpServers":{},"pad":"${"x".repeat(1024 * 1024)}"}`);
    const big = await runCli(sandbox, ["server", "list", "--json"]);
    expect(big.code).toBe(1);
    expect(parseDocument(big)).toMatchObject({
      error: { code: "CONFIG_INVALID", details: { file, limit: 1024 * 1024 } },
    });
    rmSync(file);
    execFileSync("mkfifo", [file]);
    const fifo = await runCli(sandbox, ["server", "list", "--json"]);
    expect(fifo.code).toBe(1);
    expect(parseDocument(fifo)).toMatchObject({ error: { code: "CONFIG_INVALID", details: { file } } });
  });
});

describe("every client's files, merged the way their owners merge them", () => {
  beforeEach(() => {
    mkdirSync(join(sandbox.cwd, ".git"));
    // Claude Code: user scope, and the local scope of this project, in ~/.claude.json.
    sandbox.write(
      "home/.claude.json",
      JSON.stringify({
        numStartups: 12,
        mcpServers: {
          shared: { command: "claude-user" },
          claudeUser: { type: "http", url: "https://c.example/mcp" },
        },
        projects: {
          [sandbox.cwd]: { allowedTools: [], mcpServers: { shared: { command: "claude-local" } } },
        },
      }),
    );
    // Claude Code project scope.
    sandbox.write(
      "work/.mcp.json",
      JSON.stringify({
        mcpServers: { shared: { command: "claude-project" }, projectOnly: { command: "p" } },
      }),
    );
    // VS Code user mcp.json.
    sandbox.write(
      "home/.config/Code/User/mcp.json",
      `{
  "servers": {
    // VS Code user settings
    "vscodeUser": { "type": "stdio", "command": "node", "args": ["v.js"] },
    "projectOnly": { "type": "stdio", "command": "shadowed-by-project" },
  },
  "inputs": [],
}`,
    );
    // Codex.
    sandbox.write(
      "home/.codex/config.toml",
      `[mcp_servers.codex]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-memory"]
`,
    );
    // Windsurf.
    sandbox.write(
      "home/.codeium/windsurf/mcp_config.json",
      JSON.stringify({ mcpServers: { windsurf: { serverUrl: "https://w.example/mcp" } } }),
    );
    // Gemini CLI, user and project.
    sandbox.write(
      "home/.gemini/settings.json",
      JSON.stringify({ theme: "GitHub", mcpServers: { gemini: { httpUrl: "https://g.example/mcp" } } }),
    );
    sandbox.write(
      "work/.gemini/settings.json",
      JSON.stringify({ mcpServers: { geminiProject: { command: "python", args: ["-m", "srv"] } } }),
    );
    // OpenCode, user.
    sandbox.write(
      "home/.config/opencode/opencode.json",
      JSON.stringify({
        $schema: "https://opencode.ai/config.json",
        mcp: { opencode: { type: "local", command: ["bunx", "my-mcp"], enabled: true } },
      }),
    );
  });

  it("lists every server with where it came from and which entry shadows which", async () => {
    const result = await runCli(sandbox, ["server", "list", "--json"], { cwd: subfolder });
    expect(result.code, result.stderr).toBe(0);
    const document = parseDocument(result) as unknown as ListDocument;
    const home = sandbox.home;
    const work = sandbox.cwd;
    expect(
      document.servers.map((server) => [
        server.name,
        server.kind,
        server.scope,
        server.command ?? server.url,
      ]),
    ).toEqual([
      ["shared", "claude-code-user", "local", "claude-local"],
      ["projectOnly", "claude-code-project", "project", "p"],
      ["geminiProject", "gemini-project", "project", "python"],
      ["claudeUser", "claude-code-user", "user", "https://c.example/mcp"],
      ["vscodeUser", "vscode-user", "user", "node"],
      ["codex", "codex", "user", "npx"],
      ["windsurf", "windsurf", "user", "https://w.example/mcp"],
      ["gemini", "gemini-user", "user", "https://g.example/mcp"],
      ["opencode", "opencode-user", "user", "bunx"],
    ]);
    expect(document.servers[0]?.shadows).toEqual([
      {
        source: join(work, ".mcp.json"),
        kind: "claude-code-project",
        scope: "project",
        section: "mcpServers",
      },
      { source: join(home, ".claude.json"), kind: "claude-code-user", scope: "user", section: "mcpServers" },
    ]);
    expect(document.shadowed.map((entry) => [entry.name, entry.source, entry.shadowedBy.scope])).toEqual([
      ["shared", join(work, ".mcp.json"), "local"],
      ["shared", join(home, ".claude.json"), "local"],
      ["projectOnly", join(home, ".config", "Code", "User", "mcp.json"), "project"],
    ]);
  });

  it("the human list groups by file and says what is shadowed", async () => {
    const result = await runCli(sandbox, ["server", "list"], { cwd: subfolder });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`# ${join(sandbox.home, ".claude.json")} (local, projects[`);
    expect(result.stdout).toMatch(
      new RegExp(
        `shared\\s+stdio\\s+claude-project\\s+\\(shadowed by ${join(sandbox.home, ".claude.json").replaceAll(".", "\\.")} \\(local`,
      ),
    );
    expect(result.stdout).toContain(`# ${join(sandbox.home, ".codex", "config.toml")} (user)`);
  });

  it("a name resolves to the entry in force", async () => {
    const result = await runCli(sandbox, ["server", "info", "shared"], { cwd: subfolder });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/command:\s+claude-local/);
    expect(result.stdout).toMatch(
      /shadows:\s+.*\.mcp\.json \(project\); .*\.claude\.json \(user, mcpServers\)/,
    );
  });
});

describe("secrets in printed configuration", () => {
  beforeEach(() => {
    sandbox.write(
      "work/.mcp.json",
      JSON.stringify({
        mcpServers: {
          tokens: {
            command: "npx",
            args: [
              "-y",
              "mcp-remote",
              "https://h.example/sse?api_key=q-secret-1",
              "--header",
              "Authorization: Bearer hdr-secret-2",
              "--token",
              "flag-secret-3",
              "--api-key=eq-secret-4",
              "GITHUB_TOKEN=assign-secret-5",
            ],
            env: { API_KEY: "${API_KEY:-default-secret-6}" },
          },
          remote: {
            url: "https://h.example/mcp",
            headers: { Authorization: "${AUTH:-Bearer default-secret-7}" },
          },
        },
      }),
    );
  });

  const secrets = [
    "q-secret-1",
    "hdr-secret-2",
    "flag-secret-3",
    "eq-secret-4",
    "assign-secret-5",
    "default-secret-6",
    "default-secret-7",
  ];

  it("server list and server info mask argument tokens and defaults, in human and JSON output", async () => {
    for (const args of [
      ["server", "list"],
      ["server", "list", "--json"],
      ["server", "list", "-v"],
      ["server", "info", "tokens"],
      ["server", "info", "tokens", "--json"],
      ["server", "info", "remote"],
      ["server", "info", "remote", "--json"],
    ]) {
      const result = await runCli(sandbox, args);
      expect(result.code, result.stderr).toBe(0);
      for (const secret of secrets) {
        expect(result.stdout + result.stderr, `${args.join(" ")} printed ${secret}`).not.toContain(secret);
      }
    }
    const info = parseDocument(await runCli(sandbox, ["server", "info", "tokens", "--json"]));
    expect(info).toMatchObject({
      server: {
        args: [
          "-y",
          "mcp-remote",
          "https://h.example/sse?api_key=********",
          "--header",
          "Authorization: ********",
          "--token",
          "********",
          "--api-key=********",
          "GITHUB_TOKEN=********",
        ],
        env: { API_KEY: "${API_KEY:-********}" },
      },
    });
  });

  it("control characters and line breaks from a file reach the terminal escaped", async () => {
    sandbox.write(
      "work/.mcp.json",
      JSON.stringify({
        mcpServers: { evil: { command: "node", args: ["\u001b[2Jcleared", "fake\nline"], cwd: "\r/x" } },
      }),
    );
    for (const args of [
      ["server", "list"],
      ["server", "info", "evil"],
    ]) {
      const result = await runCli(sandbox, args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain("\u001b");
      expect(result.stdout).toContain("\\u001b[2Jcleared");
      expect(result.stdout).toContain("fake\\u000aline");
      expect(result.stdout).not.toContain("\r");
    }
  });

  it("usage errors do not echo a flag's value", async () => {
    for (const args of [
      ["execute", "-e", "return 1", "--timeout", "tok-secret-value"],
      ["introspect", "--api-key=tok-secret-value", "everything"],
      ["introspect", "--header", "Authorization Bearer tok-secret-value", "http://127.0.0.1:9/mcp"],
      ["introspect", "-e", "tok-secret-value", "--", "node", "x.js"],
      ["introspect", "everything", "--", "srv", "--api-key", "tok-secret-value"],
    ]) {
      const result = await runCli(sandbox, args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr, args.join(" ")).toMatch(/^error: /);
      expect(result.stderr + result.stdout, args.join(" ")).not.toContain("tok-secret-value");
      const json = await runCli(sandbox, [...args.slice(0, 1), "--json", ...args.slice(1)]);
      expect(json.stdout, args.join(" ")).not.toContain("tok-secret-value");
      expect((parseDocument(json) as { error: { code: string } }).error.code).toBe("USAGE");
    }
  });
});

describe("ad-hoc server names", () => {
  it("a script run by node is named after its package folder, not its arguments", async () => {
    const script = join(
      REPO_ROOT,
      "node_modules",
      "@modelcontextprotocol",
      "server-everything",
      "dist",
      "index.js",
    );
    const output = join(sandbox.root, "out");
    const result = await runCli(sandbox, ["generate", "-o", output, "--json", "--", "node", script, "stdio"]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(output, "servers"))).toEqual(["server-everything"]);
  });
});

describe("help", () => {
  it("mcp-cli help [command...] prints that command's help with its own examples", async () => {
    const top = await runCli(sandbox, ["help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("Usage: mcp-cli [options] [command]");
    const list = await runCli(sandbox, ["help", "server", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("Usage: mcp-cli server list");
    expect(list.stdout).toContain("Examples:\n  mcp-cli server list\n");
    const generate = await runCli(sandbox, ["help", "generate"]);
    expect(generate.stdout).toContain("mcp-cli generate everything");
    expect(generate.stdout).not.toContain("mcp-cli introspect everything");
    const json = parseDocument(await runCli(sandbox, ["help", "server", "trust", "--json"]));
    expect(json).toMatchObject({ ok: true, help: expect.stringContaining("mcp-cli server trust .mcp.json") });
  });

  it("every command's --help has examples", async () => {
    for (const command of [
      ["introspect"],
      ["generate"],
      ["execute"],
      ["call"],
      ["skill", "list"],
      ["skill", "info"],
      ["server", "list"],
      ["server", "info"],
      ["server", "validate"],
      ["server", "trust"],
    ]) {
      const result = await runCli(sandbox, [...command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout, command.join(" ")).toContain(`mcp-cli ${command.join(" ")}`);
      expect(result.stdout, command.join(" ")).toMatch(/Examples:|<server> is a name/);
    }
  });

  it("help for an unknown command is a usage error", async () => {
    const result = await runCli(sandbox, ["help", "nope", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ ok: false, error: { code: "USAGE" } });
  });
});
