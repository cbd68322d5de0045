/**
 * Approval of project configuration files (docs/adr/010-config-trust.md): the approvals file on
 * disk, the question on a terminal, and the checks before a server starts.
 *
 * The approvals file is `trusted-configs.json` in the state directory: created 0600 in a 0700
 * folder, replaced atomically (a new file renamed over the old one), never read or written through
 * a symbolic link.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import {
  AD_HOC_SOURCE,
  type ApprovalRequest,
  isApproved,
  type LoadedConfig,
  type LoadedConfigFile,
  McpCliError,
  parseTrustStore,
  type ServerConfig,
  type TrustStoreDocument,
  untrustedError,
  withApproval,
} from "@mcp-execution/core";
import type { CommandContext } from "./context.js";
import { trustStorePath } from "./locations.js";
import { escapeControlCharacters } from "./output.js";
import { isYes } from "./prompt.js";

/** The approvals file is small: path, digest and date per approved file. */
const TRUST_STORE_MAX_BYTES = 1024 * 1024;

const EMPTY_STORE: TrustStoreDocument = { version: 1, approvals: [] };

/** Reads the approvals file; a missing file approves nothing. */
export async function readTrustStore(path: string): Promise<TrustStoreDocument> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return EMPTY_STORE;
    throw new McpCliError(
      "CONFIG_INVALID",
      code === "ELOOP"
        ? `${path}: the approvals file is a symbolic link; remove it`
        : `cannot read the approvals file ${path}: ${(error as Error).message}`,
      { details: { file: path, errno: code ?? null }, cause: error },
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > TRUST_STORE_MAX_BYTES) {
      throw new McpCliError(
        "CONFIG_INVALID",
        `${path}: the approvals file is not a regular file of at most ${TRUST_STORE_MAX_BYTES} bytes`,
        { details: { file: path } },
      );
    }
    const buffer = Buffer.alloc(TRUST_STORE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > TRUST_STORE_MAX_BYTES) {
      throw new McpCliError(
        "CONFIG_INVALID",
        `${path}: the approvals file grew past ${TRUST_STORE_MAX_BYTES} bytes`,
        {
          details: { file: path },
        },
      );
    }
    return parseTrustStore(buffer.subarray(0, bytesRead).toString("utf8"), path);
  } finally {
    await handle.close();
  }
}

/** Makes the state folder (0700) unless it exists; refuses a folder that is a symbolic link. */
async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const info = await lstat(folder);
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new McpCliError("PATH_INVALID", `${folder} is not a folder (a symbolic link is not followed)`, {
      details: { path: folder },
    });
  }
  // A folder left group- or world-writable would let others replace the approvals file.
  if ((info.mode & 0o077) !== 0 && typeof process.getuid === "function" && info.uid === process.getuid()) {
    await chmod(folder, 0o700);
  }
}

/** Writes the approvals file atomically: a new 0600 file beside it, renamed over it. */
export async function writeTrustStore(path: string, store: TrustStoreDocument): Promise<void> {
  await ensurePrivateFolder(dirname(path));
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(`${JSON.stringify(store, null, 2)}\n`, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    // rename replaces a symbolic link at `path` itself, never what it points to.
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Remembers that `path` with content `digest` is approved. */
export async function approveFile(context: CommandContext, path: string, digest: string): Promise<void> {
  const storePath = trustStorePath(context);
  const store = await readTrustStore(storePath);
  await writeTrustStore(storePath, withApproval(store, path, digest, new Date()));
}

/** `MCP_CLI_TRUST_ALL=1`: for CI and tests only; see docs/adr/010-config-trust.md. */
function trustAllFromEnvironment(context: CommandContext): boolean {
  return context.env.MCP_CLI_TRUST_ALL === "1";
}

interface TrustState {
  /** Project files that need approval and do not have it, by path. */
  readonly untrusted: Map<string, LoadedConfigFile>;
}

const states = new WeakMap<CommandContext, TrustState>();

/**
 * Decides, once per command after the configuration is loaded, which project files are not yet
 * approved. Files without an `approval` request start nothing and expand nothing.
 */
export async function evaluateTrust(context: CommandContext, config: LoadedConfig): Promise<void> {
  const untrusted = new Map<string, LoadedConfigFile>();
  const pending = (config.files ?? []).filter((file) => file.approval !== undefined);
  if (pending.length > 0 && !trustAllFromEnvironment(context) && context.globals.trustProject !== true) {
    const store = await readTrustStore(trustStorePath(context));
    for (const file of pending) {
      if (file.digest === undefined || !isApproved(store, file.path, file.digest))
        untrusted.set(file.path, file);
    }
  }
  states.set(context, { untrusted });
}

/** The project files of this command that still need approval (after {@link evaluateTrust}). */
export function untrustedFiles(context: CommandContext): readonly LoadedConfigFile[] {
  return [...(states.get(context)?.untrusted.values() ?? [])];
}

/** The question asked on a terminal, with everything from the file escaped. */
export function approvalQuestion(path: string, request: ApprovalRequest): string {
  const lines = [
    `${escapeControlCharacters(path)} is a project configuration file that mcp-cli has not run before.`,
  ];
  if (request.commands.length > 0) {
    lines.push("It starts these programs:");
    for (const command of request.commands) {
      lines.push(
        `  ${escapeControlCharacters(command.server)}: ${escapeControlCharacters(command.commandLine)}`,
      );
    }
  }
  if (request.variables.length > 0) {
    lines.push(
      `It reads these environment variables: ${escapeControlCharacters(request.variables.join(", "))}`,
    );
  }
  lines.push("Trust this file (remembered until it changes)? [y/N] ");
  return lines.join("\n");
}

/**
 * Makes sure the files `servers` come from may start them: on a terminal, asks once per file and
 * remembers a yes; otherwise (or on a no) throws `CONFIG_UNTRUSTED` with the command that approves
 * the file. Call before connecting; {@link assertTrusted} is the last check at connection time.
 */
export async function ensureTrusted(
  context: CommandContext,
  servers: readonly ServerConfig[],
): Promise<void> {
  const state = states.get(context);
  if (state === undefined) return;
  for (const server of servers) {
    const file = state.untrusted.get(server.source);
    if (file?.approval === undefined || file.digest === undefined) continue;
    const ask = context.environment.ask;
    if (ask === undefined) throw untrustedError(file.path, file.approval);
    const answer = await ask(approvalQuestion(file.path, file.approval));
    if (!isYes(answer)) throw untrustedError(file.path, file.approval, "declined at the prompt");
    await approveFile(context, file.path, file.digest);
    state.untrusted.delete(file.path);
    context.output.info(`approved ${file.path}`);
  }
}

/**
 * Throws `CONFIG_UNTRUSTED` when `server` comes from a project file that is not approved. Ad-hoc
 * servers (typed by the user) and user-level files always pass.
 */
export function assertTrusted(context: CommandContext, server: ServerConfig): void {
  if (server.source === AD_HOC_SOURCE) return;
  const file = states.get(context)?.untrusted.get(server.source);
  if (file?.approval !== undefined) throw untrustedError(file.path, file.approval);
}
