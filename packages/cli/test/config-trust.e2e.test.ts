/**
 * The trust model for project configuration files (docs/adr/010-config-trust.md), end to end with
 * the built CLI in a temp HOME: an unapproved file is refused with CONFIG_UNTRUSTED (exit 1) before
 * anything starts; `server trust` approves it; a change asks again; `--trust-project` is one run;
 * user-level files are trusted; on a terminal the CLI asks once.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { askLine, isYes } from "../src/prompt.js";
import { CLI_BIN, createSandbox, EVERYTHING_BIN, parseDocument, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
let project: string;
let marker: string;
let storePath: string;
/** No MCP_CLI_TRUST_ALL: the harness sets it for every other test. */
const STRICT = { MCP_CLI_TRUST_ALL: undefined };

beforeEach(() => {
  sandbox = createSandbox();
  marker = join(sandbox.root, "started-marker");
  storePath = join(sandbox.home, ".local", "state", "mcp-cli", "trusted-configs.json");
  project = sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        // Would leave a marker if it ever started: proves refusal happens before spawning.
        marker: { command: "sh", args: ["-c", `touch '${marker}'`] },
        remote: { url: "https://h.example/mcp", headers: { Authorization: "Bearer ${MY_TOKEN}" } },
      },
    }),
  );
});
afterEach(() => sandbox.remove());

interface ErrorDocument {
  ok: false;
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe("an unapproved project file", () => {
  it("is refused with CONFIG_UNTRUSTED (exit 1) and the command that approves it; nothing starts", async () => {
    const result = await runCli(sandbox, ["introspect", "marker", "--json"], { env: STRICT });
    expect(result.code).toBe(1);
    const document = parseDocument(result) as unknown as ErrorDocument;
    expect(document.error.code).toBe("CONFIG_UNTRUSTED");
    expect(document.error.message).toContain(`mcp-cli server trust ${project}`);
    expect(document.error.message).toContain("--trust-project");
    expect(document.error.details).toMatchObject({
      file: project,
      servers: ["everything", "marker"],
      variables: ["MY_TOKEN"],
    });
    expect(existsSync(marker)).toBe(false);

    const human = await runCli(sandbox, ["server", "validate"], { env: STRICT });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(`error: ${project} is a project configuration file`);
    expect(existsSync(marker)).toBe(false);
  });

  it("is refused by daemon start and serve --all before anything starts", async () => {
    for (const args of [
      ["daemon", "start", "--json"],
      ["serve", "--all", "--json"],
    ]) {
      const result = await runCli(sandbox, args, { env: STRICT });
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(1);
      expect(result.stdout + result.stderr).toContain("CONFIG_UNTRUSTED");
      expect(existsSync(marker)).toBe(false);
    }
  });

  it("is still listed, marked not approved, by server list (which starts nothing)", async () => {
    const result = await runCli(sandbox, ["server", "list", "--json"], { env: STRICT });
    expect(result.code).toBe(0);
    const document = parseDocument(result) as {
      servers: { name: string; approved?: boolean }[];
      files: { path: string; approved?: boolean }[];
    };
    expect(document.servers.map((server) => [server.name, server.approved])).toEqual([
      ["everything", false],
      ["marker", false],
      ["remote", false],
    ]);
    expect(document.files).toEqual([
      { path: project, kind: "claude-code-project", scope: "project", approved: false },
    ]);
    const human = await runCli(sandbox, ["server", "list"], { env: STRICT });
    expect(human.stdout).toContain(`not approved: mcp-cli server trust ${project}`);
  });

  it("works after `server trust`, and a changed file asks again", async () => {
    const trusted = await runCli(sandbox, ["server", "trust"], { env: STRICT });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(
      new RegExp(
        `approved ${project} \\(blake3:[0-9a-f]{12}…\\): starts everything, marker; expands MY_TOKEN`,
      ),
    );

    // 0600 file in a 0700 folder.
    expect(lstatSync(storePath).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(storePath, "..")).mode & 0o777).toBe(0o700);
    const store = JSON.parse(readFileSync(storePath, "utf8")) as {
      approvals: { path: string; digest: string }[];
    };
    expect(store.approvals).toEqual([
      expect.objectContaining({ path: project, digest: expect.stringMatching(/^blake3:[0-9a-f]{64}$/) }),
    ]);

    const works = await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT });
    expect(works.code, works.stderr).toBe(0);
    expect(parseDocument(works)).toMatchObject({ ok: true });

    // One byte more: a new digest, and the question again.
    writeFileSync(project, `${readFileSync(project, "utf8")}\n`);
    const changed = await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT });
    expect(changed.code).toBe(1);
    expect((parseDocument(changed) as unknown as ErrorDocument).error.code).toBe("CONFIG_UNTRUSTED");

    const again = await runCli(sandbox, ["server", "trust", ".mcp.json", "--json"], { env: STRICT });
    expect(again.code, again.stderr).toBe(0);
    expect(parseDocument(again)).toMatchObject({
      ok: true,
      approved: [{ path: project, servers: ["everything", "marker"] }],
    });
    expect((await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT })).code).toBe(0);
  });

  it("--trust-project approves it for one run only, and remembers nothing", async () => {
    const once = await runCli(sandbox, ["introspect", "everything", "--json", "--trust-project"], {
      env: STRICT,
    });
    expect(once.code, once.stderr).toBe(0);
    expect(existsSync(storePath)).toBe(false);
    const next = await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT });
    expect(next.code).toBe(1);
  });

  it("the approvals file is never read or written through a symbolic link", async () => {
    const elsewhere = sandbox.write("elsewhere.json", '{"version":1,"approvals":[]}');
    sandbox.write("home/.local/state/mcp-cli/.keep", "");
    symlinkSync(elsewhere, storePath);
    const result = await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT });
    expect(result.code).toBe(1);
    const document = parseDocument(result) as unknown as ErrorDocument;
    expect(document.error.code).toBe("CONFIG_INVALID");
    expect(document.error.message).toContain("symbolic link");
    // Approving replaces the link itself, never the file it points to.
    const trusted = await runCli(sandbox, ["server", "trust", project], { env: STRICT });
    expect(trusted.code).toBe(1);
    expect(readFileSync(elsewhere, "utf8")).toBe('{"version":1,"approvals":[]}');
  });
});

