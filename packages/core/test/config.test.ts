import { describe, expect, it } from "vitest";
import {
  adHocServerConfig,
  type ConfigEnvironment,
  configCandidates,
  deriveServerName,
  expandServerConfig,
  findServer,
  type LoadedConfig,
  loadConfig,
  MASK,
  maskServerConfig,
  maskUrl,
  parseConfigFile,
  type ServerConfig,
} from "../src/index.js";
import { caught, caughtAsync } from "./caught.js";

// Real-shaped files, as each client writes them.
const CLAUDE_CODE_PROJECT = `{
  "mcpServers": {
    "everything": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-everything"],
      "env": {}
    },
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "Bearer \${GITHUB_TOKEN}" }
    },
    "legacy": { "type": "sse", "url": "https://mcp.example.com/sse" }
  }
}`;

const CLAUDE_DESKTOP = `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
    },
    "brave-search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": { "BRAVE_API_KEY": "BSA-literal-secret" }
    }
  },
  "globalShortcut": "Ctrl+Space"
}`;

const VSCODE = `// VS Code allows comments and trailing commas in mcp.json
{
  "inputs": [{ "type": "promptString", "id": "token", "password": true }],
  "servers": {
    "memory": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-memory"],
      "env": { "MEMORY_FILE_PATH": "\${workspaceFolder}/memory.json" }, // trailing comma next
    },
    "remote": { "type": "http", "url": "https://mcp.example.com/mcp", },
  },
}`;

const CURSOR = `{
  "mcpServers": {
    "context7": { "url": "https://mcp.context7.com/mcp", "headers": { "CONTEXT7_API_KEY": "\${env:CONTEXT7_KEY}" } },
    "windsurf-style": { "serverUrl": "https://mcp.example.com/sse" },
    "local": { "command": "node", "args": ["server.js"], "cwd": "/opt/srv", "timeout": 5000, "startupTimeout": 20000,
               "rateLimit": 5, "cache": ["search"], "disabled": true, "autoApprove": ["x"] }
  }
}`;

const CLAUDE_USER = `{
  "numStartups": 12,
  "mcpServers": { "global": { "command": "global-server" }, "shared": { "command": "from-top" } },
  "projects": {
    "/work/repo": { "mcpServers": { "shared": { "command": "from-project" } } },
    "/elsewhere": { "mcpServers": { "other": { "command": "other" } } }
  }
}`;

function byName(servers: readonly ServerConfig[], name: string): ServerConfig {
  const server = servers.find((entry) => entry.name === name);
  if (server === undefined) throw new Error(`no server ${name}`);
  return server;
}

