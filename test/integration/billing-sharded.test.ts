/**
 * A sharded tenant through the whole Worker (t-billing-sharded: credits.ledger_shards 4, tenant limit 8 requests a
 * minute): the admin top-up lands in the key's shard, a chat request is admitted and settled there, the admin
 * balance and usage listing (paged) read across shards, and the tenant-wide limit holds as 2 per shard.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import { shardName, shardOf } from "../../src/ledger/durable-object/shards";
import {
  type Account,
  type Backend,
  chat,
  chatBody,
  durableObjectBackend,
  newAccount,
  settled,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { admin, adminPost } from "./admin-helpers";
import { checkInvariant } from "./ledger/invariant";

const TENANT = "t-billing-sharded";
const SHARDS = 4;

function shardedBackend(): Backend {
  const base = durableObjectBackend();
  const { ledger, keys } = createDurableObjectLedger({
    tenants: env.TENANT_LEDGER,
    keys: env.KEY_DIRECTORY,
    shards: () => SHARDS,
  });
  return { ...base, ledger, keys };
}

/** Two fresh keys of the tenant whose accounts live in different shards. */
async function twoShards(b: Backend): Promise<[Account, Account]> {
  const first = await newAccount(b, 0, TENANT);
  for (;;) {
    const other = await newAccount(b, 0, TENANT);
    if (shardOf(other.keyId, SHARDS) !== shardOf(first.keyId, SHARDS)) return [first, other];
  }
}

async function usagePages(limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `tenant=${TENANT}&limit=${limit}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await admin(`/admin/usage?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { data: { request_id: string }[]; next_cursor: string | null };
    ids.push(...body.data.map((e) => e.request_id));
    cursor = body.next_cursor;
  } while (cursor !== null);
  return ids;
}

describe("a tenant sharded over 4 ledger objects, through the Worker", () => {
  it("tops up in the key's shard, bills there, lists across shards and splits the tenant limit", async () => {
    const b = shardedBackend();
    const [a, c] = await twoShards(b);
    for (const acc of [a, c]) {
      const res = await adminPost(`/admin/keys/${acc.keyId}/credits`, {
        amount: 1_000_000,
        reference: `seed-${acc.keyId}`,
        type: "topup",
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(shardName(TENANT, shardOf(acc.keyId, SHARDS))));
      expect((await stub.balance(acc.keyId)).credited).toBe(1_000_000);
      // Shard 0 is the tenant's own object: only a key placed there has an account in it.
      const home = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(TENANT));
      expect((await home.balance(acc.keyId)).credited).toBe(shardOf(acc.keyId, SHARDS) === 0 ? 1_000_000 : 0);
    }

    const n = nonce("sharded");
    const requestIds: string[] = [];
    for (const acc of [a, c]) {
      const res = await chat(b, acc, chatBody("b-chat", `sharded ${acc.keyId} ${n}`, { max_tokens: 50 }));
      expect(res.status, await res.clone().text()).toBe(200);
      // Each shard enforces its share of the tenant's 8 requests a minute.
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("2");
      requestIds.push(res.headers.get("x-request-id") ?? "");
      await res.text();
      const balance = await settled(b, acc);
      expect(balance.billed).toBeGreaterThan(0);
      const viaAdmin = await admin(`/admin/keys/${acc.keyId}/balance`);
      expect(viaAdmin.status).toBe(200);
      expect(await viaAdmin.json()).toMatchObject({ balance: balance.balance, held: 0 });
      await checkInvariant(b.ledger, acc.keyId, TENANT, { atRest: true });
    }
    expect(await usagePages(1)).toEqual(expect.arrayContaining(requestIds));

    // Ten more from each key at once: each shard admits one more (its share is 2), the tenant stays within 8.
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        chat(b, i % 2 === 0 ? a : c, chatBody("b-chat", `flood ${i} ${n}`, { max_tokens: 16 })),
      ),
    );
    const statuses = await Promise.all(
      flood.map(async (r) => {
        await r.text();
        return r.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(18);
    for (const acc of [a, c]) await settled(b, acc);
  });
});
