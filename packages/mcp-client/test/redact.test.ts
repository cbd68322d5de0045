/**
 * Secrets never appear in what the client prints: hostile servers that echo credentials into their
 * error answers or their stderr, undici's own messages, and values listed in `redact`.
 */
import { MASK, McpCliError, type ResolvedServerConfig } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  eventually,
  type RunningServer,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { connectServer } from "../src/index.js";
import { Redactor, redactorFor } from "../src/redact.js";
import { remoteConfig, stdioConfig } from "./configs.js";

const running: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

async function failure(promise: Promise<unknown>): Promise<McpCliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof McpCliError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

/** Everything of an error a user could see: message, details, and the messages and stacks of its causes. */
function printable(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (current instanceof McpCliError) parts.push(JSON.stringify(current.toJSON()));
    if (current instanceof Error) parts.push(current.message, current.stack ?? "");
    else parts.push(String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join("\n");
}

function withRedact(config: ResolvedServerConfig, redact: string[]): ResolvedServerConfig {
  return { ...config, redact };
}

const TOKEN = "tok-3f9a8c77e1d24b5c";
const API_KEY = "key-91bd02c6aa4e";
const QUERY = "q-secret-55aa77";
const PATH = "tenant-8d1e4c";
const DEFAULTED = "dflt-0c9b7a6f";

describe("redaction", () => {
  it("masks header values, query values and expanded path segments that a server echoes into its error", async () => {
    const base = await startHttpFixture("hostile-http", ["--mode", "echo-secrets", "--on", "initialize"]);
    running.push(base);
    const url = base.url.replace("/mcp", `/${PATH}/mcp?apikey=${QUERY}&mode=${DEFAULTED}`);
    const config = withRedact(
      remoteConfig("echo", url, "auto", {
        headers: { Authorization: `Bearer ${TOKEN}`, "X-Api-Key": API_KEY },
      }),
      [PATH, DEFAULTED],
    );
    const diagnostics: string[] = [];
    const error = await failure(
      connectServer(config, { diagnostics: (diagnostic) => diagnostics.push(diagnostic.message) }),
    );
    expect(error.code).toBe("CONNECT_FAILED");
    const shown = `${printable(error)}\n${diagnostics.join("\n")}`;
    // The server did echo them: the masked spelling is what is left.
    expect(shown).toContain("internal error while handling");
    expect(shown).toContain(MASK);
    for (const secret of [TOKEN, API_KEY, QUERY, PATH, DEFAULTED]) expect(shown).not.toContain(secret);
  });

  it("masks URL credentials that undici quotes when it refuses such a URL", async () => {
    const config = remoteConfig("creds", "http://alice:pw-77c1e0aa9@127.0.0.1:9/mcp", "streamable-http");
    const error = await failure(connectServer(config, {}));
    expect(error.code).toBe("CONNECT_FAILED");
    const shown = printable(error);
    expect(shown).not.toContain("pw-77c1e0aa9");
    expect(shown).not.toContain("alice:");
  });

  it("masks a stdio server's env values in its stderr tail, the message and the diagnostics", async () => {
    const config = stdioConfig(
      "leaky",
      process.execPath,
      ["-e", "console.error('starting with key ' + process.env.SERVICE_KEY); process.exit(1)"],
      { env: { SERVICE_KEY: API_KEY } },
    );
    const lines: string[] = [];
    const error = await failure(
      connectServer(config, { diagnostics: (diagnostic) => lines.push(diagnostic.message) }),
    );
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.message).toContain(`starting with key ${MASK}`);
    expect(error.details?.stderr).toContain(MASK);
    expect(printable(error)).not.toContain(API_KEY);
    expect(lines.join("\n")).toContain(`starting with key ${MASK}`);
    expect(lines.join("\n")).not.toContain(API_KEY);
  });
});

describe("Redactor", () => {
  it("masks every spelling of a value, longest first, and leaves short values alone", () => {
    const redactor = new Redactor(["p@ss word/x", "p@ss", "on"]);
    expect(redactor.text("a p@ss word/x b")).toBe(`a ${MASK} b`);
    expect(redactor.text(`url ${encodeURIComponent("p@ss word/x")}`)).toBe(`url ${MASK}`);
    expect(redactor.text("form p%40ss+word%2Fx")).toBe(`form ${MASK}`);
    expect(redactor.text("turn on")).toBe("turn on");
  });

  it("masks Basic credentials derived from the URL, and each word of a header value", () => {
    const redactor = redactorFor(
      remoteConfig("basic", "https://bob:hunter22@example.com/mcp", "auto", {
        headers: { Authorization: "Token abcd-1234" },
      }),
    );
    const basic = Buffer.from("bob:hunter22").toString("base64");
    expect(redactor.text(`Authorization: Basic ${basic}`)).toBe(`Authorization: Basic ${MASK}`);
    expect(redactor.text("got abcd-1234")).toBe(`got ${MASK}`);
    expect(redactor.text("use a Token header")).toBe("use a Token header");
  });

  it("bounds a huge message after masking, so no half secret survives the cut", () => {
    const secret = "s".repeat(10) + "SECRET";
    const redactor = new Redactor([secret]);
    const text = `${"x".repeat(4_090)}${secret}${"y".repeat(1_000_000)}`;
    const error = redactor.error(new McpCliError("PROTOCOL_ERROR", text, { details: { body: text } }));
    expect(error.message.length).toBeLessThan(4_200);
    expect(error.message).not.toContain("SECRET");
    expect(error.message).toContain("more characters cut");
    expect(JSON.stringify(error.details).length).toBeLessThan(70_000);
  });
});
