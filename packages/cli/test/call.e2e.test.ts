/**
 * `call`: one tool call against server-everything (stdio and Streamable HTTP) and the fixtures, with
 * arguments coerced by the tool's schema, `isError` (exit 2), validation (exit 2), unknown names
 * (exit 1), a request timeout (exit 3) and SIGINT (exit 130).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fixtureCommand,
  type RunningServer,
  startEverythingHttp,
} from "../../../test/fixtures/servers/harness.mjs";
import { createSandbox, EVERYTHING_BIN, parseDocument, type Sandbox } from "./helpers.js";
import { runMain, startMain } from "./in-process.js";

let sandbox: Sandbox;
let http: RunningServer;

beforeAll(async () => {
  sandbox = createSandbox();
  http = await startEverythingHttp();
  sandbox.write(
    "work/.mcp.json",
    JSON.stringify({
      mcpServers: {
        everything: { command: EVERYTHING_BIN },
        remote: { url: http.url },
        results: fixtureCommand("results"),
        hang: { ...fixtureCommand("hang"), timeout: 1000 },
        "hang-forever": fixtureCommand("hang"),
      },
    }),
  );
});
afterAll(async () => {
  await http?.stop();
  sandbox.remove();
});

interface CallDocument {
  ok: boolean;
  server: string;
  tool: string;
  result: unknown;
  content: { type: string; text?: string }[];
  structuredContent?: unknown;
}

async function call(args: string[], env: Record<string, string> = {}): Promise<CallDocument> {
  const result = await runMain(sandbox, ["call", "--json", ...args], { env });
  expect(result.code, result.stderr).toBe(0);
  return parseDocument(result) as unknown as CallDocument;
}

describe("call", () => {
  it("prints the tool's text in human form", async () => {
    const result = await runMain(sandbox, ["call", "everything", "get-sum", "a=2", "b=3"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("The sum of 2 and 3 is 5.\n");
  });

  it("keeps a numeric-looking string a string when the schema says string", async () => {
    const document = await call(["everything", "echo", "message=007"]);
    expect(document.result).toBe("Echo: 007");
  });

  it("prints structured content as the result, over Streamable HTTP too", async () => {
    for (const server of ["everything", "remote"]) {
      const document = await call([server, "get-structured-content", "location=Chicago"]);
      expect(document.result).toEqual({ temperature: 36, conditions: "Light rain / drizzle", humidity: 82 });
    }
    const human = await runMain(sandbox, ["call", "remote", "get-structured-content", "location=Chicago"]);
    expect(JSON.parse(human.stdout)).toEqual({
      temperature: 36,
      conditions: "Light rain / drizzle",
      humidity: 82,
    });
  });

  it("takes --args JSON, @file values and --args @file", async () => {
    sandbox.write("work/message.txt", "from a file");
    sandbox.write("work/args.json", JSON.stringify({ a: 10, b: 5 }));
    expect((await call(["everything", "echo", "message=@message.txt"])).result).toBe("Echo: from a file");
    expect((await call(["everything", "get-sum", "--args", '{"a":1,"b":1}'])).result).toBe(
      "The sum of 1 and 1 is 2.",
    );
    expect((await call(["everything", "get-sum", "--args", "@args.json", "b=1"])).result).toBe(
      "The sum of 10 and 1 is 11.",
    );
  });

  it("describes non-text content in human form", async () => {
    const result = await runMain(sandbox, ["call", "results", "image"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\[image image\/png, \d+ bytes\]$/m);
  });

  it("calls an ad-hoc server after --, passing -e variables", async () => {
    const document = await call(["get-env", "-e", "MCP_CALL_MARK=marked", "--", EVERYTHING_BIN]);
    expect((document.result as Record<string, string>).MCP_CALL_MARK).toBe("marked");
  });
});

describe("call failures", () => {
  it("isError: exit 2, TOOL_ERROR with the tool's message", async () => {
    const human = await runMain(sandbox, ["call", "results", "fail"]);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("the widget is broken");
    const json = await runMain(sandbox, ["call", "results", "fail", "--json"]);
    expect(json.code).toBe(2);
    expect(parseDocument(json)).toMatchObject({
      ok: false,
      error: { code: "TOOL_ERROR", details: { server: "results", tool: "fail" } },
    });
  });

  it("a value the schema cannot take: exit 2, ARGS_INVALID naming the argument", async () => {
    const result = await runMain(sandbox, ["call", "everything", "get-sum", "a=1", "b=two", "--json"]);
    expect(result.code).toBe(2);
    expect(parseDocument(result)).toMatchObject({
      error: { code: "ARGS_INVALID", details: { argument: "b" } },
    });
  });

  it("a missing required argument: exit 2, ARGS_INVALID from schema validation", async () => {
    const result = await runMain(sandbox, ["call", "everything", "get-sum", "a=1", "--json"]);
    expect(result.code).toBe(2);
    expect(parseDocument(result)).toMatchObject({ error: { code: "ARGS_INVALID" } });
  });

  it("an unknown tool: exit 1, TOOL_UNKNOWN listing the tools", async () => {
    const result = await runMain(sandbox, ["call", "everything", "get-summ", "--json"]);
    expect(result.code).toBe(1);
    expect(parseDocument(result)).toMatchObject({
      error: { code: "TOOL_UNKNOWN", details: { valid: expect.arrayContaining(["get-sum"]) } },
    });
  });

  it("missing operands and malformed pairs: exit 1, USAGE", async () => {
    for (const args of [["call"], ["call", "everything"], ["call", "everything", "echo", "message"]]) {
      const result = await runMain(sandbox, [...args, "--json"]);
      expect(result.code, args.join(" ")).toBe(1);
      expect(parseDocument(result)).toMatchObject({ error: { code: "USAGE" } });
    }
  });

  it("a tool that does not answer within the server's timeout: exit 3, TIMEOUT", async () => {
    const result = await runMain(sandbox, ["call", "hang", "hang", "--json"]);
    expect(result.code).toBe(3);
    expect(parseDocument(result)).toMatchObject({ error: { code: "TIMEOUT" } });
  });

  it("SIGINT during a call: exit 130, CANCELLED", async () => {
    const started = startMain(sandbox, ["call", "hang-forever", "hang", "-v"]);
    await started.waitForOutput("calling hang-forever/hang");
    started.interrupt();
    const result = await started.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("interrupted");
  });
});
