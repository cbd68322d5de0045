/**
 * The SDK's Transport over a {@link ServerProcess}. Unlike the SDK's own stdio transport it
 * starts the server in its own process group (so closing also stops what a wrapper such as
 * `npx` started), keeps a stderr tail, reports lines that are not JSON-RPC instead of failing on
 * them, and bounds message size.
 */
import type { StdioServerConfig } from "@mcp-execution/core";
import { serverEnvironment } from "../environment.js";
import { ServerProcess } from "../server-process.js";
import {
  type ConnectOptions,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_STDERR_TAIL_CHARS,
} from "./contract.js";
import type { ConnectionState } from "./errors.js";
import type { SdkMessage, SdkModule, SdkTransport } from "./sdk.js";

export class ProcessTransport implements SdkTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends SdkMessage>(message: T) => void;
  #process: ServerProcess | undefined;
  #closedNotified = false;

  constructor(
    private readonly sdk: SdkModule,
    private readonly config: StdioServerConfig,
    private readonly options: ConnectOptions,
    private readonly state: ConnectionState,
  ) {}

  /**
   * The SDK's version probe treats a transport with `pid` and `stderr` as stdio: a server that
   * stays silent on `server/discover` is then a legacy server (fall back to `initialize`), not
   * an outage. stderr itself is read by {@link ServerProcess}, not through here.
   */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  get stderr(): null {
    return null;
  }

  async start(): Promise<void> {
    const diagnostics = this.options.diagnostics;
    const source = `server:${this.config.name}`;
    const cwd = this.config.cwd ?? this.options.cwd;
    const host = this.options.environment ?? {};
    const env = serverEnvironment({
      host,
      config: this.config.env,
      ...(this.options.inheritEnvironment === undefined ? {} : { inherit: this.options.inheritEnvironment }),
    });
    this.state.withheld = Object.keys(host).filter(
      (name) => host[name] !== undefined && !Object.hasOwn(env, name),
    );
    const process = new ServerProcess({
      command: this.config.command,
      args: this.config.args,
      env,
      ...(cwd === undefined ? {} : { cwd }),
      killGraceMs: this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      stderrTailChars: this.options.stderrTailChars ?? DEFAULT_STDERR_TAIL_CHARS,
      maxLineBytes: this.options.maxMessageBytes ?? this.config.maxResponseBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      onLine: (line) => this.#onLine(line),
      ...(diagnostics === undefined
        ? {}
        : {
            onStderrLine: (line: string) =>
              diagnostics({ level: "info", message: this.state.redactor.text(line), source }),
          }),
      onExit: (exit) => {
        this.state.exit = exit;
        if (exit.error !== undefined && exit.error.code !== "CONNECT_FAILED") this.state.fatal = exit.error;
        this.#warn(this.state.noise.summary());
        this.#notifyClosed();
      },
    });
    this.#process = process;
    this.state.process = process;
    await process.start();
  }

  #onLine(line: string): void {
    if (line.trim() === "") return;
    let message: SdkMessage | undefined;
    try {
      message = this.sdk.parseJSONRPCMessage(JSON.parse(line));
    } catch {
      // not JSON or not JSON-RPC: reported below
    }
    if (message === undefined) {
      this.#warn(this.state.noise.record(line));
      return;
    }
    this.state.receivedMessages += 1;
    this.onmessage?.(message);
  }

  #warn(message: string | undefined): void {
    if (message === undefined) return;
    const source = `server:${this.config.name}`;
    this.options.diagnostics?.({ level: "warn", message: this.state.redactor.text(message), source });
  }

  #notifyClosed(): void {
    if (this.#closedNotified) return;
    this.#closedNotified = true;
    this.onclose?.();
  }

  send(message: SdkMessage): Promise<void> {
    const process = this.#process;
    if (process === undefined) return Promise.reject(new Error("Not connected"));
    return process.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    await this.#process?.terminate();
    this.#notifyClosed();
  }
}
