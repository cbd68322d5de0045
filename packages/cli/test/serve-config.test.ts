import { describe, expect, it } from "vitest";
import { parseListenAddress, startsMcpCliServe } from "../src/commands/serve.js";

describe("serve --http addresses", () => {
  it("defaults to loopback and accepts IPv4, IPv6 and names", () => {
    expect(parseListenAddress("8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(parseListenAddress("0.0.0.0:9")).toEqual({ host: "0.0.0.0", port: 9 });
    expect(parseListenAddress("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListenAddress("localhost:80")).toEqual({ host: "localhost", port: 80 });
  });

  it("refuses malformed addresses and ports out of range with USAGE", () => {
    for (const bad of ["", "host:", ":80", "70000", "a:b", "1.2.3.4:99999"]) {
      expect(() => parseListenAddress(bad), bad).toThrow(expect.objectContaining({ code: "USAGE" }));
    }
  });
});

describe("serve --all skips mcp-cli serve itself", () => {
  const stdio = (command: string, args: string[]) =>
    ({
      name: "x",
      source: "test",
      transport: "stdio",
      command,
      args,
      env: {},
      disabled: false,
      cache: [],
    }) as const;
  it("recognises the command and the entry file, with serve among the arguments", () => {
    expect(startsMcpCliServe(stdio("mcp-cli", ["serve", "--all"]))).toBe(true);
    expect(startsMcpCliServe(stdio("/usr/local/bin/mcp-cli", ["serve"]))).toBe(true);
    expect(startsMcpCliServe(stdio("node", ["/repo/packages/cli/dist/bin.js", "serve"]))).toBe(true);
    expect(startsMcpCliServe(stdio("mcp-cli", ["execute", "x.ts"]))).toBe(false);
    expect(startsMcpCliServe(stdio("npx", ["-y", "@modelcontextprotocol/server-everything", "serve"]))).toBe(
      false,
    );
  });
});
