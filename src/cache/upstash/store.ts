import { Index } from "@upstash/vector/cloudflare";
import { guardCall } from "../guard";
import type { CacheCandidate, CacheStore, SemanticCache } from "../types";
import { cosineFromUpstashScore } from "../vector";
import { entriesNamespace, filterString, statsNamespace } from "./names";
import { entryData, entryFromRecord, entryMetadata, usedAt } from "./records";
import { appendShadow, rangeAll, readCounts, readShadow, ShardCounters } from "./stats";

export interface UpstashCacheOptions {
  url: string;
  token: string;
  /** Per call; past it the request goes on without the cache. */
  timeoutMs: number;
}

type Namespace = ReturnType<Index["namespace"]>;
type UpsertArg = Parameters<Namespace["upsert"]>[0];

/**
 * Eviction brings a full tenant down to this many entries: exactly max_entries for small caches, 90% for large ones,
 * so that a full cache is not scanned for its least recently used entries on every single write.
 */
export function evictionTarget(maxEntries: number): number {
  return maxEntries >= 20 ? maxEntries - Math.floor(maxEntries / 10) : maxEntries;
}

/**
 * The production backend: Upstash Vector, one namespace per tenant (entries) plus one for its counters and shadow
 * log. The index must use the COSINE metric and the embedder's dimension. Client retries are off: a slow or failing
 * store costs a request at most `timeoutMs`, then the cache is bypassed.
 */
export function createUpstashCache(opts: UpstashCacheOptions): CacheStore {
  const index = new Index({ url: opts.url, token: opts.token, retry: false, enableTelemetry: false });
  let dimension: Promise<number> | undefined;
  /** A fixed unit vector for records that must never match a search (exact-only entries, counters). */
  const placeholder = async (): Promise<number[]> => {
    dimension ??= index.info().then((info) => info.dimension);
    const n = await dimension.catch((err: unknown) => {
      dimension = undefined;
      throw err;
    });
    const v = new Array<number>(n).fill(0);
    v[0] = 1;
    return v;
  };
  let shardId: string | undefined;
  // Random values may only be made while handling a request, so the shard id is drawn on first use.
  const shard = () => {
    shardId ??= crypto.randomUUID();
    return shardId;
  };
  const counters = new Map<string, ShardCounters>();

  const entryCount = async (name: string): Promise<number> => {
    const info = await index.info();
    const ns = info.namespaces[name];
    return ns === undefined ? 0 : ns.vectorCount + ns.pendingVectorCount;
  };

  return {
    name: "upstash",
    forTenant(tenantId: string): SemanticCache {
      const entriesName = entriesNamespace(tenantId);
      const entries = index.namespace(entriesName);
      const stats = index.namespace(statsNamespace(tenantId));
      const call = <T>(what: string, fn: () => Promise<T>) => guardCall(what, opts.timeoutMs, fn);
      let shardCounters = counters.get(tenantId);
      if (shardCounters === undefined) {
        shardCounters = new ShardCounters(stats, shard, placeholder);
        counters.set(tenantId, shardCounters);
      }
      const tenantCounters = shardCounters;

      const evict = async (maxEntries: number, now: number) => {
        let count = await entryCount(entriesName);
        if (count <= maxEntries) return;
        count -= (await entries.delete({ filter: `exp <= ${now}` })).deleted;
        if (count <= maxEntries) return;
        const all = await rangeAll(entries, "");
        all.sort((a, b) => usedAt(a.metadata) - usedAt(b.metadata) || (a.id < b.id ? -1 : 1));
        const victims = all.slice(0, Math.max(0, all.length - evictionTarget(maxEntries))).map((r) => r.id);
        if (victims.length > 0) await entries.delete(victims);
      };

      return {
        get: (id, now) =>
          call("get", async () => {
            const [record] = await entries.fetch([id], { includeMetadata: true, includeData: true });
            if (record == null) return undefined;
            const entry = entryFromRecord(String(record.id), record.metadata, record.data);
            return entry !== undefined && entry.expiresAt > now ? entry : undefined;
          }),
        query: (q) =>
          call("query", async () => {
            const results = await entries.query({
              vector: [...q.vector],
              topK: q.topK,
              includeMetadata: true,
              includeData: true,
              filter: `sem = 1 AND scope = ${filterString(q.scope)} AND exp > ${q.now}`,
            });
            const out: CacheCandidate[] = [];
            for (const r of results) {
              const entry = entryFromRecord(String(r.id), r.metadata, r.data);
              if (entry !== undefined) out.push({ entry, cosine: cosineFromUpstashScore(r.score) });
            }
            return out.sort((a, b) => b.cosine - a.cosine);
          }),
        touch: (id, now) =>
          call("touch", async () => {
            await entries.update({ id, metadata: { used: now }, metadataUpdateMode: "PATCH" });
          }),
        put: (p, now) =>
          call("put", async () => {
            const vector = p.vector === undefined ? await placeholder() : [...p.vector];
            const record = {
              id: p.entry.id,
              vector,
              metadata: entryMetadata(p.entry, p.vector !== undefined, now),
              // The REST API takes `data` next to a vector; the client's types only allow it for embedding indexes.
              data: entryData(p.entry),
            };
            await entries.upsert(record as UpsertArg);
            await evict(p.maxEntries, now);
          }),
        invalidate: (o) =>
          call("invalidate", async () => {
            const filter = o.model === undefined ? "exp >= 0" : `model = ${filterString(o.model)}`;
            return (await entries.delete({ filter })).deleted;
          }),
        count: (counter, now) => call("count", () => tenantCounters.count(counter, now)),
        recordShadow: (record) => call("recordShadow", async () => appendShadow(stats, record, await placeholder())),
        stats: (now) =>
          call("stats", async () => ({
            counts: await readCounts(stats, now, placeholder),
            entries: await entryCount(entriesName),
            shadow: await readShadow(stats),
          })),
      };
    },
  };
}
