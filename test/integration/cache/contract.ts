/**
 * The cache storage contract: what both backends (Upstash Vector and the Durable Object) must do. Every case uses
 * fresh random tenant ids, so backends need no reset between cases. `now` is passed explicitly, so TTL and LRU order
 * are tested without waiting.
 */
import { describe, expect, it } from "vitest";
import { type CacheEntry, type CacheStore, CacheUnavailableError, type ShadowRecord } from "../../../src/cache/types";

export interface CacheFactory {
  name: string;
  make: () => CacheStore;
  /** A store whose backend cannot be reached. */
  unreachable: () => CacheStore;
}

export const DIMS = 256;
const NOW = 1_800_000_000_000;

/** A unit vector `degrees` away from the first axis, in the plane of the first two. */
export function atAngle(degrees: number): number[] {
  const r = (degrees * Math.PI) / 180;
  const v = new Array<number>(DIMS).fill(0);
  v[0] = Math.cos(r);
  v[1] = Math.sin(r);
  return v;
}

function tenant(): string {
  return `t-${crypto.randomUUID().slice(0, 8)}`;
}

export function entry(id: string, over: Partial<CacheEntry> = {}): CacheEntry {
  return {
    id,
    scope: "scope-a",
    model: "m-one",
    prompt: `prompt of ${id}`,
    answer: `{"answer":"${id}"}`,
    cost: 1234,
    createdAt: NOW,
    expiresAt: NOW + 60_000,
    ...over,
  };
}

function shadow(at: number, entryId: string): ShadowRecord {
  return {
    at,
    requestId: `req-${at}`,
    model: "m-one",
    kind: "semantic",
    entryId,
    entryAgeMs: 5,
    cosine: 0.95,
    score: 0.91,
    prompt: "how do I reset my password",
    entryPrompt: "how can I reset my password",
  };
}

