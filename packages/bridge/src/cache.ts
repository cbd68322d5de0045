/**
 * The result cache (ADR-003): which calls may be answered from it, its keys, and the default
 * in-memory LRU store.
 */
import { blake3Hex, type CacheProvider, type ContentBlock, canonicalJson } from "@mcp-execution/core";
import { LRUCache } from "lru-cache";

/** What the cache keeps of a successful call. */
export interface CachedToolResult {
  readonly value: unknown;
  readonly content: readonly ContentBlock[];
  readonly structuredContent?: unknown;
  /** Approximate size (bytes of the serialized result), for the cache's byte budget. */
  readonly bytes: number;
}

export interface CacheOptions {
  /** How long an entry may answer calls. Default 60 s. */
  readonly ttlMs?: number;
  /** Entries kept at most. Default 1000. */
  readonly maxEntries?: number;
  /** Total bytes of results kept at most. Default 32 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_CACHE_TTL_MS = 60_000;
export const DEFAULT_CACHE_MAX_ENTRIES = 1_000;
export const DEFAULT_CACHE_MAX_BYTES = 32 * 1024 * 1024;

/** blake3 of the canonical JSON of `[server, tool, arguments]`: key order does not matter. */
export function cacheKey(server: string, tool: string, args: unknown): Promise<string> {
  return blake3Hex(canonicalJson([server, tool, args]));
}

/** An in-memory LRU with a TTL and a byte budget, implementing core's {@link CacheProvider}. */
export function createMemoryCache(options: CacheOptions = {}): CacheProvider<CachedToolResult> {
  const ttl = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const lru = new LRUCache<string, CachedToolResult>({
    max: options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
    maxSize: options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES,
    sizeCalculation: (entry) => Math.max(1, entry.bytes),
    ttl,
  });
  return {
    get: (key) => lru.get(key),
    set: (key, value, setOptions) => {
      // An entry larger than the whole budget is simply not kept.
      if (value.bytes > (options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES)) return;
      lru.set(key, value, { ttl: setOptions?.ttlMs ?? ttl });
    },
    delete: (key) => lru.delete(key),
    clear: () => lru.clear(),
    get size() {
      return lru.size;
    },
  };
}
