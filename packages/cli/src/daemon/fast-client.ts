/**
 * The fast client: bin.ts hands an `execute` or `call` command line to the daemon that runs for
 * this folder before it loads commander, the configuration or any command module. Only node:net,
 * node:fs, node:path and node:tty load here (and, in the installed bundle, all of it sits inside bin.cjs).
 *
 * The client does not decide whether the daemon may answer: it finds a candidate daemon through
 * the locator record (paths.ts) and sends the command line with its environment, folder and
 * terminal. The daemon runs the CLI's own `main` for it (remote.ts), which computes the
 * configuration fingerprint exactly as the in-process path does, and either takes the command
 * (`served`, then the output and the exit code) or declines before anything ran (`fallback`).
 * Every doubt on this side (no record, no socket, a refused or dropped connection before
 * `served`, an answer not understood) returns undefined, and bin.ts runs the full CLI.
 */
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { isatty } from "node:tty";
import type { DaemonCommandLine } from "./fast-argv.js";
import { MAX_FRAME_BYTES, readFrames, writeFrame } from "./frames.js";
import { daemonDirectoryFor, locatorFileName, readRecord, socketFileName } from "./paths.js";

/**
 * How long the daemon may take to say whether it takes the command (it reads the configuration and
 * fingerprints it; nothing has run or printed yet). A daemon that hangs, or anything else listening
 * at the socket's name, then costs this once and the command runs in-process; closing the socket
 * also ends anything the daemon started in the same instant, as a client that went away does.
 */
const DECIDE_TIMEOUT_MS = 10_000;

export interface FastClientProcess {
  readonly argv: readonly string[];
  readonly version: string;
  readonly cwd: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Calls `listener` on each Ctrl-C until the returned function is called. */
  onInterrupt(listener: () => void): () => void;
  /**
   * Reports, as main would, what ended a command the daemon could not finish: the connection lost
   * after the daemon took it, or a Ctrl-C while it was deciding. Resolves with the exit code.
   */
  report(ending: "lost" | "interrupted"): Promise<number>;
}

function open(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => resolve(socket));
    // A stale socket (ECONNREFUSED) is left for the full path, which removes it.
    socket.once("error", () => resolve(undefined));
  });
}

interface Frame {
  readonly id?: unknown;
  readonly served?: unknown;
  readonly out?: unknown;
  readonly text?: unknown;
  readonly result?: { readonly exit?: unknown; readonly fallback?: unknown };
}

/**
 * Runs the command line (`line`: what fast-argv.ts made of `client.argv`) through the daemon and resolves with its exit code, or with undefined
 * when the full CLI must run it (nothing has been printed then).
 */
export async function runThroughDaemon(
  line: DaemonCommandLine,
  client: FastClientProcess,
): Promise<number | undefined> {
  if (client.env.MCP_CLI_NO_DAEMON === "1") return undefined;
  const directory = daemonDirectoryFor(client.env, client.home);
  const fingerprint = readRecord(join(directory, locatorFileName(client.version, client.cwd, line.config)));
  if (fingerprint === undefined) return undefined;
  const socket = await open(join(directory, socketFileName(fingerprint)));
  if (socket === undefined) return undefined;

  let served = false;
  let undecided: NodeJS.Timeout | undefined;
  let interrupts = 0;
  const stopListening = client.onInterrupt(() => {
    interrupts++;
    // A second Ctrl-C exits at once, as in-process.
    if (interrupts > 1) process.exit(130);
    writeFrame(socket, { id: 2, method: "interrupt", params: { request: 1 } });
  });
  try {
    const answer = await new Promise<number | "fallback" | "lost">((resolve) => {
      undecided = setTimeout(() => resolve("fallback"), DECIDE_TIMEOUT_MS);
      readFrames(socket, MAX_FRAME_BYTES, (value) => {
        const frame = value as Frame;
        if (typeof frame !== "object" || frame === null || frame.id !== 1) return;
        if (frame.served === true) {
          served = true;
          clearTimeout(undecided);
        } else if (frame.out !== undefined && served && typeof frame.text === "string") {
          if (frame.out === "stdout") client.stdout.write(frame.text);
          else if (frame.out === "stderr") client.stderr.write(frame.text);
        } else if (typeof frame.result?.exit === "number" && served) resolve(frame.result.exit);
        else resolve(served ? "lost" : "fallback");
      });
      socket.once("close", () => resolve(served ? "lost" : "fallback"));
      socket.on("error", () => {});
      writeFrame(socket, {
        id: 1,
        method: "cli",
        params: {
          argv: client.argv,
          env: client.env,
          cwd: client.cwd,
          home: client.home,
          // What process.stdin.isTTY and its siblings would say, without creating the streams
          // (process.stdin alone costs about a tenth of a Node start; measured in the bench).
          terminal: { stdin: isatty(0), stdout: isatty(1), stderr: isatty(2) },
        },
      });
    });
    // After a Ctrl-C the user wants the command ended, not started again in this process.
    if (answer === "fallback") return interrupts > 0 ? await client.report("interrupted") : undefined;
    if (answer === "lost") return await client.report("lost");
    return answer;
  } finally {
    clearTimeout(undecided);
    stopListening();
    socket.destroy();
  }
}
