/**
 * Loads the server configuration from the real filesystem, with the discovery and merge rules of
 * docs/configuration.md (implemented in core), reports the loader's warnings on stderr, and
 * decides which project files still need approval (config-trust.ts).
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { type LoadedConfig, loadConfig, McpCliError } from "@mcp-execution/core";
import { evaluateTrust } from "./config-trust.js";
import type { CommandContext } from "./context.js";
import { projectRoot } from "./locations.js";

function unreadable(path: string, message: string, error?: unknown): McpCliError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new McpCliError("CONFIG_INVALID", `cannot read configuration file ${path}: ${message}`, {
    details: { file: path, errno: code ?? null },
    ...(error === undefined ? {} : { cause: error }),
  });
}

/**
 * The text of `path`, or undefined when it does not exist. Reads at most `maxBytes` (a larger file
 * is `CONFIG_INVALID` before anything is parsed); a FIFO or device is refused without blocking on it.
 * Unreadable files are `CONFIG_INVALID`.
 */
export async function readConfigText(path: string, maxBytes = 64 * 1024 * 1024): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw unreadable(path, (error as Error).message, error);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw unreadable(path, "it is a folder");
    if (!info.isFile()) throw unreadable(path, "it is not a regular file");
    if (info.size > maxBytes) {
      throw new McpCliError(
        "CONFIG_INVALID",
        `${path}: the file has ${info.size} bytes, more than the ${maxBytes} read from a configuration file`,
        { details: { file: path, size: info.size, limit: maxBytes } },
      );
    }
    // Read one byte past the bound: a file that grew after stat() is refused, not cut.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) {
      throw new McpCliError(
        "CONFIG_INVALID",
        `${path}: the file grew past ${maxBytes} bytes while being read`,
        {
          details: { file: path, limit: maxBytes },
        },
      );
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch (error) {
    if (error instanceof McpCliError) throw error;
    throw unreadable(path, (error as Error).message, error);
  } finally {
    await handle.close();
  }
}

const loaded = new WeakMap<CommandContext, Promise<LoadedConfig>>();

/** The configuration for this command, loaded once; warnings go to stderr. */
export function loadConfiguration(context: CommandContext): Promise<LoadedConfig> {
  let promise = loaded.get(context);
  if (promise === undefined) {
    promise = (async () => {
      const explicit = context.globals.config;
      const root = projectRoot(context);
      const config = await loadConfig(
        { ...context.environment, projectRoot: root },
        {
          ...(explicit === undefined ? {} : { explicitPath: resolve(context.cwd, explicit) }),
          readFile: readConfigText,
        },
      );
      for (const warning of config.warnings) context.output.warn(warning);
      const looked = config.searched.map((candidate) => `  ${candidate.path}`).join("\n");
      const read = (config.files ?? [])
        .map((file) => `  ${file.path} (${file.kind}, ${file.scope})`)
        .join("\n");
      context.output.debug(
        config.path === undefined
          ? `no configuration found (project root ${root}); looked at:\n${looked}`
          : `configuration read, highest rank first (project root ${root}):\n${read}\ncandidates, in order:\n${looked}`,
      );
      await evaluateTrust(context, config);
      return config;
    })();
    loaded.set(context, promise);
  }
  return promise;
}
