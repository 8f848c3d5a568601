import type { CacheConfig, RouteConfig, TenantConfig } from "../policy/types";
import type { CacheDecisionConfig } from "./decision";
import { DEFAULT_CACHE_DECISION } from "./decision";

/**
 * The cache settings for one request: the route's, with the tenant's (plan's) overrides on top. Undefined when the
 * cache is off for it (no settings, or mode `off`).
 */
export function effectiveCacheConfig(route: RouteConfig, tenant: TenantConfig): CacheConfig | undefined {
  // Policies compiled before the cache existed have no `cache`: treat them as off.
  const base = (route as Partial<RouteConfig>).cache;
  if (base === undefined) return undefined;
  const merged: CacheConfig = { ...base, ...(tenant.cache ?? {}) };
  return merged.mode === "off" ? undefined : merged;
}

/**
 * How a semantic candidate is judged. Without a policy threshold: the gateway's calibrated decision (blended score,
 * lexical vetoes; see src/cache/decision). With one: the policy's threshold is on PLAIN cosine, as the policy field
 * says, and the calibrated hard vetoes still apply (they only ever remove hits that differ in numbers, entities,
 * negation-free antonyms and the like).
 */
export function decisionConfigFor(cache: CacheConfig): CacheDecisionConfig {
  // The representability guard runs on every path; only its coverage comes from the embedder's declaration.
  const coverage = cache.embedder?.multilingual === true ? { coverage: "multilingual" as const } : {};
  if (cache.threshold === undefined) {
    return cache.embedder?.multilingual === true ? { ...DEFAULT_CACHE_DECISION, ...coverage } : DEFAULT_CACHE_DECISION;
  }
  return {
    threshold: cache.threshold,
    minCosine: -1,
    vetoes: DEFAULT_CACHE_DECISION.vetoes,
    penalties: {},
    ...coverage,
    blend: { overlap: 0, length: 0 },
  };
}