describe("parseConfigFile: accepted shapes", () => {
  it("reads a Claude Code .mcp.json with stdio, http and sse entries", () => {
    const parsed = parseConfigFile(CLAUDE_CODE_PROJECT, "/repo/.mcp.json");
    expect(parsed.section).toBe("mcpServers");
    expect(parsed.warnings).toEqual([]);
    expect(byName(parsed.servers, "everything")).toEqual({
      name: "everything",
      source: "/repo/.mcp.json",
      transport: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-everything"],
      env: {},
      disabled: false,
      cache: [],
    });
    expect(byName(parsed.servers, "github")).toMatchObject({
      transport: "streamable-http",
      url: "https://api.githubcopilot.com/mcp/",
      headers: { Authorization: "Bearer ${GITHUB_TOKEN}" },
    });
    expect(byName(parsed.servers, "legacy")).toMatchObject({ transport: "sse" });
  });

  it("reads Claude Desktop's file and ignores its other settings", () => {
    const parsed = parseConfigFile(CLAUDE_DESKTOP, "/home/me/.config/Claude/claude_desktop_config.json");
    expect(parsed.servers.map((server) => server.name)).toEqual(["filesystem", "brave-search"]);
    expect(byName(parsed.servers, "brave-search")).toMatchObject({
      env: { BRAVE_API_KEY: "BSA-literal-secret" },
    });
  });

  it("reads VS Code's servers shape with comments and trailing commas", () => {
    const parsed = parseConfigFile(VSCODE, "/repo/.vscode/mcp.json");
    expect(parsed.section).toBe("servers");
    expect(parsed.servers.map((server) => server.name)).toEqual(["memory", "remote"]);
    expect(byName(parsed.servers, "remote")).toMatchObject({ transport: "streamable-http" });
  });

  it("reads Cursor's file: url without type is auto, serverUrl, per-server options; warns on unknown keys", () => {
    const parsed = parseConfigFile(CURSOR, "/home/me/.cursor/mcp.json");
    expect(byName(parsed.servers, "context7")).toMatchObject({ transport: "auto" });
    expect(byName(parsed.servers, "windsurf-style")).toMatchObject({
      transport: "auto",
      url: "https://mcp.example.com/sse",
    });
    expect(byName(parsed.servers, "local")).toEqual({
      name: "local",
      source: "/home/me/.cursor/mcp.json",
      transport: "stdio",
      command: "node",
      args: ["server.js"],
      env: {},
      cwd: "/opt/srv",
      timeoutMs: 5000,
      startupTimeoutMs: 20000,
      rateLimit: 5,
      cache: ["search"],
      disabled: true,
    });
    expect(parsed.warnings).toEqual([
      '/home/me/.cursor/mcp.json: server "local": ignoring unknown keys "autoApprove"',
    ]);
  });

  it("merges ~/.claude.json top-level servers with the current project's, the project winning", () => {
    const parsed = parseConfigFile(CLAUDE_USER, "/home/me/.claude.json", { cwd: "/work/repo" });
    expect(
      parsed.servers.map((server) => [server.name, server.transport === "stdio" ? server.command : ""]),
    ).toEqual([
      ["global", "global-server"],
      ["shared", "from-project"],
    ]);
    expect(parseConfigFile(CLAUDE_USER, "/home/me/.claude.json").servers).toHaveLength(2);
  });

  it("reports a file without any server section as such", () => {
    const parsed = parseConfigFile('{"numStartups": 3}', "/home/me/.claude.json");
    expect(parsed.section).toBeUndefined();
    expect(parsed.servers).toEqual([]);
  });
});

describe("parseConfigFile: invalid files name the file, the server, the key and the position", () => {
  it("malformed JSON gives line and column", () => {
    const error = caught(() =>
      parseConfigFile('{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}', "/c.json"),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toBe("/c.json:4:5: malformed JSON: expected ','");
    expect(error.details).toMatchObject({ file: "/c.json", line: 4, column: 5 });
  });

  it("an empty file is malformed", () => {
    expect(caught(() => parseConfigFile("", "/c.json")).code).toBe("CONFIG_INVALID");
  });

  it.each([
    ['{"mcpServers": []}', /"mcpServers" must be an object of servers/],
    ["[1]", /the top level must be a JSON object/],
    ['{"mcpServers": {"s": "npx"}}', /server "s": the entry must be an object/],
    ['{"mcpServers": {"s": {}}}', /server "s": needs "command" \(a stdio server\) or "url"/],
    [
      '{"mcpServers": {"s": {"command": "x", "url": "http://h"}}}',
      /server "s", key "url": give either "command" \(a stdio server\) or "url"/,
    ],
    [
      '{"mcpServers": {"s": {"type": "websocket", "url": "ws://h"}}}',
      /key "type": unknown type "websocket"; valid types: stdio, http/,
    ],
    ['{"mcpServers": {"s": {"type": "sse", "command": "x"}}}', /key "type": type "sse" needs "url"/],
    [
      '{"mcpServers": {"s": {"type": "stdio", "url": "http://h"}}}',
      /key "type": type "stdio" needs "command"/,
    ],
    ['{"mcpServers": {"s": {"command": "x", "args": ["a", 3]}}}', /key "args\[1\]": must be a string, got 3/],
    ['{"mcpServers": {"s": {"command": "x", "args": "a b"}}}', /key "args": must be an array of strings/],
    [
      '{"mcpServers": {"s": {"command": "x", "env": {"PORT": 80}}}}',
      /key "env.PORT": must be a string, got 80/,
    ],
    ['{"mcpServers": {"s": {"command": "x", "timeout": -1}}}', /key "timeout": must be a positive number/],
    ['{"mcpServers": {"s": {"command": "x", "disabled": "yes"}}}', /key "disabled": must be true or false/],
    ['{"mcpServers": {"s": {"command": ""}}}', /key "command": must be a non-empty string/],
    ['{"mcpServers": {"../x": {"command": "x"}}}', /server "\.\.\/x": invalid server name/],
  ])("%s", (text, message) => {
    const error = caught(() => parseConfigFile(text, "/conf.json"));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("/conf.json")).toBe(true);
    expect(error.details?.file).toBe("/conf.json");
  });

  it("points at the offending value's line", () => {
    const text =
      '{\n  "mcpServers": {\n    "s": {\n      "command": "x",\n      "args": ["ok", 7]\n    }\n  }\n}';
    const error = caught(() => parseConfigFile(text, "/c.json"));
    expect(error.message).toBe('/c.json:5:22: server "s", key "args[1]": must be a string, got 7');
    expect(error.details).toMatchObject({ server: "s", key: "args[1]", line: 5, column: 22 });
  });
});

