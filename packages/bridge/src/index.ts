export {
  type Bridge,
  type BridgeLimits,
  type BridgeOptions,
  createBridge,
  DEFAULT_MAX_ARGUMENT_BYTES,
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_RATE_LIMIT_MAX_WAIT_MS,
  type RateLimitOptions,
  type ScopedToolBridge,
  type ScopeOptions,
} from "./bridge.js";
export {
  type CachedToolResult,
  type CacheOptions,
  cacheKey,
  createMemoryCache,
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_CACHE_MAX_ENTRIES,
  DEFAULT_CACHE_TTL_MS,
} from "./cache.js";
export { parseTextValue, resultValue } from "./normalize.js";
export { TokenBucket } from "./rate-limit.js";
export {
  type BridgeStats,
  type CallStats,
  LATENCY_WINDOW,
  type LatencySummary,
  type ServerStats,
} from "./stats.js";
export { readablePath, type ValidationProblem } from "./validation.js";
