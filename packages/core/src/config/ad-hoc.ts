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
  for (const [position, pair] of pairs.entries()) {
    const index = pair.indexOf(separator);
    const key = index <= 0 ? "" : pair.slice(0, index).trim();
    if (key === "") {
      // The text is not echoed: a mistyped `--header` is often a token pasted without its name.
      const flag = what === "header" ? "--header" : "--env";
      throw new McpCliError(
        "USAGE",
        `malformed ${what} (${flag} number ${position + 1}); expected ${what === "header" ? "'Name: value'" : "KEY=VALUE"}`,
        { details: { flag, position: position + 1 } },
      );
    }
    out[key] = pair.slice(index + separator.length).trim();
  }
  return out;
}

interface Runner {
  /** Subcommands that come before the package (`pnpm dlx`, `docker run`). */
  readonly prefix?: readonly string[];
  /** The runner's flags that take a value, so the value is not taken for the package. */
  readonly valued: readonly string[];
}

/** `docker run` and `podman run` take the same flags; the image comes after them. */
const CONTAINER_RUNNER: Runner = {
  prefix: ["run"],
  valued: [
    "-e",
    "--env",
    "-v",
    "--volume",
    "--name",
    "--network",
    "-p",
    "--env-file",
    "-w",
    "--workdir",
    "--entrypoint",
    "-u",
    "--user",
    "--mount",
  ],
};

/**
 * Package runners: the server is the first word after the runner's own flags (`npx -y pkg ./dir`
 * names `pkg`, not `./dir`, which is the server's argument). The value lists name the runner flags
 * that take a value, so it is not mistaken for the package.
 */
const RUNNERS: Readonly<Record<string, Runner>> = {
  npx: { valued: ["-p", "--package", "-c", "--call", "--node-options"] },
  bunx: { valued: ["-p", "--package"] },
  uvx: { valued: ["--from", "--with", "-p", "--python", "--index", "--index-url"] },
  pipx: { prefix: ["run"], valued: ["--spec", "--python", "--pip-args"] },
  pnpm: { prefix: ["dlx", "exec"], valued: ["-p", "--package"] },
  yarn: { prefix: ["dlx"], valued: ["-p", "--package"] },
  npm: { prefix: ["exec", "x"], valued: ["-p", "--package", "-c", "--call"] },
  deno: { prefix: ["run"], valued: ["--config", "-c", "--import-map"] },
  docker: CONTAINER_RUNNER,
  podman: CONTAINER_RUNNER,
  node: { valued: ["-r", "--require", "--import", "--loader", "-C", "--conditions"] },
  bun: { prefix: ["run", "x"], valued: ["-r", "--preload"] },
  tsx: { valued: ["--tsconfig"] },
  python: { valued: ["-W", "-X"] },
  python3: { valued: ["-W", "-X"] },
  uv: { prefix: ["run", "tool"], valued: ["--from", "--with", "-p", "--python", "--directory", "--project"] },
};

/** File names that say nothing about the server: name it after the folder instead. */
const GENERIC_SCRIPTS = /^(index|main|server|cli|app|run|start|dist|build|src|bin|__main__)$/i;

function lastPathSegment(word: string): string {
  return word.split(/[\\/]/).filter(Boolean).at(-1) ?? word;
}

/** The server's package or script among a runner's arguments. */
function packageOf(command: string, args: readonly string[]): string | undefined {
  const program = lastPathSegment(command).replace(/\.(exe|cmd)$/i, "");
  // Own keys only: a command named `constructor` is not a runner.
  const runner = Object.hasOwn(RUNNERS, program) ? RUNNERS[program] : undefined;
  if (runner === undefined) return undefined;
  let index = 0;
  if (runner.prefix?.includes(args[0] ?? "")) index = 1;
  while (index < args.length) {
    const word = args[index] ?? "";
    if (word === "--") return args[index + 1];
    if (word === "-m" && (command.startsWith("python") || lastPathSegment(command).startsWith("python"))) {
      return args[index + 1];
    }
    if (!word.startsWith("-")) return word;
    index += runner.valued.includes(word) ? 2 : 1;
  }
  return undefined;
}

/** A name from a package, image or script: `@scope/server-x@1.2` gives `server-x`. */
function nameFromWord(word: string): string {
  let path = word.replace(/^(?:npm|jsr|git\+https?|https?):(?:\/\/)?/i, "");
  // `ghcr.io/org/image:tag`, `pkg@1.2.3`, `@scope/pkg@latest`: drop the version or tag.
  path = path.replace(/(.)@[^@/]*$/, "$1").replace(/:[\w.-]+$/, "");
  const segments = path
    .split(/[\\/]/)
    .filter((segment) => segment !== "" && segment !== "." && segment !== "..");
  let name = segments.at(-1) ?? path;
  name = name.replace(/\.(m?[jt]s|c[jt]s|py|exe|sh)$/i, "");
  if (GENERIC_SCRIPTS.test(name)) {
    // `node ./my-server/dist/index.js` is `my-server`.
    const meaningful = segments
      .slice(0, -1)
      .reverse()
      .find((segment) => !GENERIC_SCRIPTS.test(segment));
    if (meaningful !== undefined) name = meaningful;
  }
  return name;
}

/**
 * A readable server name: for a URL its host and path (`mcp.example.com-v1-mcp`); for a command the
 * package a runner starts (`npx -y @modelcontextprotocol/server-filesystem ./notes` is
 * `server-filesystem`), else the script or program (`node ./weather/index.js` is `weather`).
 */
export function deriveServerName(target: string, args: readonly string[] = []): string {
  let candidate: string;
  if (isUrlTarget(target)) {
    try {
      const url = new URL(target);
      const path = url.pathname
        .split("/")
        .filter((segment) => segment !== "")
        .map((segment) => decodeURIComponent(segment));
      candidate = [url.host.replace(/:/g, "-"), ...path].join("-");
    } catch {
      candidate = "remote";
    }
  } else {
    const word = packageOf(target, args) ?? target;
    candidate = nameFromWord(word);
  }
  const cleaned = candidate
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/\.\.+/g, ".")
    .slice(0, 64)
    .replace(/[^A-Za-z0-9]+$/, "");
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
