/**
 * Discovery from subfolders, the merge of every client's files by scope, other clients' dialects,
 * size bounds, the redaction list, masking of arguments and the approval model's pure parts.
 */
import { describe, expect, it } from "vitest";
import {
  approvalRequest,
  CONFIG_FILE_MAX_BYTES,
  type ConfigEnvironment,
  deriveServerName,
  expandServerConfig,
  findProjectRoot,
  isApproved,
  type LoadedConfig,
  loadConfig,
  MASK,
  maskArguments,
  maskServerConfig,
  maskUrl,
  maskValue,
  parseConfigFile,
  parseTrustStore,
  type ServerConfig,
  TRUST_STORE_MAX_APPROVALS,
  untrustedError,
  withApproval,
} from "../src/index.js";
import { caughtAsync } from "./caught.js";

const environment: ConfigEnvironment = {
  cwd: "/work/repo/packages/app",
  home: "/home/me",
  env: {},
  platform: "linux",
  projectRoot: "/work/repo",
};

const files = (entries: Record<string, string>) => async (path: string) => entries[path];

function names(config: LoadedConfig): [string, string][] {
  return config.servers.map((server) => [server.name, server.source]);
}

describe("project root", () => {
  it("is the nearest folder with a configuration file or .git, never the home folder", () => {
    const existing = new Set(["/work/repo/.git", "/work/repo/.mcp.json", "/home/me/.cursor/mcp.json"]);
    const exists = (path: string) => existing.has(path);
    expect(findProjectRoot("/work/repo/packages/app/src", "/home/me", exists)).toBe("/work/repo");
    expect(findProjectRoot("/work/repo", "/home/me", exists)).toBe("/work/repo");
    // ~/.cursor/mcp.json is Cursor's user file: the home folder is not a project root.
    expect(findProjectRoot("/home/me/notes/a", "/home/me", exists)).toBe("/home/me/notes/a");
    // Nothing anywhere: the working directory itself.
    expect(findProjectRoot("/srv/x", "/home/me", () => false)).toBe("/srv/x");
    // A project file without .git marks the root too.
    expect(findProjectRoot("/srv/a/b", "/home/me", (path) => path === "/srv/a/.vscode/mcp.json")).toBe(
      "/srv/a",
    );
  });
});

describe("merging by scope", () => {
  const claudeJson = JSON.stringify({
    mcpServers: { shared: { command: "user-shared" }, onlyUser: { command: "u" } },
    projects: {
      "/work/repo": { mcpServers: { shared: { command: "local-shared" }, onlyLocal: { command: "l" } } },
      "/elsewhere": { mcpServers: { other: { command: "x" } } },
    },
  });

  it("local > project > user, as Claude Code ranks them; shadowed entries are recorded", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/work/repo/.mcp.json": JSON.stringify({
          mcpServers: { shared: { command: "project-shared" }, onlyUser: { command: "p" } },
        }),
        "/home/me/.claude.json": claudeJson,
      }),
    });
    expect(names(loaded)).toEqual([
      ["shared", "/home/me/.claude.json"],
      ["onlyLocal", "/home/me/.claude.json"],
      ["onlyUser", "/work/repo/.mcp.json"],
    ]);
    const shared = loaded.servers[0] as ServerConfig & { command: string };
    expect(shared.command).toBe("local-shared");
    expect(
      (loaded.shadowed ?? []).map((entry) => [entry.server.name, entry.layer.scope, entry.by.scope]),
    ).toEqual([
      ["shared", "project", "local"],
      ["shared", "user", "local"],
      ["onlyUser", "user", "project"],
    ]);
    expect((loaded.layers ?? []).map((layer) => [layer.scope, layer.section])).toEqual([
      ["local", 'projects["/work/repo"].mcpServers'],
      ["project", "mcpServers"],
      ["user", "mcpServers"],
    ]);
  });

  it("a project .mcp.json no longer hides the servers of ~/.claude.json", async () => {
    const loaded = await loadConfig(
      { ...environment, cwd: "/work/repo" },
      {
        readFile: files({
          "/work/repo/.mcp.json": JSON.stringify({ mcpServers: { project: { command: "p" } } }),
          "/home/me/.claude.json": JSON.stringify({ mcpServers: { mine: { command: "m" } } }),
        }),
      },
    );
    expect(loaded.servers.map((server) => server.name)).toEqual(["project", "mine"]);
  });

  it("the local scope is looked up from the working directory up to the project root, nearest first", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/home/me/.claude.json": JSON.stringify({
          projects: {
            "/work/repo": { mcpServers: { atRoot: { command: "r" } } },
            "/work/repo/packages/app": { mcpServers: { atCwd: { command: "c" } } },
          },
        }),
      }),
    });
    expect(loaded.servers.map((server) => server.name)).toEqual(["atCwd"]);
  });

  it("$MCP_CLI_CONFIG is read alone, without merging", async () => {
    const loaded = await loadConfig(
      { ...environment, env: { MCP_CLI_CONFIG: "/x/only.json" } },
      {
        readFile: files({
          "/x/only.json": JSON.stringify({ mcpServers: { only: { command: "o" } } }),
          "/home/me/.claude.json": claudeJson,
        }),
      },
    );
    expect(names(loaded)).toEqual([["only", "/x/only.json"]]);
  });

  it("a --config file that declares nothing is still the configuration", async () => {
    const loaded = await loadConfig(environment, {
      explicitPath: "/x/empty.json",
      readFile: files({ "/x/empty.json": "{}" }),
    });
    expect(loaded).toMatchObject({ path: "/x/empty.json", kind: "explicit", servers: [] });
  });

  it("sandbox settings come from the highest-ranked file that has them", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/work/repo/.mcp.json": JSON.stringify({ sandbox: { profile: "strict" } }),
        "/home/me/.config/mcp-cli/config.json": JSON.stringify({ sandbox: { profile: "permissive" } }),
      }),
    });
    expect(loaded.sandbox?.profile).toBe("strict");
  });
});

