/**
 * The trust model for project configuration files (docs/adr/010-config-trust.md). A file in the
 * project folder may come from any repository that was cloned; if it starts processes or expands
 * environment variables (which can carry secrets to a URL of its choosing), it needs the user's
 * approval, bound to the file's path and the digest of its content, before any of its servers
 * starts. Pure: the CLI reads and writes the store and asks the question.
 */
import { McpCliError } from "../errors.js";
import { maskArguments } from "./mask.js";
import type { ServerConfig } from "./types.js";

/** What a project file would do if trusted: shown when asking, and in `server trust`. */
export interface ApprovalRequest {
  /** Each stdio entry's command line, secrets masked, with its server name. */
  readonly commands: readonly { readonly server: string; readonly commandLine: string }[];
  /** Every environment variable the file's entries reference, sorted. */
  readonly variables: readonly string[];
}

const REFERENCE = /\$\{([^}]*)\}/g;

function referencedVariables(values: readonly string[]): string[] {
  const names: string[] = [];
  for (const value of values) {
    for (const match of value.matchAll(REFERENCE)) {
      const body = match[1] ?? "";
      if (body === "workspaceFolder") continue;
      const name = body.startsWith("env:") ? body.slice(4) : body.split(":-")[0];
      if (name !== undefined && name !== "") names.push(name);
    }
  }
  return names;
}

/**
 * What approving the entries of one file allows, or undefined when they start nothing and expand
 * nothing (remote entries with literal URLs and headers need no approval). Disabled entries count
 * too: the question shows everything the file can start, so the answer covers the whole file.
 */
export function approvalRequest(servers: readonly ServerConfig[]): ApprovalRequest | undefined {
  const commands: { server: string; commandLine: string }[] = [];
  const values: string[] = [];
  for (const server of servers) {
    if (server.transport === "stdio") {
      commands.push({
        server: server.name,
        commandLine: [server.command, ...maskArguments(server.args)].join(" "),
      });
      values.push(server.command, ...server.args, ...Object.values(server.env), server.cwd ?? "");
    } else {
      values.push(server.url, ...Object.values(server.headers));
    }
  }
  const variables = [...new Set(referencedVariables(values))].sort();
  if (commands.length === 0 && variables.length === 0) return undefined;
  return { commands, variables };
}

/** One remembered approval. */
export interface TrustApproval {
  readonly path: string;
  /** `blake3:<hex>` of the content that was approved. */
  readonly digest: string;
  readonly approvedAt: string;
}

/** The approvals file: `{ "version": 1, "approvals": [...] }`, at most one approval per path. */
export interface TrustStoreDocument {
  readonly version: 1;
  readonly approvals: readonly TrustApproval[];
}

/** The most approvals kept; the oldest go first. A bound, so the file cannot grow without end. */
export const TRUST_STORE_MAX_APPROVALS = 1000;

const DIGEST = /^blake3:[0-9a-f]{64}$/;

/**
 * Reads the approvals file's text. Anything malformed is `CONFIG_INVALID` naming the file: an
 * approvals file that cannot be read approves nothing, and the user should know why they are asked.
 */
export function parseTrustStore(text: string, path: string): TrustStoreDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new McpCliError("CONFIG_INVALID", `${path}: the approvals file is not valid JSON`, {
      details: { file: path },
    });
  }
  const record = value as { version?: unknown; approvals?: unknown };
  if (
    typeof value !== "object" ||
    value === null ||
    record.version !== 1 ||
    !Array.isArray(record.approvals)
  ) {
    throw new McpCliError("CONFIG_INVALID", `${path}: the approvals file is not of version 1`, {
      details: { file: path },
    });
  }
  const approvals: TrustApproval[] = [];
  for (const item of record.approvals as unknown[]) {
    const approval = item as Partial<Record<keyof TrustApproval, unknown>>;
    if (
      typeof item === "object" &&
      item !== null &&
      typeof approval.path === "string" &&
      typeof approval.digest === "string" &&
      DIGEST.test(approval.digest) &&
      typeof approval.approvedAt === "string"
    ) {
      approvals.push({ path: approval.path, digest: approval.digest, approvedAt: approval.approvedAt });
    }
  }
  return { version: 1, approvals };
}

/** Whether `path` with content `digest` was approved. */
export function isApproved(store: TrustStoreDocument, path: string, digest: string): boolean {
  return store.approvals.some((approval) => approval.path === path && approval.digest === digest);
}

/** The store with `path` approved at `digest`, replacing an older approval of the same path. */
export function withApproval(
  store: TrustStoreDocument,
  path: string,
  digest: string,
  now: Date,
): TrustStoreDocument {
  const others = store.approvals.filter((approval) => approval.path !== path);
  const approvals = [...others, { path, digest, approvedAt: now.toISOString() }];
  return { version: 1, approvals: approvals.slice(-TRUST_STORE_MAX_APPROVALS) };
}

/** `CONFIG_UNTRUSTED` for a project file, with the commands that approve it. */
export function untrustedError(path: string, request: ApprovalRequest, reason?: string): McpCliError {
  const what = [
    request.commands.length === 0
      ? undefined
      : `starts ${request.commands.map((command) => `"${command.server}"`).join(", ")}`,
    request.variables.length === 0 ? undefined : `expands ${request.variables.join(", ")}`,
  ]
    .filter((part) => part !== undefined)
    .join(" and ");
  return new McpCliError(
    "CONFIG_UNTRUSTED",
    `${path} is a project configuration file that ${what}, and it has not been approved${reason === undefined ? "" : ` (${reason})`}; ` +
      `review it, then approve it with: mcp-cli server trust ${quoteForShell(path)} (or pass --trust-project for this run only)`,
    {
      details: {
        file: path,
        servers: request.commands.map((command) => command.server),
        variables: [...request.variables],
      },
    },
  );
}

/** A path as one POSIX shell word. */
function quoteForShell(path: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
