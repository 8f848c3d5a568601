import { guardCall } from "../guard";
import type { CacheStore, SemanticCache } from "../types";
import type { TenantCache } from "./tenant-cache";

export interface DurableObjectCacheOptions {
  namespace: DurableObjectNamespace<TenantCache>;
  timeoutMs: number;
}

/** The embedded default: one TenantCache object per tenant. */
export function createDurableObjectCache(opts: DurableObjectCacheOptions): CacheStore {
  return {
    name: "durable-object",
    forTenant(tenantId: string): SemanticCache {
      // A fresh stub per call: a stub that saw a disconnect stays broken.
      const stub = () => opts.namespace.get(opts.namespace.idFromName(`cache:${tenantId}`));
      const call = <T>(what: string, fn: () => Promise<T>) => guardCall(what, opts.timeoutMs, fn);
      return {
        get: (id, now) => call("get", async () => (await stub().get(id, now)) ?? undefined),
        query: (q) => call("query", async () => await stub().query([...q.vector], q.scope, q.topK, q.now)),
        touch: (id, now) => call("touch", async () => await stub().touch(id, now)),
        put: (p, now) =>
          call("put", async () => {
            const put = { entry: p.entry, maxEntries: p.maxEntries, ...(p.vector ? { vector: [...p.vector] } : {}) };
            await stub().put(put, now);
          }),
        invalidate: (o) => call("invalidate", async () => await stub().invalidate(o.model)),
        count: (counter) => call("count", async () => await stub().count(counter)),
        recordShadow: (record) => call("recordShadow", async () => await stub().recordShadow(record)),
        stats: () => call("stats", async () => await stub().stats()),
      };
    },
  };
}
