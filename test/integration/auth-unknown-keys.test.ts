import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateApiKey } from "../../src/auth/api-key";
import { KeyCache } from "../../src/auth/key-cache";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import type { KeyStore } from "../../src/ledger/types";
import { gw } from "../helpers/gateway";
import { adminPost, createKey, errorOf } from "./admin-helpers";

/** The Worker under test trusts a key record it read for KEY_CACHE_TTL_MS (vitest.config.ts sets 1000 ms). */
const BOUND_MS = Number((env as unknown as Record<string, string>).KEY_CACHE_TTL_MS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Worker's own Durable Object key store, with its reads counted. */
function countedKeyStore(): { keys: KeyStore; reads: () => number } {
  const { keys } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  let reads = 0;
  return {
    keys: {
      ...keys,
      get: (keyId) => {
        reads++;
        return keys.get(keyId);
      },
    },
    reads: () => reads,
  };
}

describe("unknown API key ids", () => {
  it("a burst of made-up key ids leaves no Durable Object storage per id behind", async () => {
    const before = (await listDurableObjectIds(env.KEY_DIRECTORY)).length;
    const guesses = 150;
    for (let i = 0; i < guesses; i++) {
      const { key } = await generateApiKey();
      const res = await gw("/v1/models", { key });
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe("unauthorized");
    }
    const grown = (await listDurableObjectIds(env.KEY_DIRECTORY)).length - before;
    // Lookups land on a fixed set of shard objects (64): storage can never grow with the number of guesses.
    expect(grown).toBeLessThanOrEqual(64);
    expect(grown).toBeLessThan(guesses / 2);
  }, 120_000);

  it("an unknown id is remembered per isolate for a short while: a repeat costs no store read, like a known id", async () => {
    const store = countedKeyStore();
    const cache = new KeyCache();
    const { keyId } = await generateApiKey();
    const now = Date.now();
    expect(await cache.get(store.keys, keyId, now, 10_000)).toBeUndefined();
    expect(await cache.get(store.keys, keyId, now + 5_000, 10_000)).toBeUndefined();
    expect(store.reads()).toBe(1);
    // The same as a known key: read once, then trusted until the cache ttl passes.
    const created = await createKey({ tenant: "t-main" });
    expect(await cache.get(store.keys, created.key_id, now, 10_000)).toMatchObject({ keyId: created.key_id });
    expect(await cache.get(store.keys, created.key_id, now + 5_000, 10_000)).toMatchObject({ keyId: created.key_id });
    expect(store.reads()).toBe(2);
    expect(await cache.get(store.keys, keyId, now + 10_001, 10_000)).toBeUndefined();
    expect(store.reads()).toBe(3);
  });
});

describe("revoked and expired keys: 401 with their own codes", () => {
  it("a revoked key answers key_revoked", async () => {
    const created = await createKey({ tenant: "t-main" });
    expect((await adminPost(`/admin/keys/${created.key_id}/revoke`, {})).status).toBe(200);
    await sleep(BOUND_MS + 250);
    const res = await gw("/v1/models", { key: created.key });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await errorOf(res)).toMatchObject({ code: "key_revoked", message: "This API key has been revoked." });
  });

  it("an expired key answers key_expired", async () => {
    const created = await createKey({ tenant: "t-main", expires_at: new Date(Date.now() + 1_500).toISOString() });
    await sleep(1_750);
    const res = await gw("/v1/models", { key: created.key });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatchObject({ code: "key_expired", message: "This API key has expired." });
  });

  it("a wrong secret for a revoked key id is still plain unauthorized (revocation is told only to the key holder)", async () => {
    const created = await createKey({ tenant: "t-main" });
    expect((await adminPost(`/admin/keys/${created.key_id}/revoke`, {})).status).toBe(200);
    await sleep(BOUND_MS + 250);
    const forged = `${created.key.slice(0, -4)}AAAA`;
    const res = await gw("/v1/models", { key: forged === created.key ? `${created.key.slice(0, -4)}BBBB` : forged });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("unauthorized");
  });
});