describe("parseConfigFile: sandbox settings", () => {
  it("reads a profile and limit overrides in the units of the execute flags", () => {
    const parsed = parseConfigFile(
      '{"mcpServers": {}, "sandbox": {"profile": "strict", "timeout": 2000, "memory": 32, "maxOutput": 64, "maxCalls": 7}}',
      "/c.json",
    );
    expect(parsed.sandbox).toEqual({
      profile: "strict",
      overrides: {
        timeoutMs: 2000,
        memoryBytes: 32 * 1024 * 1024,
        maxOutputBytes: 64 * 1024,
        maxToolCalls: 7,
      },
    });
    expect(parseConfigFile('{"mcpServers": {}}', "/c.json").sandbox).toBeUndefined();
  });

  it.each([
    ['{"sandbox": []}', /"sandbox" must be an object/],
    [
      '{"sandbox": {"profile": "lax"}}',
      /"sandbox.profile" must be one of strict, moderate, permissive, got "lax"/,
    ],
    ['{"sandbox": {"timeout": 0}}', /"sandbox.timeout" must be a positive integer, got 0/],
    ['{"sandbox": {"memory": "64"}}', /"sandbox.memory" must be a positive integer/],
    ['{"sandbox": {"memoryMb": 64}}', /unknown key "sandbox.memoryMb"; valid keys: profile, timeout, memory/],
  ])("rejects %s", (text, message) => {
    const error = caught(() => parseConfigFile(text, "/c.json"));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^\/c\.json:1:\d+: /);
  });
});

describe("expandServerConfig", () => {
  const parsed = parseConfigFile(
    `{"mcpServers": {
      "s": { "command": "\${BIN_DIR:-/usr/bin}/srv", "args": ["--token", "\${env:TOKEN}", "$HOME", "\${workspaceFolder}/x"],
             "env": { "A": "\${A}", "B": "pre-\${EMPTY:-dflt}-post" }, "cwd": "\${HOME}/w" },
      "r": { "url": "https://\${HOST}/mcp", "headers": { "Authorization": "Bearer \${TOKEN}" } },
      "missing": { "command": "x", "env": { "K": "\${NOT_SET}" } },
      "input": { "command": "x", "args": ["\${input:token}"] },
      "broken": { "command": "x", "args": ["\${UNCLOSED"] }
    }}`,
    "/p/.mcp.json",
  );
  const env = { TOKEN: "t0k", A: "", EMPTY: "", HOME: "/home/me", HOST: "mcp.example.com" };

  it("expands ${VAR}, ${VAR:-default} (unset or empty) and ${env:VAR}; leaves $VAR alone", () => {
    const resolved = expandServerConfig(byName(parsed.servers, "s"), { env, cwd: "/p" });
    expect(resolved).toMatchObject({
      command: "/usr/bin/srv",
      args: ["--token", "t0k", "$HOME", "/p/x"],
      env: { A: "", B: "pre-dflt-post" },
      cwd: "/home/me/w",
    });
    expect(expandServerConfig(byName(parsed.servers, "r"), { env })).toMatchObject({
      url: "https://mcp.example.com/mcp",
      headers: { Authorization: "Bearer t0k" },
    });
  });

  it("a missing variable names the variable, the server, the key and the file", () => {
    const error = caught(() => expandServerConfig(byName(parsed.servers, "missing"), { env }));
    expect(error.code).toBe("CONFIG_VARIABLE_MISSING");
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      '/p/.mcp.json: server "missing", key "env.K": environment variable NOT_SET is not set (set it, or write ${NOT_SET:-default})',
    );
    expect(error.details).toEqual({
      variable: "NOT_SET",
      server: "missing",
      key: "env.K",
      file: "/p/.mcp.json",
    });
  });

  it("rejects VS Code input variables and unterminated references", () => {
    expect(caught(() => expandServerConfig(byName(parsed.servers, "input"), { env })).message).toMatch(
      /unsupported reference "\$\{input:token\}".*input variables are not supported/,
    );
    expect(caught(() => expandServerConfig(byName(parsed.servers, "broken"), { env })).message).toMatch(
      /unterminated/,
    );
  });

  it("does not touch the parsed entry", () => {
    expandServerConfig(byName(parsed.servers, "s"), { env, cwd: "/p" });
    expect(byName(parsed.servers, "s")).toMatchObject({ command: "${BIN_DIR:-/usr/bin}/srv" });
  });
});

