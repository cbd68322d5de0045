/**
 * The audit log: JSON Lines, one record per execution and per tool call, appended to a file the
 * operator names (`serve --audit-log FILE`). Records carry time, client, server, tool, duration,
 * outcome and a blake3 digest of the arguments; values only with `--audit-args`. Every string is
 * passed through the redactor first, so configured secrets never reach the file.
 *
 * The file is opened once with O_APPEND | O_NOFOLLOW and mode 0600: a symlink planted at the path
 * is refused, not followed. Writes are queued in order and never block an execution; a failed
 * write is reported once through `onError` and further records are dropped.
 */
import { constants, type FileHandle, open } from "node:fs/promises";

export interface AuditRecord {
  readonly kind: "execution" | "tool_call";
  readonly client?: string | undefined;
  readonly server?: string | undefined;
  readonly tool?: string | undefined;
  readonly durationMs: number;
  readonly outcome: string;
  readonly argsDigest?: string | undefined;
  readonly args?: unknown;
  readonly codeDigest?: string | undefined;
  readonly toolCalls?: number | undefined;
}

export interface AuditLogOptions {
  readonly path: string;
  readonly redact: (text: string) => string;
  readonly onError: (error: Error) => void;
}

export class AuditLog {
  readonly #options: AuditLogOptions;
  readonly #handle: Promise<FileHandle>;
  #chain: Promise<void> = Promise.resolve();
  #failed = false;

  constructor(options: AuditLogOptions) {
    this.#options = options;
    this.#handle = open(
      options.path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
    this.#handle.catch((error: Error) => this.#fail(error));
  }

  /** Opens the file now, so a bad path fails at start-up rather than at the first record. */
  async ready(): Promise<void> {
    await this.#handle;
  }

  write(record: AuditRecord): void {
    if (this.#failed) return;
    const line = `${this.#options.redact(JSON.stringify({ time: new Date().toISOString(), ...record }))}\n`;
    this.#chain = this.#chain
      .then(async () => {
        if (this.#failed) return;
        await (await this.#handle).appendFile(line);
      })
      .catch((error: Error) => this.#fail(error));
  }

  async close(): Promise<void> {
    await this.#chain;
    if (!this.#failed) await (await this.#handle).close();
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#options.onError(error);
  }
}
