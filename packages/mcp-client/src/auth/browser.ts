/**
 * Opening the authorization URL the way other command-line tools do: the `BROWSER` environment
 * variable names the program (a `:`-separated list is tried in order; `%s` in an entry is replaced
 * by the URL, otherwise the URL is appended as the last argument; entries are split on spaces and
 * never run through a shell). Without `BROWSER`, the platform's opener (`xdg-open`, `open`,
 * `rundll32`). The caller passes the environment; nothing here reads `process.env`.
 */
import { spawn } from "node:child_process";

/** The commands to try, first to last, for `url`. */
export function browserCommands(
  url: string,
  environment: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): string[][] {
  const configured = environment.BROWSER;
  if (configured !== undefined && configured.trim() !== "") {
    return configured
      .split(":")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "")
      .map((entry) => {
        const words = entry.split(/\s+/);
        return words.some((word) => word.includes("%s"))
          ? words.map((word) => word.replaceAll("%s", url))
          : [...words, url];
      });
  }
  if (platform === "darwin") return [["open", url]];
  if (platform === "win32") return [["rundll32", "url.dll,FileProtocolHandler", url]];
  return [["xdg-open", url]];
}

/**
 * Starts the first command that can be started; resolves true when one started, false when none
 * could (the caller has printed the URL anyway). The browser is not waited for.
 */
export async function openInBrowser(
  url: string,
  environment: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): Promise<boolean> {
  for (const [command, ...args] of browserCommands(url, environment, platform)) {
    if (command === undefined) continue;
    const started = await new Promise<boolean>((resolve) => {
      const child = spawn(command, args, { stdio: "ignore", detached: true, env: { ...environment } });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    });
    if (started) return true;
  }
  return false;
}