describe("masking", () => {
  it("masks literal env and header values but shows variable references", () => {
    const desktop = parseConfigFile(CLAUDE_DESKTOP, "/d.json");
    const masked = maskServerConfig(byName(desktop.servers, "brave-search"));
    expect(masked.env).toEqual({ BRAVE_API_KEY: MASK });
    expect(JSON.stringify(masked)).not.toContain("BSA-literal-secret");
    const code = parseConfigFile(CLAUDE_CODE_PROJECT, "/c.json");
    expect(maskServerConfig(byName(code.servers, "github")).headers).toEqual({ Authorization: MASK });
    const cursor = parseConfigFile(CURSOR, "/u.json");
    expect(maskServerConfig(byName(cursor.servers, "context7")).headers).toEqual({
      CONTEXT7_API_KEY: "${env:CONTEXT7_KEY}",
    });
  });

  it("masks URL credentials and query values", () => {
    const masked = maskUrl("https://user:pw@h.example/mcp?key=abc&ref=${REF}");
    expect(masked).not.toContain("pw");
    expect(masked).not.toContain("abc");
    expect(masked).not.toContain("user");
    expect(masked).toContain("mcp?key=");
    expect(maskUrl("not a url")).toBe("not a url");
  });
});

describe("discovery and loading", () => {
  const environment: ConfigEnvironment = {
    cwd: "/work/repo",
    home: "/home/me",
    env: {},
    platform: "linux",
  };

  it("looks in the documented order; $MCP_CLI_CONFIG alone when set", () => {
    expect(
      configCandidates({ ...environment, env: { MCP_CLI_CONFIG: "conf/mcp.json" } }).map((c) => c.path),
    ).toEqual(["/work/repo/conf/mcp.json"]);
    expect(configCandidates(environment).map((c) => [c.path, c.scope])).toEqual([
      ["/work/repo/.mcp.json", "project"],
      ["/work/repo/.vscode/mcp.json", "project"],
      ["/work/repo/.cursor/mcp.json", "project"],
      ["/work/repo/.gemini/settings.json", "project"],
      ["/work/repo/opencode.json", "project"],
      ["/work/repo/opencode.jsonc", "project"],
      ["/home/me/.config/mcp-cli/config.json", "user"],
      ["/home/me/.claude.json", "user"],
      ["/home/me/.config/Code/User/mcp.json", "user"],
      ["/home/me/.config/Claude/claude_desktop_config.json", "user"],
      ["/home/me/.cursor/mcp.json", "user"],
      ["/home/me/.codex/config.toml", "user"],
      ["/home/me/.codeium/windsurf/mcp_config.json", "user"],
      ["/home/me/.gemini/settings.json", "user"],
      ["/home/me/.config/opencode/opencode.json", "user"],
      ["/home/me/.config/opencode/opencode.jsonc", "user"],
    ]);
  });

  it("honours XDG_CONFIG_HOME and the Claude Desktop path of each platform", () => {
    const xdg = configCandidates({ ...environment, env: { XDG_CONFIG_HOME: "/xdg" } }).map((c) => c.path);
    expect(xdg).toContain("/xdg/mcp-cli/config.json");
    expect(xdg).toContain("/xdg/Claude/claude_desktop_config.json");
    const mac = configCandidates({ ...environment, platform: "darwin" });
    expect(mac.find((c) => c.kind === "claude-desktop")?.path).toBe(
      "/home/me/Library/Application Support/Claude/claude_desktop_config.json",
    );
  });

  const files = (entries: Record<string, string>) => async (path: string) => entries[path];

  it("merges every file; one without servers contributes nothing", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/home/me/.claude.json": '{"numStartups": 1}',
        "/home/me/.config/Claude/claude_desktop_config.json": CLAUDE_DESKTOP,
        "/home/me/.cursor/mcp.json": CURSOR,
      }),
    });
    expect(loaded.path).toBe("/home/me/.config/Claude/claude_desktop_config.json");
    expect(loaded.kind).toBe("claude-desktop");
    expect(loaded.servers.map((server) => server.name)).toEqual([
      "filesystem",
      "brave-search",
      "context7",
      "windsurf-style",
      "local",
    ]);
    expect(loaded.warnings).not.toContainEqual(expect.stringContaining(".claude.json"));
  });

  it("a file with only sandbox settings counts as a configuration", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/home/me/.config/mcp-cli/config.json": '{"sandbox": {"profile": "permissive"}}',
        "/home/me/.cursor/mcp.json": CURSOR,
      }),
    });
    expect(loaded.path).toBe("/home/me/.config/mcp-cli/config.json");
    expect(loaded.sandbox).toEqual({ profile: "permissive", overrides: {} });
    expect(loaded.servers.map((server) => server.source)).toEqual([
      "/home/me/.cursor/mcp.json",
      "/home/me/.cursor/mcp.json",
      "/home/me/.cursor/mcp.json",
    ]);
  });

  it("prefers the project file over user files", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({ "/work/repo/.vscode/mcp.json": VSCODE, "/home/me/.cursor/mcp.json": CURSOR }),
    });
    expect(loaded.path).toBe("/work/repo/.vscode/mcp.json");
  });

  it("returns no servers when nothing exists", async () => {
    const loaded = await loadConfig(environment, { readFile: files({}) });
    expect(loaded).toMatchObject({ path: undefined, servers: [] });
    expect(loaded.searched).toHaveLength(16);
  });

  it("--config reads only that file and it must exist", async () => {
    const loaded = await loadConfig(environment, {
      explicitPath: "/x/c.json",
      readFile: files({ "/x/c.json": CURSOR, "/work/repo/.mcp.json": CLAUDE_CODE_PROJECT }),
    });
    expect(loaded.path).toBe("/x/c.json");
    const error = await caughtAsync(() =>
      loadConfig(environment, { explicitPath: "/nope.json", readFile: files({}) }),
    );
    expect(error.code).toBe("CONFIG_NOT_FOUND");
    expect(error.message).toBe("configuration file /nope.json does not exist");
  });

  it("$MCP_CLI_CONFIG must exist too", async () => {
    const error = await caughtAsync(() =>
      loadConfig({ ...environment, env: { MCP_CLI_CONFIG: "/gone.json" } }, { readFile: files({}) }),
    );
    expect(error.code).toBe("CONFIG_NOT_FOUND");
    expect(error.details).toMatchObject({ from: "MCP_CLI_CONFIG" });
  });

  it("an invalid file stops loading with CONFIG_INVALID", async () => {
    const error = await caughtAsync(() =>
      loadConfig(environment, { readFile: files({ "/work/repo/.mcp.json": "{ not json" }) }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/^\/work\/repo\/\.mcp\.json:1:3: malformed JSON/);
  });

  it("findServer lists valid names for an unknown server and refuses disabled ones", () => {
    const config: LoadedConfig = {
      path: "/u.json",
      kind: "cursor-user",
      servers: parseConfigFile(CURSOR, "/u.json").servers,
      warnings: [],
      searched: [],
    };
    expect(findServer(config, "context7").name).toBe("context7");
    const unknown = caught(() => findServer(config, "nope"));
    expect(unknown.code).toBe("SERVER_UNKNOWN");
    expect(unknown.message).toBe(
      'unknown server "nope"; servers configured in /u.json: context7, windsurf-style, local',
    );
    expect(caught(() => findServer(config, "local")).code).toBe("SERVER_DISABLED");
  });
});

