/**
 * Loads the server configuration from the real filesystem, with the discovery order of
 * docs/conventions.md section 2 (implemented in core), and reports the loader's warnings on stderr.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type LoadedConfig, loadConfig, McpCliError } from "@mcp-execution/core";
import type { CommandContext } from "./context.js";

/** The text of `path`, or undefined when it does not exist. Unreadable files are `CONFIG_INVALID`. */
export async function readConfigText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new McpCliError(
      "CONFIG_INVALID",
      `cannot read configuration file ${path}: ${(error as Error).message}`,
      {
        details: { file: path, errno: code ?? null },
        cause: error,
      },
    );
  }
}

const loaded = new WeakMap<CommandContext, Promise<LoadedConfig>>();

/** The configuration for this command, loaded once; warnings go to stderr. */
export function loadConfiguration(context: CommandContext): Promise<LoadedConfig> {
  let promise = loaded.get(context);
  if (promise === undefined) {
    promise = (async () => {
      const explicit = context.globals.config;
      const config = await loadConfig(context.environment, {
        ...(explicit === undefined ? {} : { explicitPath: resolve(context.cwd, explicit) }),
        readFile: readConfigText,
      });
      for (const warning of config.warnings) context.output.warn(warning);
      const looked = config.searched.map((candidate) => `  ${candidate.path}`).join("\n");
      context.output.debug(
        config.path === undefined
          ? `no configuration found; looked at:\n${looked}`
          : `configuration: ${config.path} (${config.kind}); candidates, in order:\n${looked}`,
      );
      return config;
    })();
    loaded.set(context, promise);
  }
  return promise;
}