describe("other clients' files, as they write them", () => {
  it("Codex ~/.codex/config.toml [mcp_servers.<name>]", async () => {
    const toml = `model = "o4-mini"

[mcp_servers.docs]
command = "npx"
args = ["-y", "@upstash/context7-mcp"]
env = { "CONTEXT7_KEY" = "literal" }
startup_timeout_sec = 20
tool_timeout_sec = 45

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_TOKEN"
http_headers = { "X-Figma-Region" = "us-east-1" }
env_http_headers = { "X-Org" = "FIGMA_ORG" }

[mcp_servers.off]
command = "x"
enabled = false
`;
    const loaded = await loadConfig(environment, {
      readFile: files({ "/home/me/.codex/config.toml": toml }),
    });
    expect(loaded.kind).toBe("codex");
    expect(loaded.servers).toEqual([
      expect.objectContaining({
        name: "docs",
        transport: "stdio",
        command: "npx",
        args: ["-y", "@upstash/context7-mcp"],
        env: { CONTEXT7_KEY: "literal" },
        startupTimeoutMs: 20_000,
        timeoutMs: 45_000,
      }),
      expect.objectContaining({
        name: "figma",
        transport: "streamable-http",
        url: "https://mcp.figma.com/mcp",
        headers: {
          "X-Figma-Region": "us-east-1",
          "X-Org": "${FIGMA_ORG}",
          Authorization: "Bearer ${FIGMA_TOKEN}",
        },
      }),
      expect.objectContaining({ name: "off", disabled: true }),
    ]);
  });

  it("malformed TOML is CONFIG_INVALID with line and column", async () => {
    const error = await caughtAsync(() =>
      loadConfig(environment, {
        readFile: files({ "/home/me/.codex/config.toml": "[mcp_servers.a]\ncommand = \n" }),
      }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/^\/home\/me\/\.codex\/config\.toml:2:\d+: malformed TOML/);
  });

  it("Gemini CLI settings.json: httpUrl is Streamable HTTP, url is SSE, project over user", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/home/me/.gemini/settings.json": JSON.stringify({
          theme: "Default",
          mcpServers: {
            http: {
              httpUrl: "https://h.example/mcp",
              headers: { Authorization: "Bearer ${T}" },
              trust: true,
            },
            sse: { url: "https://s.example/sse", timeout: 5000 },
            both: { command: "user" },
          },
        }),
        "/work/repo/.gemini/settings.json": JSON.stringify({
          mcpServers: { both: { command: "python", args: ["-m", "srv"], cwd: "./srv", includeTools: ["a"] } },
        }),
      }),
    });
    expect(loaded.servers).toEqual([
      expect.objectContaining({
        name: "both",
        command: "python",
        cwd: "./srv",
        source: "/work/repo/.gemini/settings.json",
      }),
      expect.objectContaining({ name: "http", transport: "streamable-http", url: "https://h.example/mcp" }),
      expect.objectContaining({ name: "sse", transport: "sse", timeoutMs: 5000 }),
    ]);
    // Gemini's own keys are not reported as unknown.
    expect(loaded.warnings.filter((warning) => warning.includes("trust"))).toEqual([]);
  });

  it("OpenCode opencode.json: mcp with type local|remote, command as an array, {env:VAR}", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/home/me/.config/opencode/opencode.json": `{
  "$schema": "https://opencode.ai/config.json",
  // OpenCode allows comments
  "mcp": {
    "fs": { "type": "local", "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "."], "environment": { "K": "{env:MY_KEY}" }, "enabled": true },
    "ctx": { "type": "remote", "url": "https://mcp.context7.com/mcp", "headers": { "Authorization": "Bearer {env:CTX}" } },
    "off": { "type": "local", "command": ["x"], "enabled": false },
  },
}`,
      }),
    });
    expect(loaded.servers).toEqual([
      expect.objectContaining({
        name: "fs",
        transport: "stdio",
        command: "npx",
        args: ["-y", "@modelcontextprotocol/server-filesystem", "."],
        env: { K: "${MY_KEY}" },
        disabled: false,
      }),
      expect.objectContaining({
        name: "ctx",
        transport: "auto",
        headers: { Authorization: "Bearer ${CTX}" },
      }),
      expect.objectContaining({ name: "off", disabled: true }),
    ]);
  });

  it("Windsurf mcp_config.json (serverUrl) and VS Code's user mcp.json (servers)", async () => {
    const loaded = await loadConfig(environment, {
      readFile: files({
        "/home/me/.codeium/windsurf/mcp_config.json": JSON.stringify({
          mcpServers: { surf: { serverUrl: "https://w.example/mcp" } },
        }),
        "/home/me/.config/Code/User/mcp.json": `{ "servers": { "code": { "type": "stdio", "command": "node", "args": ["s.js"] }, }, "inputs": [] }`,
      }),
    });
    expect(loaded.servers.map((server) => [server.name, server.source])).toEqual([
      ["code", "/home/me/.config/Code/User/mcp.json"],
      ["surf", "/home/me/.codeium/windsurf/mcp_config.json"],
    ]);
  });
});

describe("size bounds", () => {
  it("a project file is bounded at 1 MiB before it is parsed", async () => {
    expect(CONFIG_FILE_MAX_BYTES.project).toBe(1024 * 1024);
    const seen: [string, number][] = [];
    const big = `{"mcpServers":{}, "pad": "${"x".repeat(CONFIG_FILE_MAX_BYTES.project)}"}`;
    const error = await caughtAsync(() =>
      loadConfig(environment, {
        readFile: async (path, maxBytes) => {
          seen.push([path, maxBytes]);
          return path === "/work/repo/.mcp.json" ? big : undefined;
        },
      }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/larger than 1048576 bytes/);
    expect(seen[0]).toEqual(["/work/repo/.mcp.json", 1024 * 1024]);
  });
});

describe("redaction list of a resolved entry", () => {
  it("holds every value substituted from ${VAR}, ${env:VAR} and defaults, longest first", () => {
    const [server] = parseConfigFile(
      JSON.stringify({
        mcpServers: {
          r: {
            url: "https://h.example/${TENANT}/mcp?key=${KEY:-default-secret}",
            headers: { Authorization: "Bearer ${env:TOKEN}", Empty: "${EMPTY:-}" },
          },
        },
      }),
      "/c.json",
    ).servers;
    const resolved = expandServerConfig(server as ServerConfig, {
      env: { TENANT: "acme", TOKEN: "tok-123456", EMPTY: "" },
    });
    expect(resolved.redact).toEqual(["default-secret", "tok-123456", "acme"]);
  });

  it("is empty for an entry without references, and leaves ${workspaceFolder} out", () => {
    const [server] = parseConfigFile(
      JSON.stringify({ mcpServers: { s: { command: "node", args: ["${workspaceFolder}/s.js"] } } }),
      "/c.json",
    ).servers;
    expect(expandServerConfig(server as ServerConfig, { env: {}, cwd: "/w" }).redact).toEqual([]);
  });
});

describe("masking what is printed", () => {
  it("masks the defaults of references like values", () => {
    expect(maskValue("${TOKEN:-sk-live-default}")).toBe(`\${TOKEN:-${MASK}}`);
    expect(maskValue("${TOKEN}")).toBe("${TOKEN}");
    expect(maskUrl("https://h/x?k=${K:-secret}")).toBe(`https://h/x?k=\${K:-${MASK}}`);
    expect(maskUrl("https://h/${P:-secret-path}/mcp")).toBe(`https://h/\${P:-${MASK}}/mcp`);
  });

  it("masks tokens in stdio arguments", () => {
    const args = [
      "-y",
      "server",
      "--header",
      "Authorization: Bearer sk-header",
      "--token",
      "tok-flag",
      "--api-key=key-eq",
      "GITHUB_TOKEN=ghp-assign",
      "OPENAI_API_KEY=sk-openai",
      "https://user:pass@h.example/mcp?access_token=q-secret",
      "-H",
      "X-Api-Key: k-h",
      "--password",
      "${PASS}",
      "--secret=${S:-s-default}",
      "Bearer raw-bearer",
      "./notes",
      "--port",
      "8080",
    ];
    const masked = maskArguments(args);
    const text = masked.join(" ");
    for (const secret of [
      "sk-header",
      "tok-flag",
      "key-eq",
      "ghp-assign",
      "sk-openai",
      "pass@",
      "q-secret",
      "k-h",
      "s-default",
      "raw-bearer",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(masked).toEqual([
      "-y",
      "server",
      "--header",
      `Authorization: ${MASK}`,
      "--token",
      MASK,
      `--api-key=${MASK}`,
      `GITHUB_TOKEN=${MASK}`,
      `OPENAI_API_KEY=${MASK}`,
      `https://${MASK}@h.example/mcp?access_token=${MASK}`,
      "-H",
      `X-Api-Key: ${MASK}`,
      "--password",
      "${PASS}",
      `--secret=\${S:-${MASK}}`,
      `Bearer ${MASK}`,
      "./notes",
      "--port",
      "8080",
    ]);
  });

  it("server info's view of a stdio entry masks its arguments", () => {
    const [server] = parseConfigFile(
      JSON.stringify({
        mcpServers: { d: { command: "docker", args: ["run", "-e", "GITHUB_TOKEN=ghp-x", "img"] } },
      }),
      "/c.json",
    ).servers;
    expect(maskServerConfig(server as ServerConfig).args).toEqual([
      "run",
      "-e",
      `GITHUB_TOKEN=${MASK}`,
      "img",
    ]);
  });
});