describe("ad-hoc servers", () => {
  it("builds a stdio entry from a command with env pairs", () => {
    expect(
      adHocServerConfig({
        target: "npx",
        args: ["-y", "@modelcontextprotocol/server-everything"],
        env: ["A=1", "B=x=y"],
      }),
    ).toEqual({
      name: "server-everything",
      source: "command line",
      transport: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-everything"],
      env: { A: "1", B: "x=y" },
      disabled: false,
      cache: [],
    });
  });

  it("builds a remote entry from a URL with headers", () => {
    expect(
      adHocServerConfig({ target: "http://127.0.0.1:3001/mcp", headers: ["Authorization: Bearer abc"] }),
    ).toMatchObject({
      name: "127.0.0.1-3001-mcp",
      transport: "auto",
      headers: { Authorization: "Bearer abc" },
    });
  });

  it("rejects malformed pairs and options that do not apply", () => {
    expect(caught(() => adHocServerConfig({ target: "srv", env: ["NOVALUE"] })).code).toBe("USAGE");
    expect(caught(() => adHocServerConfig({ target: "http://h", headers: ["no colon"] })).code).toBe("USAGE");
    expect(caught(() => adHocServerConfig({ target: "srv", headers: ["A: b"] })).code).toBe("USAGE");
    expect(caught(() => adHocServerConfig({ target: "http://h", args: ["x"] })).code).toBe("USAGE");
  });

  it("derives readable, valid names", () => {
    expect(deriveServerName("node", ["./fixtures/slow-server.mjs"])).toBe("slow-server");
    expect(deriveServerName("npx", ["-y", "@modelcontextprotocol/server-memory@1.2.3"])).toBe(
      "server-memory",
    );
    expect(deriveServerName("uvx", ["mcp-server-fetch"])).toBe("mcp-server-fetch");
    expect(deriveServerName("/usr/local/bin/my server")).toBe("my-server");
    expect(deriveServerName("https://mcp.example.com/mcp")).toBe("mcp.example.com-mcp");
    expect(deriveServerName("...")).toBe("server");
  });
});

