/**
 * Secrets never appear in what the client prints: hostile servers that echo credentials into their
 * error answers or their stderr, and values listed in `redact`. (undici's messages and the
 * Redactor itself are in redact.test.ts.)
 */
import { MASK, type ResolvedServerConfig } from "@mcp-execution/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  childProcessesOf,
  eventually,
  type RunningServer,
  startHttpFixture,
} from "../../../test/fixtures/servers/harness.mjs";
import { connectServer } from "../src/index.js";
import { remoteConfig, stdioConfig } from "./configs.js";
import { printable } from "./error-text.js";
import { failure } from "./outcomes.js";

const running: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

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
