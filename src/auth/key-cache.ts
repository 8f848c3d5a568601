import type { KeyRecord, KeyStore } from "../ledger/types";

/**
 * Key records read from the store, kept per isolate for `ttlMs`. This bounds revocation: a revoked key keeps
 * working on an isolate for at most `ttlMs` after the revoke (KEY_CACHE_TTL_MS, default 10 s).
 *
 * Unknown ids are remembered too, for the same `ttlMs` (at most NEGATIVE_TTL_MS): otherwise a known id answers from
 * memory and an unknown one pays a store read every time, and the difference in response time tells a caller which
 * key ids exist. Remembering both makes the first presentation of any id one store read and every repeat none. The
 * only key this can delay is one presented before it was created, which for random 12-character ids is nobody's.
 */
export class KeyCache {
  private readonly records = new Map<string, { record: KeyRecord | undefined; until: number }>();
  private static readonly MAX = 10_000;
  static readonly NEGATIVE_TTL_MS = 10_000;

  async get(store: KeyStore, keyId: string, now: number, ttlMs: number): Promise<KeyRecord | undefined> {
    const hit = this.records.get(keyId);
    if (hit !== undefined && hit.until > now) return hit.record;
    const record = await store.get(keyId);
    const keepMs = record === undefined ? Math.min(ttlMs, KeyCache.NEGATIVE_TTL_MS) : ttlMs;
    if (keepMs > 0) {
      // Bounded memory: a flood of made-up ids can empty the cache, which only costs store reads again.
      if (this.records.size >= KeyCache.MAX) this.records.clear();
      this.records.set(keyId, { record, until: now + keepMs });
    } else {
      this.records.delete(keyId);
    }
    return record;
  }
}
