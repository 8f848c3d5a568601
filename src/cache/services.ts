import type { Bindings } from "../ledger/config";
import type { CacheEnvConfig } from "./env-config";
import { selectCache } from "./select";
import type { CacheStore } from "./types";

/** What the request path needs from the cache room, built once per isolate. */
export interface CacheServices {
  /** Undefined when no backend is configured: cacheable requests are then bypasses. */
  store: CacheStore | undefined;
  /** A Worker binding by name: the Workers AI binding a policy's embedder names. */
  binding(name: string): unknown;
}

export function cacheServices(env: { config: CacheEnvConfig }, raw: Bindings): CacheServices {
  return { store: selectCache(env, raw), binding: (name) => raw[name] };
}
