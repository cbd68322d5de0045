/**
 * What one paginated listing (`tools/list`, `resources/list`, `resources/templates/list`,
 * `prompts/list`) may cost in total. Each page is already bounded where it arrives
 * (`maxResponseBytes`), but a server can hand out fresh cursors forever; the budget stops it
 * after a number of pages, items or bytes, whichever comes first.
 */
import { McpCliError } from "@mcp-execution/core";
import { jsonSize } from "./json-size.js";

export interface ListingLimits {
  /** Pages followed per listing. */
  readonly maxPages: number;
  /** Items (tools, resources, ...) per listing. */
  readonly maxItems: number;
  /** Bytes of JSON (items and cursors) per listing. */
  readonly maxBytes: number;
}

/**
 * 1,000 pages, 10,000 items, 32 MiB: far above real servers (server-everything lists 13 tools,
 * large ones about 100), and the whole listing costs no more than one answer may.
 */
export const DEFAULT_LISTING_LIMITS: ListingLimits = {
  maxPages: 1_000,
  maxItems: 10_000,
  maxBytes: 32 * 1024 * 1024,
};

/** Counts one listing's pages; {@link charge} throws `LIMIT_SIZE` once a limit is passed. */
export class ListingBudget {
  readonly #limits: ListingLimits;
  #pages = 0;
  #items = 0;
  #bytes = 0;

  constructor(
    private readonly server: string,
    private readonly method: string,
    limits: Partial<ListingLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_LISTING_LIMITS, ...limits };
  }

  /** Called before a page is requested: refuses the page after the last allowed one. */
  beforePage(): void {
    if (this.#pages >= this.#limits.maxPages) this.#exceeded("pages", this.#limits.maxPages);
    this.#pages += 1;
  }

  /** Counts a page that arrived. */
  charge(items: readonly unknown[], nextCursor: string | undefined): void {
    this.#items += items.length;
    if (this.#items > this.#limits.maxItems) this.#exceeded("items", this.#limits.maxItems);
    this.#bytes += jsonSize(items) + (nextCursor?.length ?? 0);
    if (this.#bytes > this.#limits.maxBytes) this.#exceeded("bytes", this.#limits.maxBytes);
  }

  #exceeded(limit: "pages" | "items" | "bytes", value: number): never {
    const unit = limit === "bytes" ? "bytes of JSON" : limit;
    throw new McpCliError(
      "LIMIT_SIZE",
      `server "${this.server}" listed more than ${value} ${unit} for ${this.method}; stopped following its cursors`,
      { details: { server: this.server, method: this.method, limit, max: value } },
    );
  }
}
