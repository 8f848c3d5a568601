import { DurableObject } from "cloudflare:workers";
import type { CacheCandidate, CacheCounter, CacheEntry, CachePut, CacheStats, ShadowRecord } from "../types";
import { deleteEntries, getEntry, nearest, putEntry, touchEntry } from "./entries";
import { migrateTenantCache } from "./schema";
import { appendShadow, increment, readStats } from "./stats";

/**
 * One tenant's response cache (the embedded default backend): entries with their prompt embeddings, hit/miss
 * counters and the shadow log, in this object's SQLite. Addressed by `idFromName("cache:" + tenantId)`, so a tenant
 * can only ever reach its own object. Semantic lookups are an exact cosine scan over the tenant's entries, which
 * max_entries keeps bounded (10,000 entries of 512 dims scan in a few ms). Every write runs in one synchronous
 * transaction, so eviction never sees a half-written entry.
 */
export class TenantCache extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrateTenantCache(this.sql));
  }

  get(id: string, now: number): CacheEntry | undefined {
    return getEntry(this.sql, id, now);
  }

  query(vector: number[], scope: string, topK: number, now: number): CacheCandidate[] {
    return nearest(this.sql, vector, scope, topK, now);
  }

  touch(id: string, now: number): void {
    this.tx(() => touchEntry(this.sql, id, now));
  }

  put(p: CachePut, now: number): void {
    this.tx(() => putEntry(this.sql, p, now));
  }

  invalidate(model: string | undefined): number {
    return this.tx(() => deleteEntries(this.sql, model));
  }

  count(counter: CacheCounter): void {
    increment(this.sql, counter);
  }

  recordShadow(record: ShadowRecord): void {
    this.tx(() => appendShadow(this.sql, record));
  }

  stats(): CacheStats {
    return readStats(this.sql);
  }

  private tx<T>(fn: () => T): T {
    return this.ctx.storage.transactionSync(fn);
  }
}