describe("parseConfigFile: oauth settings of a remote server", () => {
  it("reads clientId, clientSecret, scopes and clientMetadataUrl; masks the secret; expands it", () => {
    const parsed = parseConfigFile(
      JSON.stringify({
        mcpServers: {
          hosted: {
            url: "https://mcp.example.com/mcp",
            oauth: {
              clientId: "cli-123",
              clientSecret: "${HOSTED_SECRET}",
              scopes: ["read", "write"],
              clientMetadataUrl: "https://example.com/mcp-cli.json",
            },
          },
        },
      }),
      "/c.json",
    );
    const [server] = parsed.servers;
    expect(server).toMatchObject({
      oauth: {
        clientId: "cli-123",
        clientSecret: "${HOSTED_SECRET}",
        scopes: ["read", "write"],
        clientMetadataUrl: "https://example.com/mcp-cli.json",
      },
    });
    const expanded = expandServerConfig(server as ServerConfig, {
      env: { HOSTED_SECRET: "s3cret" },
      cwd: "/",
    });
    expect(expanded).toMatchObject({ oauth: { clientId: "cli-123", clientSecret: "s3cret" } });
    const literal = parseConfigFile(
      '{"mcpServers": {"h": {"url": "https://h/mcp", "oauth": {"clientId": "a", "clientSecret": "plain"}}}}',
      "/c.json",
    );
    expect(maskServerConfig(literal.servers[0] as ServerConfig)).toMatchObject({
      oauth: { clientId: "a", clientSecret: MASK },
    });
  });

  it.each([
    [{ oauth: "yes" }, "oauth"],
    [{ oauth: { clientID: "a" } }, "oauth.clientID"],
    [{ oauth: { clientSecret: "s" } }, "oauth.clientSecret"],
    [{ oauth: { scopes: ["has space"] } }, "oauth.scopes"],
    [{ oauth: { clientMetadataUrl: "http://example.com/client.json" } }, "oauth.clientMetadataUrl"],
  ])("refuses %j naming the key", (settings, key) => {
    const text = JSON.stringify({ mcpServers: { h: { url: "https://h/mcp", ...settings } } });
    const error = caught(() => parseConfigFile(text, "/c.json"));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain(key);
  });
});
