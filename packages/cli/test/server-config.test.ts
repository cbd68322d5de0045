/**
 * `server list` and `server info` against a configuration in every supported shape and place
 * (docs/conventions.md section 2), with masking and configuration errors. Nothing here starts a server.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, parseDocument, type Sandbox } from "./helpers.js";
import { runMain } from "./in-process.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => sandbox.remove());

interface ListDocument {
  ok: true;
  config: { path: string | null; kind: string | null };
  servers: { name: string; source: string; transport: string; scope?: string; [key: string]: unknown }[];
}

async function list(args: string[] = [], env: Record<string, string> = {}): Promise<ListDocument> {
  const result = await runMain(sandbox, ["server", "list", "--json", ...args], { env });
  expect(result.code, result.stderr).toBe(0);
  return parseDocument(result) as unknown as ListDocument;
}

describe("configuration shapes", () => {
  it("Claude Code project file ./.mcp.json", async () => {
    const file = sandbox.write(
      "work/.mcp.json",
      JSON.stringify({ mcpServers: { everything: { command: "npx", args: ["-y", "server-everything"] } } }),
    );
    const document = await list();
    expect(document.config).toEqual({ path: file, kind: "claude-code-project" });
    expect(document.servers).toEqual([
      expect.objectContaining({ name: "everything", source: file, transport: "stdio", command: "npx" }),
    ]);
  });

  it('VS Code ./.vscode/mcp.json with comments, trailing commas and "servers"', async () => {
    const file = sandbox.write(
      "work/.vscode/mcp.json",
      `{
  // VS Code writes comments
  "inputs": [],
  "servers": {
    "local": { "type": "stdio", "command": "node", "args": ["server.js"], },
    "remote": { "type": "http", "url": "https://example.test/mcp", "headers": { "Authorization": "Bearer abc" } },
  },
}`,
    );
    const document = await list();
    expect(document.config.kind).toBe("vscode");
    expect(document.servers.map((server) => [server.name, server.transport, server.source])).toEqual([
      ["local", "stdio", file],
      ["remote", "streamable-http", file],
    ]);
  });

  it("Cursor ./.cursor/mcp.json and ~/.cursor/mcp.json", async () => {
    const user = sandbox.write(
      "home/.cursor/mcp.json",
      JSON.stringify({ mcpServers: { fromUser: { url: "http://127.0.0.1:1/sse", type: "sse" } } }),
    );
    expect((await list()).config).toEqual({ path: user, kind: "cursor-user" });
    const project = sandbox.write(
      "work/.cursor/mcp.json",
      JSON.stringify({ mcpServers: { fromProject: { command: "x" } } }),
    );
    const document = await list();
    expect(document.config).toEqual({ path: project, kind: "cursor-project" });
    // Cursor merges its project and global files: both servers are there, the project's first.
    expect(document.servers.map((server) => [server.name, server.scope])).toEqual([
      ["fromProject", "project"],
      ["fromUser", "user"],
    ]);
  });

  it("Claude Desktop's claude_desktop_config.json", async () => {
    const file = sandbox.write(
      "home/.config/Claude/claude_desktop_config.json",
      JSON.stringify({ mcpServers: { desktop: { command: "uvx", args: ["mcp-server-time"] } } }),
    );
    const document = await list();
    expect(document.config).toEqual({ path: file, kind: "claude-desktop" });
  });

  it("~/.claude.json, with the project's own servers, contributes nothing when it declares none", async () => {
    const desktop = sandbox.write(
      "home/.config/Claude/claude_desktop_config.json",
      JSON.stringify({ mcpServers: { desktop: { command: "x" } } }),
    );
    const claude = sandbox.write("home/.claude.json", JSON.stringify({ numStartups: 3, projects: {} }));
    const skipped = await runMain(sandbox, ["server", "list", "--json"]);
    expect(parseDocument(skipped)).toMatchObject({ config: { path: desktop } });
    expect(skipped.stderr).toBe("");

    sandbox.write(
      "home/.claude.json",
      JSON.stringify({
        mcpServers: { shared: { command: "a" } },
        projects: { [sandbox.cwd]: { mcpServers: { local: { command: "b" } } } },
      }),
    );
    const document = await list();
    expect(document.config).toEqual({ path: claude, kind: "claude-code-user" });
    expect(document.servers.map((server) => [server.name, server.scope])).toEqual([
      ["local", "local"],
      ["shared", "user"],
      ["desktop", "user"],
    ]);
  });

  it("$XDG_CONFIG_HOME/mcp-cli/config.json", async () => {
    const file = sandbox.write(
      "home/.config/mcp-cli/config.json",
      JSON.stringify({ mcpServers: { mine: { command: "x" } } }),
    );
    expect((await list()).config).toEqual({ path: file, kind: "mcp-cli" });
  });

  it("$MCP_CLI_CONFIG and --config win over discovery", async () => {
    sandbox.write("work/.mcp.json", JSON.stringify({ mcpServers: { discovered: { command: "x" } } }));
    const fromEnv = sandbox.write("env.json", JSON.stringify({ mcpServers: { fromEnv: { command: "x" } } }));
    const explicit = sandbox.write(
      "explicit.json",
      JSON.stringify({ servers: { explicit: { command: "x" } } }),
    );
    expect((await list([], { MCP_CLI_CONFIG: fromEnv })).servers.map((s) => s.name)).toEqual(["fromEnv"]);
    expect(
      (await list(["--config", explicit], { MCP_CLI_CONFIG: fromEnv })).servers.map((s) => s.name),
    ).toEqual(["explicit"]);
  });

  it("human list shows each server with its source file", async () => {
    const file = sandbox.write(
      "work/.mcp.json",
      JSON.stringify({
        mcpServers: {
          everything: { command: "npx", args: ["-y", "s"] },
          off: { command: "x", disabled: true },
        },
      }),
    );
    const result = await runMain(sandbox, ["server", "list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`# ${file}`);
    expect(result.stdout).toMatch(/everything\s+stdio\s+npx -y s/);
    expect(result.stdout).toMatch(/off\s+stdio\s+x\s+\(disabled\)/);
  });

  it("no configuration at all: an empty list and where it looked", async () => {
    const result = await runMain(sandbox, ["server", "list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(join(sandbox.cwd, ".mcp.json"));
  });
});

describe("server info", () => {
  beforeEach(() => {
    sandbox.write(
      "work/.mcp.json",
      JSON.stringify({
        mcpServers: {
          local: {
            command: "node",
            args: ["s.js"],
            env: { API_KEY: "sk-live-secret", TOKEN: "${MY_TOKEN}" },
          },
          remote: {
            url: "https://user:pw@example.test/mcp?key=secret-query",
            headers: { Authorization: "Bearer secret-header" },
            timeout: 5000,
          },
        },
      }),
    );
  });

  it("masks env values, header values and URL credentials", async () => {
    for (const args of [
      ["server", "info", "local"],
      ["server", "info", "remote"],
      ["server", "info", "remote", "--json"],
    ]) {
      const result = await runMain(sandbox, args, { env: { MY_TOKEN: "expanded-token-value" } });
      expect(result.code).toBe(0);
      for (const secret of [
        "sk-live-secret",
        "secret-header",
        "secret-query",
        "pw@",
        "expanded-token-value",
      ]) {
        expect(result.stdout).not.toContain(secret);
      }
    }
    const local = await runMain(sandbox, ["server", "info", "local", "--json"], { env: { MY_TOKEN: "x" } });
    expect(parseDocument(local)).toMatchObject({
      ok: true,
      server: { name: "local", env: { API_KEY: "********", TOKEN: "${MY_TOKEN}" } },
      problems: [],
    });
  });

  it("reports a missing ${VAR} as a problem without failing", async () => {
    const result = await runMain(sandbox, ["server", "info", "local", "--json"]);
    expect(result.code).toBe(0);
    const document = parseDocument(result) as { problems: string[] };
    expect(document.problems[0]).toMatch(/MY_TOKEN is not set/);
  });

  it("an unknown name is SERVER_UNKNOWN (exit 1) listing the valid ones", async () => {
    const result = await runMain(sandbox, ["server", "info", "nope", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({
      ok: false,
      error: { code: "SERVER_UNKNOWN", details: { valid: ["local", "remote"] } },
    });
  });
});

describe("configuration errors exit 1", () => {
  it("malformed JSON names the file, line and column", async () => {
    const file = sandbox.write("work/.mcp.json", '{\n  "mcpServers": {\n    "a": { "command": "x" ]\n}');
    const result = await runMain(sandbox, ["server", "list", "--json"]);
    expect(result.code).toBe(1);
    const document = parseDocument(result) as {
      error: { code: string; message: string; details: { line: number } };
    };
    expect(document.error.code).toBe("CONFIG_INVALID");
    expect(document.error.message).toContain(`${file}:3:`);
    const human = await runMain(sandbox, ["server", "list"]);
    expect(human.stderr).toContain(`error: ${file}:3:`);
    expect(human.stderr).not.toMatch(/\n\s+at /);
  });

  it("a structurally invalid entry names the server and key", async () => {
    sandbox.write("work/.mcp.json", JSON.stringify({ mcpServers: { bad: { command: "x", timeout: -1 } } }));
    const result = await runMain(sandbox, ["server", "list", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({
      error: { code: "CONFIG_INVALID", details: { server: "bad", key: "timeout" } },
    });
  });

  it("a --config file that does not exist is CONFIG_NOT_FOUND", async () => {
    const result = await runMain(sandbox, ["server", "list", "--config", "missing.json", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({ error: { code: "CONFIG_NOT_FOUND" } });
  });
});
