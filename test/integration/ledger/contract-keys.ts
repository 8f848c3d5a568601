/**
 * Contract: the KeyStore. Records round-trip unchanged (optional fields included); list() is the tenant's keys,
 * newest createdAt first, revoked ones included (an admin listing shows them as revoked).
 */
import { expect } from "vitest";
import type { KeyRecord } from "../../../src/ledger/types";
import { type ContractGroup, uid } from "./contract-helpers";

function record(tenantId: string, over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId: uid("key").replaceAll("-", ""),
    tenantId,
    hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    prefix: "gw_abc",
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

export const keyCases: ContractGroup = {
  name: "key store",
  cases: [
    {
      name: "create then get round-trips the record; a duplicate id is refused and changes nothing",
      async run({ keys }) {
        const tenant = uid("tenant");
        const full = record(tenant, {
          name: "ci bot",
          expiresAt: 1_800_000_000_000,
          routes: ["chat-fast", "embed"],
          scopes: ["chat"],
          tags: ["team:search"],
        });
        expect(await keys.create(full)).toBe(true);
        expect(await keys.get(full.keyId)).toEqual(full);
        expect(await keys.create({ ...full, tenantId: uid("tenant"), name: "impostor", hash: "0".repeat(64) })).toBe(
          false,
        );
        expect(await keys.get(full.keyId)).toEqual(full);
        const minimal = record(tenant);
        expect(await keys.create(minimal)).toBe(true);
        expect(await keys.get(minimal.keyId)).toEqual(minimal);
        expect(await keys.get(uid("key"))).toBeUndefined();
      },
    },
    {
      name: "list returns only the tenant's keys, newest first",
      async run({ keys }) {
        const tenant = uid("tenant");
        const old = record(tenant, { createdAt: 1000 });
        const newest = record(tenant, { createdAt: 3000 });
        const middle = record(tenant, { createdAt: 2000 });
        const foreign = record(uid("tenant"), { createdAt: 2500 });
        for (const r of [old, newest, middle, foreign]) expect(await keys.create(r)).toBe(true);
        expect(await keys.list(tenant)).toEqual([newest, middle, old]);
        expect(await keys.list(foreign.tenantId)).toEqual([foreign]);
        expect(await keys.list(uid("tenant"))).toEqual([]);
      },
    },
    {
      name: "revoke sets revokedAt once (idempotent, the first time is kept); unknown keys give undefined",
      async run({ keys }) {
        const tenant = uid("tenant");
        const r = record(tenant);
        await keys.create(r);
        expect(await keys.revoke(r.keyId, 5000)).toEqual({ ...r, revokedAt: 5000 });
        expect(await keys.revoke(r.keyId, 9000)).toEqual({ ...r, revokedAt: 5000 });
        expect(await keys.get(r.keyId)).toEqual({ ...r, revokedAt: 5000 });
        expect(await keys.list(tenant)).toEqual([{ ...r, revokedAt: 5000 }]);
        expect(await keys.revoke(uid("key"), 5000)).toBeUndefined();
      },
    },
  ],
};
