import { describe, expect, it } from "vitest";
import { SandboxDenied, wasiImports } from "../../src/component/wasi.js";

type Members = Record<string, (...args: unknown[]) => unknown>;

describe("the deny-by-default WASI host", () => {
  const written: string[] = [];
  const imports = wasiImports((stream, bytes) =>
    written.push(`${stream}:${new TextDecoder().decode(bytes)}`),
  );
  const members = (name: string) => imports[name] as Members;

  it("gives no environment, arguments, working directory or preopened directories", () => {
    expect(members("wasi:cli/environment").getEnvironment?.()).toEqual([]);
    expect(members("wasi:cli/environment").getArguments?.()).toEqual([]);
    expect(members("wasi:cli/environment").initialCwd?.()).toBeUndefined();
    expect(members("wasi:filesystem/preopens").getDirectories?.()).toEqual([]);
  });

  it("captures stdout and stderr instead of writing to the process", () => {
    const stdout = members("wasi:cli/stdout").getStdout?.() as {
      blockingWriteAndFlush(bytes: Uint8Array): void;
    };
    const stderr = members("wasi:cli/stderr").getStderr?.() as { write(bytes: Uint8Array): void };
    stdout.blockingWriteAndFlush(new TextEncoder().encode("out"));
    stderr.write(new TextEncoder().encode("err"));
    expect(written).toEqual(["stdout:out", "stderr:err"]);
  });

  it("reads stdin as closed", () => {
    const stdin = members("wasi:cli/stdin").getStdin?.() as { read(length: bigint): Uint8Array };
    expect(() => stdin.read(10n)).toThrow(expect.objectContaining({ tag: "closed" }));
  });

  it("traps any use of the network with SandboxDenied naming the interface", () => {
    expect(() => members("wasi:http/outgoing-handler").handle?.()).toThrow(SandboxDenied);
    expect(() => members("wasi:http/outgoing-handler").handle?.()).toThrow(
      /wasi:http\/outgoing-handler \(handle\)/,
    );
    const Fields = imports["wasi:http/types"]?.Fields as new () => unknown;
    expect(() => new Fields()).toThrow(SandboxDenied);
  });

  it("answers an unknown member of a served interface with a denied function rather than undefined", () => {
    expect(() => members("wasi:random/random").getSomethingNew?.()).toThrow(SandboxDenied);
  });

  it("serves clocks and randomness", () => {
    const before = members("wasi:clocks/monotonic-clock").now?.() as bigint;
    expect(typeof before).toBe("bigint");
    const bytes = members("wasi:random/random").getRandomBytes?.(16n) as Uint8Array;
    expect(bytes).toHaveLength(16);
    expect(() => members("wasi:random/random").getRandomBytes?.(1n << 40n)).toThrow(SandboxDenied);
  });
});
