/**
 * Servers named on the command line instead of in a file: an `http(s)://` URL or a stdio command
 * after `--` (docs/conventions.md section 1), with `-e KEY=VAL`, `--header 'Name: value'`, `--cwd`.
 */
import { McpCliError } from "../errors.js";
import { isServerId } from "../ids.js";
import type { ServerConfig } from "./types.js";

export const AD_HOC_SOURCE = "command line";

export interface AdHocServerSpec {
  /** A URL, or the command of a stdio server. */
  readonly target: string;
  /** Arguments of a stdio command. */
  readonly args?: readonly string[];
  /** `KEY=VAL` pairs. */
  readonly env?: readonly string[];
  /** `Name: value` pairs. */
  readonly headers?: readonly string[];
  readonly cwd?: string;
  /** The name used for the generated tree; derived from the target when absent. */
  readonly name?: string;
}

export function isUrlTarget(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

function parsePairs(pairs: readonly string[], separator: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const index = pair.indexOf(separator);
    const key = index <= 0 ? "" : pair.slice(0, index).trim();
    if (key === "") {
      throw new McpCliError(
        "USAGE",
        `malformed ${what} ${JSON.stringify(pair)}; expected ${what === "header" ? "'Name: value'" : "KEY=VALUE"}`,
        {
          details: { [what]: pair },
        },
      );
    }
    out[key] = pair.slice(index + separator.length).trim();
  }
  return out;
}

/** A readable server name from a URL host or a command, e.g. `server-everything`. */
export function deriveServerName(target: string, args: readonly string[] = []): string {
  let candidate: string;
  if (isUrlTarget(target)) {
    try {
      candidate = new URL(target).hostname;
    } catch {
      candidate = "remote";
    }
  } else {
    // The package or script is usually the last argument that is not a flag: `npx -y @scope/server-x`.
    const words = [target, ...args].filter((word) => !word.startsWith("-"));
    const last = words.at(-1) ?? target;
    candidate = last.split(/[\\/]/).filter(Boolean).at(-1) ?? last;
    candidate = candidate.replace(/@[^@]*$/, (version) => (version === candidate ? version : ""));
    candidate = candidate.replace(/\.(m?[jt]s|py|exe)$/i, "");
  }
  const cleaned = candidate
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/\.\.+/g, ".")
    .slice(0, 64);
  return isServerId(cleaned) ? cleaned : "server";
}

export function adHocServerConfig(spec: AdHocServerSpec): ServerConfig {
  const name = spec.name ?? deriveServerName(spec.target, spec.args);
  const common = { name, source: AD_HOC_SOURCE, disabled: false, cache: [] as string[] };
  if (isUrlTarget(spec.target)) {
    if ((spec.args ?? []).length > 0) {
      throw new McpCliError("USAGE", "a URL server takes no command arguments", {
        details: { url: spec.target },
      });
    }
    return {
      ...common,
      transport: "auto",
      url: spec.target,
      headers: parsePairs(spec.headers ?? [], ":", "header"),
    };
  }
  if ((spec.headers ?? []).length > 0) {
    throw new McpCliError("USAGE", "--header applies to URL servers only", {
      details: { command: spec.target },
    });
  }
  return {
    ...common,
    transport: "stdio",
    command: spec.target,
    args: [...(spec.args ?? [])],
    env: parsePairs(spec.env ?? [], "=", "environment variable"),
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  };
}
