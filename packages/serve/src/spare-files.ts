/**
 * Clean file systems kept for the next execution. Writing the generated tree into a fresh volume
 * cost more than the whole sandbox run of a trivial script (about 0.5-1 ms for one server's 19
 * files, growing with the tree), and the tree only changes when a server's tools change.
 *
 * A volume is taken back only if the run left it as it was built: nothing under `/workspace`.
 * The guest can write nowhere else (`/mcp-tools` is sealed), and a removal gives its entry back,
 * so zero entries under `/workspace` means an unchanged volume, and no execution ever sees
 * another's files. It is checked
 * again when handed out. A volume built for another tree or another workspace quota is never
 * handed out.
 */
import type { GeneratedFile } from "@mcp-execution/core";

/** What the pool needs of a volume (`VirtualFileSystem` has it). */
export interface ReusableFiles {
  readonly workspaceQuotaBytes: number;
  readonly disposed: boolean;
  usage(): { readonly workspaceEntries: number };
  dispose(): void;
}

export interface SpareFilesOptions<T extends ReusableFiles> {
  /** A fresh volume holding `tree` (sealed) with an empty workspace of `quotaBytes`. */
  readonly build: (tree: readonly GeneratedFile[], quotaBytes: number) => T;
  /** Clean volumes kept at most, over all trees; the rest are disposed. */
  readonly maxSpare: number;
}

export class SpareFiles<T extends ReusableFiles> {
  readonly #options: SpareFilesOptions<T>;
  /** By tree (the array itself: a refresh builds new arrays), most recently returned last. */
  #spare = new Map<readonly GeneratedFile[], T[]>();
  #count = 0;
  /** Trees handed out since the last clear(): a volume of an older tree is not kept. */
  #current = new WeakSet<readonly GeneratedFile[]>();

  constructor(options: SpareFilesOptions<T>) {
    if (!(options.maxSpare >= 0)) throw new RangeError("maxSpare must be at least 0");
    this.#options = options;
  }

  /** Volumes kept now (for tests and diagnostics). */
  get size(): number {
    return this.#count;
  }

  /** A clean volume holding `tree` with a workspace of `quotaBytes`: a kept one, or a new one. */
  take(tree: readonly GeneratedFile[], quotaBytes: number): T {
    this.#current.add(tree);
    const kept = this.#spare.get(tree);
    if (kept !== undefined) {
      for (let index = kept.length - 1; index >= 0; index--) {
        const files = kept[index] as T;
        if (files.workspaceQuotaBytes !== quotaBytes) continue;
        kept.splice(index, 1);
        this.#count--;
        if (kept.length === 0) this.#spare.delete(tree);
        if (isClean(files)) return files;
        files.dispose();
        break;
      }
    }
    return this.#options.build(tree, quotaBytes);
  }

  /**
   * Hands a volume back after its run: kept when it is clean, its tree is current and there is
   * room; disposed otherwise.
   */
  give(tree: readonly GeneratedFile[], files: T): void {
    if (this.#count >= this.#options.maxSpare || !this.#current.has(tree) || !isClean(files)) {
      if (!files.disposed) files.dispose();
      return;
    }
    const kept = this.#spare.get(tree);
    if (kept === undefined) this.#spare.set(tree, [files]);
    else kept.push(files);
    this.#count++;
  }

  /** Disposes every kept volume (the tree changed, or serve is closing). */
  clear(): void {
    for (const kept of this.#spare.values()) for (const files of kept) files.dispose();
    this.#spare = new Map();
    this.#count = 0;
    this.#current = new WeakSet();
  }
}

function isClean(files: ReusableFiles): boolean {
  return !files.disposed && files.usage().workspaceEntries === 0;
}