describe("approval model", () => {
  const parse = (entries: Record<string, unknown>) =>
    parseConfigFile(JSON.stringify({ mcpServers: entries }), "/r/.mcp.json").servers;

  it("a file needs approval when it starts a process or expands a variable", () => {
    expect(approvalRequest(parse({ r: { url: "https://h.example/mcp", headers: { A: "literal" } } }))).toBe(
      undefined,
    );
    expect(
      approvalRequest(parse({ r: { url: "https://h.example/mcp", headers: { A: "${TOKEN}" } } })),
    ).toEqual({
      commands: [],
      variables: ["TOKEN"],
    });
    expect(
      approvalRequest(
        parse({ s: { command: "npx", args: ["-y", "srv", "--token", "t0p"], env: { K: "${env:K}" } } }),
      ),
    ).toEqual({ commands: [{ server: "s", commandLine: `npx -y srv --token ${MASK}` }], variables: ["K"] });
  });

  it("approvals are bound to path and digest; a new digest replaces the old one", () => {
    const digest = (char: string) => `blake3:${char.repeat(64)}`;
    let store = parseTrustStore('{"version":1,"approvals":[]}', "/s.json");
    store = withApproval(store, "/r/.mcp.json", digest("a"), new Date(0));
    expect(isApproved(store, "/r/.mcp.json", digest("a"))).toBe(true);
    expect(isApproved(store, "/r/.mcp.json", digest("b"))).toBe(false);
    expect(isApproved(store, "/other/.mcp.json", digest("a"))).toBe(false);
    store = withApproval(store, "/r/.mcp.json", digest("b"), new Date(0));
    expect(store.approvals).toEqual([
      { path: "/r/.mcp.json", digest: digest("b"), approvedAt: new Date(0).toISOString() },
    ]);
    for (let index = 0; index < TRUST_STORE_MAX_APPROVALS + 5; index++) {
      store = withApproval(store, `/p${index}/.mcp.json`, digest("c"), new Date(0));
    }
    expect(store.approvals).toHaveLength(TRUST_STORE_MAX_APPROVALS);
  });

  it("a malformed approvals file is CONFIG_INVALID; malformed approvals are dropped", () => {
    expect(() => parseTrustStore("not json", "/s.json")).toThrow(/not valid JSON/);
    expect(() => parseTrustStore('{"version":2,"approvals":[]}', "/s.json")).toThrow(/version 1/);
    const store = parseTrustStore(
      JSON.stringify({ version: 1, approvals: [{ path: "/a", digest: "md5:x", approvedAt: "t" }, 7] }),
      "/s.json",
    );
    expect(store.approvals).toEqual([]);
  });

  it("CONFIG_UNTRUSTED names the file and the command that approves it", () => {
    const error = untrustedError("/r/my repo/.mcp.json", {
      commands: [{ server: "s", commandLine: "x" }],
      variables: ["T"],
    });
    expect(error.code).toBe("CONFIG_UNTRUSTED");
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain("mcp-cli server trust '/r/my repo/.mcp.json'");
    expect(error.message).toContain("--trust-project");
    expect(error.details).toEqual({ file: "/r/my repo/.mcp.json", servers: ["s"], variables: ["T"] });
  });
});

