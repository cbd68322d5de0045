import { readFileSync } from "node:fs";
import { Command } from "commander";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** Parses `argv` (without node and script), runs the command and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("mcp-cli")
    .description("Use MCP servers from code: introspect, generate typed APIs, execute in a sandbox")
    .version(packageVersion(), "-V, --version")
    .exitOverride();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode;
    return typeof exitCode === "number" ? exitCode : 1;
  }
}