export function cacheContract(factory: CacheFactory): void {
  describe(`cache contract: ${factory.name}`, () => {
    it("stores and returns an exact entry by id; unknown ids are undefined", async () => {
      const cache = factory.make().forTenant(tenant());
      const e = entry("x-1");
      await cache.put({ entry: e, maxEntries: 10 }, NOW);
      expect(await cache.get("x-1", NOW + 1)).toEqual(e);
      expect(await cache.get("x-2", NOW + 1)).toBeUndefined();
    });

    it("never returns an expired entry, by id or by search", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.put({ entry: entry("x-ttl", { expiresAt: NOW + 1000 }), vector: atAngle(0), maxEntries: 10 }, NOW);
      expect(await cache.get("x-ttl", NOW + 999)).toBeDefined();
      expect(await cache.get("x-ttl", NOW + 1000)).toBeUndefined();
      const q = { vector: atAngle(0), scope: "scope-a", topK: 5 };
      expect(await cache.query({ ...q, now: NOW + 999 })).toHaveLength(1);
      expect(await cache.query({ ...q, now: NOW + 1000 })).toEqual([]);
    });

    it("reports plain cosine similarity (not Upstash's (1 + cos) / 2), best first, with prompt and payload", async () => {
      const cache = factory.make().forTenant(tenant());
      for (const [id, deg] of [
        ["a-60", 60],
        ["a-0", 0],
        ["a-120", 120],
        ["a-25", 25],
      ] as const) {
        await cache.put({ entry: entry(id), vector: atAngle(deg), maxEntries: 10 }, NOW);
      }
      const found = await cache.query({ vector: atAngle(0), scope: "scope-a", topK: 3, now: NOW });
      expect(found.map((c) => c.entry.id)).toEqual(["a-0", "a-25", "a-60"]);
      const expected = [1, Math.cos((25 * Math.PI) / 180), 0.5];
      found.forEach((c, i) => {
        expect(c.cosine).toBeCloseTo(expected[i] ?? Number.NaN, 3);
      });
      expect(found[1]?.entry).toEqual(entry("a-25"));
      const all = await cache.query({ vector: atAngle(0), scope: "scope-a", topK: 10, now: NOW });
      expect(all.at(-1)?.cosine).toBeCloseTo(-0.5, 3);
    });

    it("searches only the given scope, and never returns exact-only entries", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.put({ entry: entry("s-a"), vector: atAngle(10), maxEntries: 10 }, NOW);
      await cache.put({ entry: entry("s-b", { scope: "scope-b" }), vector: atAngle(0), maxEntries: 10 }, NOW);
      await cache.put({ entry: entry("s-exact"), maxEntries: 10 }, NOW);
      const found = await cache.query({ vector: atAngle(0), scope: "scope-a", topK: 5, now: NOW });
      expect(found.map((c) => c.entry.id)).toEqual(["s-a"]);
      expect(await cache.get("s-exact", NOW)).toBeDefined();
    });

    it("keeps tenants apart: the same ids and vectors are invisible to another tenant", async () => {
      const store = factory.make();
      const a = store.forTenant(tenant());
      const b = store.forTenant(tenant());
      await a.put({ entry: entry("shared-id"), vector: atAngle(0), maxEntries: 10 }, NOW);
      expect(await b.get("shared-id", NOW)).toBeUndefined();
      expect(await b.query({ vector: atAngle(0), scope: "scope-a", topK: 5, now: NOW })).toEqual([]);
      await a.count("hit", NOW);
      expect((await b.stats(NOW)).counts.hit).toBe(0);
      expect(await b.invalidate({})).toBe(0);
      expect(await a.get("shared-id", NOW)).toBeDefined();
    });

    it("replaces an entry stored again under the same id", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.put({ entry: entry("r-1", { answer: "first" }), vector: atAngle(0), maxEntries: 10 }, NOW);
      await cache.put({ entry: entry("r-1", { answer: "second" }), vector: atAngle(90), maxEntries: 10 }, NOW + 1);
      expect((await cache.get("r-1", NOW + 2))?.answer).toBe("second");
      const found = await cache.query({ vector: atAngle(90), scope: "scope-a", topK: 5, now: NOW + 2 });
      expect(found).toHaveLength(1);
      expect(found[0]?.cosine).toBeCloseTo(1, 3);
      expect((await cache.stats(NOW + 2)).entries).toBe(1);
    });

    it("evicts the least recently used entries beyond max_entries (a touch counts as use)", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.put({ entry: entry("l-a"), vector: atAngle(0), maxEntries: 3 }, NOW + 1);
      await cache.put({ entry: entry("l-b"), vector: atAngle(10), maxEntries: 3 }, NOW + 2);
      await cache.put({ entry: entry("l-c"), maxEntries: 3 }, NOW + 3);
      await cache.touch("l-a", NOW + 4);
      await cache.put({ entry: entry("l-d"), vector: atAngle(20), maxEntries: 3 }, NOW + 5);
      expect(await cache.get("l-b", NOW + 6)).toBeUndefined();
      for (const id of ["l-a", "l-c", "l-d"]) expect(await cache.get(id, NOW + 6)).toBeDefined();
      expect((await cache.stats(NOW + 6)).entries).toBe(3);
      const found = await cache.query({ vector: atAngle(0), scope: "scope-a", topK: 5, now: NOW + 6 });
      expect(found.map((c) => c.entry.id)).toEqual(["l-a", "l-d"]);
    });

    it("purges expired entries before evicting live ones", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.put({ entry: entry("p-old", { expiresAt: NOW + 10 }), maxEntries: 2 }, NOW);
      await cache.put({ entry: entry("p-live"), maxEntries: 2 }, NOW + 1);
      await cache.put({ entry: entry("p-new"), maxEntries: 2 }, NOW + 20);
      expect(await cache.get("p-live", NOW + 21)).toBeDefined();
      expect(await cache.get("p-new", NOW + 21)).toBeDefined();
      expect((await cache.stats(NOW + 21)).entries).toBe(2);
    });

    it("invalidates one model's entries or all of them, and keeps the counters", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.put({ entry: entry("i-1"), vector: atAngle(0), maxEntries: 10 }, NOW);
      await cache.put({ entry: entry("i-2", { model: "m-two" }), vector: atAngle(5), maxEntries: 10 }, NOW);
      await cache.put({ entry: entry("i-3", { model: "m-two" }), maxEntries: 10 }, NOW);
      await cache.count("miss", NOW);
      expect(await cache.invalidate({ model: "m-two" })).toBe(2);
      expect(await cache.get("i-1", NOW)).toBeDefined();
      expect(await cache.get("i-3", NOW)).toBeUndefined();
      const found = await cache.query({ vector: atAngle(5), scope: "scope-a", topK: 5, now: NOW });
      expect(found.map((c) => c.entry.id)).toEqual(["i-1"]);
      expect(await cache.invalidate({})).toBe(1);
      expect(await cache.get("i-1", NOW)).toBeUndefined();
      const stats = await cache.stats(NOW);
      expect(stats.entries).toBe(0);
      expect(stats.counts.miss).toBe(1);
    });

    it("counts hits, misses, shadows and bypasses per tenant, concurrent counts included", async () => {
      const cache = factory.make().forTenant(tenant());
      await Promise.all([
        ...Array.from({ length: 5 }, () => cache.count("hit", NOW)),
        cache.count("miss", NOW),
        cache.count("miss", NOW),
        cache.count("shadow", NOW),
      ]);
      await cache.count("bypass", NOW);
      expect((await cache.stats(NOW)).counts).toEqual({ hit: 5, miss: 2, shadow: 1, bypass: 1 });
    });

    it("keeps counts across days", async () => {
      const cache = factory.make().forTenant(tenant());
      const day = 86_400_000;
      await cache.count("hit", NOW);
      await cache.count("hit", NOW + day);
      await cache.count("miss", NOW + 3 * day);
      // Reading long after both days also merges closed days (Upstash); the totals must not change.
      expect((await cache.stats(NOW + 3 * day)).counts).toEqual({ hit: 2, miss: 1, shadow: 0, bypass: 0 });
      expect((await cache.stats(NOW + 3 * day)).counts).toEqual({ hit: 2, miss: 1, shadow: 0, bypass: 0 });
    });

    it("keeps the latest shadow observations, newest first", async () => {
      const cache = factory.make().forTenant(tenant());
      await cache.recordShadow(shadow(NOW + 1, "e-1"));
      await cache.recordShadow(shadow(NOW + 3, "e-3"));
      await cache.recordShadow(shadow(NOW + 2, "e-2"));
      const stats = await cache.stats(NOW + 4);
      expect(stats.shadow.map((s) => s.entryId)).toEqual(["e-3", "e-2", "e-1"]);
      expect(stats.shadow[0]).toEqual(shadow(NOW + 3, "e-3"));
    });

    it("fails with CacheUnavailableError when the store cannot be reached", async () => {
      const cache = factory.unreachable().forTenant(tenant());
      await expect(cache.get("x", NOW)).rejects.toBeInstanceOf(CacheUnavailableError);
      await expect(cache.put({ entry: entry("x"), vector: atAngle(0), maxEntries: 5 }, NOW)).rejects.toBeInstanceOf(
        CacheUnavailableError,
      );
      await expect(cache.query({ vector: atAngle(0), scope: "s", topK: 1, now: NOW })).rejects.toBeInstanceOf(
        CacheUnavailableError,
      );
      await expect(cache.count("hit", NOW)).rejects.toBeInstanceOf(CacheUnavailableError);
    });
  });
}