describe("files that need no approval", () => {
  it("user-level files are trusted as they are", async () => {
    sandbox.remove();
    sandbox = createSandbox();
    sandbox.write(
      "home/.cursor/mcp.json",
      JSON.stringify({ mcpServers: { everything: { command: EVERYTHING_BIN, env: { X: "${HOME}" } } } }),
    );
    const result = await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT });
    expect(result.code, result.stderr).toBe(0);
  });

  it("a project file that only names remote servers with literal values", async () => {
    writeFileSync(project, JSON.stringify({ mcpServers: { remote: { url: "http://127.0.0.1:9/mcp" } } }));
    const list = parseDocument(await runCli(sandbox, ["server", "list", "--json"], { env: STRICT })) as {
      files: Record<string, unknown>[];
    };
    expect(list.files).toEqual([{ path: project, kind: "claude-code-project", scope: "project" }]);
    // It connects (and fails to: nothing listens there), which shows it was not refused.
    const result = await runCli(sandbox, ["server", "validate", "remote", "--json"], { env: STRICT });
    expect((parseDocument(result) as unknown as ErrorDocument).error.code).not.toBe("CONFIG_UNTRUSTED");
  });
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

/** Runs the CLI under a pseudo-terminal (util-linux `script`), typing `answer`. */
function runOnTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI_BIN, ...args]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`)
    .join(" ");
  const env: Record<string, string> = sandbox.env();
  delete env.MCP_CLI_TRUST_ALL;
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    cwd: sandbox.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let answered = false;
  const onOutput = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    // Answer once the question is on the screen, as a person would.
    if (!answered && output.includes("[y/N]")) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

describe.runIf(hasScript)("on a terminal", () => {
  it("asks once; yes runs the server and remembers the approval", async () => {
    const first = await runOnTerminal(["introspect", "everything"], "y");
    expect(first.output).toContain(
      `${project} is a project configuration file that mcp-cli has not run before.`,
    );
    expect(first.output).toContain("marker: sh -c");
    expect(first.output).toContain("It reads these environment variables: MY_TOKEN");
    expect(first.code, first.output).toBe(0);
    expect(existsSync(storePath)).toBe(true);
    // Not asked again: runs without a terminal now.
    const second = await runCli(sandbox, ["introspect", "everything", "--json"], { env: STRICT });
    expect(second.code).toBe(0);
  });

  it("no (or anything else) refuses with CONFIG_UNTRUSTED", async () => {
    const refused = await runOnTerminal(["introspect", "marker"], "n");
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("declined at the prompt");
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(storePath)).toBe(false);
  });
});

describe("the question itself", () => {
  it("reads one line from the input and treats only y/yes as yes", async () => {
    const input = new PassThrough();
    const written: string[] = [];
    const answer = askLine(input, { write: (text: string) => written.push(text) }, "Trust? [y/N] ");
    input.write("ye");
    input.write("s\nrest");
    expect(await answer).toBe("yes");
    expect(written).toEqual(["Trust? [y/N] "]);
    expect(isYes("yes")).toBe(true);
    expect(isYes(" Y ")).toBe(true);
    expect(isYes("yess")).toBe(false);
    expect(isYes("")).toBe(false);
    expect(isYes(undefined)).toBe(false);
  });

  it("an input that ends without a line is no answer", async () => {
    const input = new PassThrough();
    const answer = askLine(input, { write: () => {} }, "? ");
    input.end();
    expect(await answer).toBe(undefined);
  });
});
