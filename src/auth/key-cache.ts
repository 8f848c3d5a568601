import type { KeyRecord, KeyStore } from "../ledger/types";

/**
 * Key records read from the store, kept per isolate for `ttlMs`. This bounds revocation: a revoked key keeps
 * working on an isolate for at most `ttlMs` after the revoke (KEY_CACHE_TTL_MS, default 10 s). Unknown ids are not
 * cached, so a key created a moment ago works at once.
 */
export class KeyCache {
  private readonly records = new Map<string, { record: KeyRecord; until: number }>();
  private static readonly MAX = 10_000;

  async get(store: KeyStore, keyId: string, now: number, ttlMs: number): Promise<KeyRecord | undefined> {
    const hit = this.records.get(keyId);
    if (hit !== undefined && hit.until > now) return hit.record;
    const record = await store.get(keyId);
    if (record === undefined) {
      this.records.delete(keyId);
      return undefined;
    }
    if (ttlMs > 0) {
      if (this.records.size >= KeyCache.MAX) this.records.clear();
      this.records.set(keyId, { record, until: now + ttlMs });
    }
    return record;
  }
}