describe("ad-hoc names", () => {
  it("names a server after the package a runner starts, not its arguments", () => {
    expect(deriveServerName("npx", ["-y", "@modelcontextprotocol/server-filesystem", "./notes"])).toBe(
      "server-filesystem",
    );
    expect(deriveServerName("npx", ["-y", "-p", "other-pkg", "@scope/server-x@1.2.3", "/data"])).toBe(
      "server-x",
    );
    expect(deriveServerName("pnpm", ["dlx", "mcp-remote", "https://h.example/sse"])).toBe("mcp-remote");
    expect(
      deriveServerName("uvx", ["--from", "git+https://g.example/x", "mcp-server-git", "--repository", "."]),
    ).toBe("mcp-server-git");
    expect(deriveServerName("python3", ["-m", "mcp_server_time", "--local-timezone", "UTC"])).toBe(
      "mcp_server_time",
    );
    expect(
      deriveServerName("docker", [
        "run",
        "-i",
        "--rm",
        "-e",
        "GITHUB_TOKEN",
        "ghcr.io/github/github-mcp-server:v1",
      ]),
    ).toBe("github-mcp-server");
    expect(deriveServerName("node", ["./weather/dist/index.js", "--port", "3"])).toBe("weather");
    expect(deriveServerName("/repo/node_modules/.bin/mcp-server-everything", ["stdio"])).toBe(
      "mcp-server-everything",
    );
    expect(deriveServerName("constructor", ["x"])).toBe("constructor");
  });

  it("names a URL after its host and path", () => {
    expect(deriveServerName("https://mcp.example.com/v1/mcp")).toBe("mcp.example.com-v1-mcp");
    expect(deriveServerName("https://api.githubcopilot.com/mcp/")).toBe("api.githubcopilot.com-mcp");
    expect(deriveServerName("http://127.0.0.1:3001/sse")).toBe("127.0.0.1-3001-sse");
    expect(deriveServerName("https://h.example")).toBe("h.example");
  });
});
