/**
 * Small helpers for the ownership rule: every resource has one owner and a `dispose()`; closing is
 * idempotent; use after dispose throws `DISPOSED`; children are disposed in reverse order.
 */
import { McpCliError } from "./errors.js";

export function disposedError(what: string): McpCliError {
  return new McpCliError("DISPOSED", `${what} was used after it was closed`, { details: { resource: what } });
}

type Cleanup = () => void | PromiseLike<void>;

/**
 * Owns a list of cleanups and runs them once, last added first. Errors from cleanups do not stop
 * the others; they are collected and rethrown together (one error as is, several as AggregateError).
 */
export class ResourceScope implements AsyncDisposable {
  readonly #cleanups: Cleanup[] = [];
  #closing: Promise<void> | undefined;

  constructor(private readonly what = "resource scope") {}

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Registers a cleanup. Throws `DISPOSED` once the scope is closing. */
  defer(cleanup: Cleanup): void {
    if (this.#closing !== undefined) throw disposedError(this.what);
    this.#cleanups.push(cleanup);
  }

  /** Registers a resource's async or sync disposal and returns the resource. */
  use<T extends AsyncDisposable | Disposable>(resource: T): T {
    if (Symbol.asyncDispose in resource) {
      this.defer(() => (resource as AsyncDisposable)[Symbol.asyncDispose]());
    } else {
      this.defer(() => (resource as Disposable)[Symbol.dispose]());
    }
    return resource;
  }

  /** Runs every cleanup once; later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#runCleanups();
    return this.#closing;
  }

  async #runCleanups(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#cleanups.length > 0) {
      const cleanup = this.#cleanups.pop() as Cleanup;
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${errors.length} cleanups of ${this.what} failed`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
