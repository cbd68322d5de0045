/** Server configuration entries for tests, built through core's real expansion. */
import { expandServerConfig, type ResolvedServerConfig, type ServerConfig } from "@mcp-execution/core";
import { EVERYTHING_BIN, fixtureCommand, stdioServerEntry } from "../../../test/fixtures/servers/harness.mjs";

/** Optional keys of an entry, stdio or remote. */
export interface Extra {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly startupTimeoutMs?: number;
  readonly cache?: readonly string[];
  readonly rateLimit?: number;
  readonly disabled?: boolean;
  readonly maxResponseBytes?: number;
}

export function stdioConfig(
  name: string,
  command: string,
  args: readonly string[],
  extra: Extra = {},
): ResolvedServerConfig {
  const config = { ...stdioServerEntry(name, command, args), ...extra } as ServerConfig;
  return expandServerConfig(config, { env: {} });
}

export function fixtureConfig(
  fixture: string,
  args: readonly string[] = [],
  extra: Extra = {},
): ResolvedServerConfig {
  const { command, args: fixtureArgs } = fixtureCommand(fixture, ...args);
  return stdioConfig(fixture, command, fixtureArgs, extra);
}

export function everythingStdio(extra: Extra = {}): ResolvedServerConfig {
  return stdioConfig("everything", EVERYTHING_BIN, ["stdio"], extra);
}

export function remoteConfig(
  name: string,
  url: string,
  transport: "auto" | "streamable-http" | "sse" = "auto",
  extra: Extra = {},
): ResolvedServerConfig {
  const config = {
    name,
    source: "test",
    transport,
    url,
    headers: {},
    disabled: false,
    cache: [],
    ...extra,
  } as ServerConfig;
  return expandServerConfig(config, { env: {} });
}
