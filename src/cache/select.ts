import type { Bindings } from "../ledger/config";
import { createDurableObjectCache, type TenantCache } from "./durable-object";
import type { CacheEnvConfig } from "./env-config";
import type { CacheStore } from "./types";
import { createUpstashCache } from "./upstash";

function isNamespace(value: unknown): value is DurableObjectNamespace<TenantCache> {
  return typeof value === "object" && value !== null && "idFromName" in value && "get" in value;
}

/**
 * The one place the cache's storage product is chosen: CACHE_BACKEND, defaulting to Upstash Vector when
 * UPSTASH_VECTOR_REST_URL is set and to the embedded Durable Objects otherwise. Undefined when the chosen backend is
 * not configured: the gateway then runs without a cache (every cacheable request is a bypass), it does not fail.
 */
export function selectCache(env: { config: CacheEnvConfig }, raw: Bindings): CacheStore | undefined {
  const { config } = env;
  const backend = config.CACHE_BACKEND ?? (config.UPSTASH_VECTOR_REST_URL === undefined ? "durable-object" : "upstash");
  if (backend === "upstash") {
    if (config.UPSTASH_VECTOR_REST_URL === undefined || config.UPSTASH_VECTOR_REST_TOKEN === undefined) {
      console.warn("CACHE_BACKEND=upstash needs UPSTASH_VECTOR_REST_URL and UPSTASH_VECTOR_REST_TOKEN; cache disabled");
      return undefined;
    }
    return createUpstashCache({
      url: config.UPSTASH_VECTOR_REST_URL,
      token: config.UPSTASH_VECTOR_REST_TOKEN,
      timeoutMs: config.CACHE_TIMEOUT_MS,
    });
  }
  const namespace = raw.TENANT_CACHE;
  if (!isNamespace(namespace)) {
    console.warn("the durable-object cache needs the TENANT_CACHE binding (see wrangler.toml); cache disabled");
    return undefined;
  }
  return createDurableObjectCache({ namespace, timeoutMs: config.CACHE_TIMEOUT_MS });
}
