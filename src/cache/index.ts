export { type CacheKeys, cacheKeys } from "./scope";
export { type CacheServices, cacheServices } from "./services";
export type {
  CacheCandidate,
  CacheCounter,
  CacheEntry,
  CachePut,
  CacheStats,
  CacheStore,
  SemanticCache,
  ShadowRecord,
} from "./types";
export { CacheUnavailableError } from "./types";
