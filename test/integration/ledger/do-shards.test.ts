/**
 * What only a sharded tenant (credits.ledger_shards > 1) can get wrong, on the real Durable Object ledger: tenant-wide
 * limits split across shards, listings merged across shards, credits and the outbox reaching the key's shard, the
 * sweep visiting every shard, and a changed shard count refused by objects that hold accounts. The contract suite
 * itself runs against 4 shards in durable-object.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger, createDurableObjectUsagePager } from "../../../src/ledger/durable-object";
import { shardName, shardOf } from "../../../src/ledger/durable-object/shards";
import { createOutboxClient, outboxStub } from "../../../src/ledger/outbox";
import { settleDurably } from "../../../src/ledger/settle-durably";
import { StoreUnavailableError, type UsageEvent } from "../../../src/ledger/types";
import {
  type Account,
  admitOk,
  admitReq,
  expectKind,
  fund,
  SHORT_HOLD_TTL_MS,
  SWEEP_AHEAD_MS,
  settleReq,
  together,
  uid,
  usageFor,
} from "./contract-helpers";
import { checkInvariant } from "./invariant";

const FUNDS = 10_000_000;

function sharded(n: number) {
  const shards = () => n;
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY, shards });
  return { ledger, pager: createDurableObjectUsagePager(env.TENANT_LEDGER, shards) };
}

/** A fresh key of `tenantId` whose account lives in shard `index` of `n`. */
function keyOnShard(tenantId: string, index: number, n: number): Account {
  for (;;) {
    const keyId = uid("key");
    if (shardOf(keyId, n) === index) return { keyId, tenantId };
  }
}

const shardStub = (tenantId: string, index: number) =>
  env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(shardName(tenantId, index)));

describe("a tenant sharded over several ledger objects", () => {
  it("two keys on different shards admitted concurrently never pass the tenant-wide limit together", async () => {
    const { ledger } = sharded(2);
    const tenantId = uid("tenant");
    const a = keyOnShard(tenantId, 0, 2);
    const b = keyOnShard(tenantId, 1, 2);
    for (const k of [a, b]) await fund(ledger, k, FUNDS);
    const limits = { tenant: { requests_per_minute: 7, tokens_per_minute: 1_000_000 } };
    const results = await together(40, (i) => ledger.admit(admitReq(i % 2 === 0 ? a : b, { limits })));
    const admitted = results.filter((r) => r.kind === "admitted");
    const refused = results.filter((r) => r.kind === "rate_limited");
    expect(admitted.length + refused.length).toBe(40);
    // Shares 4 + 3: the tenant total is reached exactly, never passed, and each shard states its own share.
    expect(admitted).toHaveLength(7);
    for (const r of refused) expect(r).toMatchObject({ state: { scope: "tenant", limit: "requests", remaining: 0 } });
    const maxes = new Set(refused.map((r) => (r.kind === "rate_limited" ? r.state.max : 0)));
    expect(maxes).toEqual(new Set([4, 3]));
    for (const k of [a, b]) await checkInvariant(ledger, k.keyId, k.tenantId);
  });

  it("a top-up lands in the key's shard and nowhere else", async () => {
    const { ledger } = sharded(4);
    const tenantId = uid("tenant");
    const a = keyOnShard(tenantId, 3, 4);
    const balance = await fund(ledger, a, 123_456);
    expect(balance.balance).toBe(123_456);
    expect((await shardStub(tenantId, 3).balance(a.keyId)).balance).toBe(123_456);
    for (const other of [0, 1, 2]) expect((await shardStub(tenantId, other).balance(a.keyId)).credited).toBe(0);
    expect(await ledger.balance(a.keyId, tenantId)).toEqual(balance);
  });

  it("usage listings merge every shard, newest first, and the cursor survives new events", async () => {
    const { ledger, pager } = sharded(4);
    const tenantId = uid("tenant");
    const keys = [0, 1, 2, 3].map((i) => keyOnShard(tenantId, i, 4));
    for (const k of keys) await fund(ledger, k, FUNDS);
    const written: UsageEvent[] = [];
    const base = Date.now() - 100_000;
    for (let i = 0; i < 12; i++) {
      const k = keys[i % 4] as Account;
      const { req } = await admitOk(ledger, k);
      // Distinct times, interleaved across shards; two events share a time to exercise the tie order.
      const at = base + (i === 5 ? 4 : i) * 1000;
      const settled = settleReq(k, req.requestId, 100, { usage: usageFor(k, req.requestId, { at, cost: 100 }) });
      expectKind(await ledger.settle(settled), "settled");
      written.push(settled.usage);
    }
    // A standalone record is placed by request id, and a key's listing still finds it.
    const recorded = usageFor(keys[2] as Account, uid("req"), { at: base + 500, status: 429 });
    expect(await ledger.record(recorded)).toEqual({ kind: "recorded" });
    written.push(recorded);

    const newestFirst = [...written].sort((x, y) => y.at - x.at).map((e) => e.requestId);
    const listed = await ledger.usage(tenantId, { limit: 1000 });
    expect(listed.map((e) => e.at)).toEqual([...written].map((e) => e.at).sort((x, y) => y - x));
    expect(new Set(listed.map((e) => e.requestId))).toEqual(new Set(newestFirst));
    expect((await ledger.usage(tenantId, { limit: 3 })).map((e) => e.requestId)).toEqual(
      listed.slice(0, 3).map((e) => e.requestId),
    );
    const keyTwo = await ledger.usage(tenantId, { limit: 1000, keyId: keys[2]?.keyId });
    expect(keyTwo.map((e) => e.requestId)).toContain(recorded.requestId);
    expect(keyTwo.every((e) => e.keyId === keys[2]?.keyId)).toBe(true);

    // Page by 2; halfway, new (newer) events arrive in every shard: the pages continue where they were.
    const paged: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await pager.page(tenantId, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      paged.push(...page.events.map((e) => e.requestId));
      cursor = page.next;
      pages++;
      if (pages === 3) {
        for (const k of keys) {
          const { req } = await admitOk(ledger, k);
          expectKind(await ledger.settle(settleReq(k, req.requestId, 1)), "settled");
        }
      }
    } while (cursor !== undefined && pages < 50);
    expect(paged).toEqual(listed.map((e) => e.requestId));
    await expect(pager.page(tenantId, { limit: 2, cursor: "d1.5.5" })).rejects.toThrow("invalid cursor");
  });

  it("the sweep bills expired holds in every shard", async () => {
    const { ledger } = sharded(4);
    const tenantId = uid("tenant");
    const keys = [0, 1, 2, 3].map((i) => keyOnShard(tenantId, i, 4));
    for (const k of keys) {
      await fund(ledger, k, FUNDS);
      await admitOk(ledger, k, { holdTtlMs: SHORT_HOLD_TTL_MS });
    }
    const swept = await ledger.sweepTenants([tenantId], Date.now() + SWEEP_AHEAD_MS);
    expect(swept).toBe(4);
    for (const k of keys) {
      const balance = await ledger.balance(k.keyId, tenantId);
      expect(balance).toMatchObject({ held: 0, openHolds: 0 });
      await checkInvariant(ledger, k.keyId, tenantId, { atRest: true });
    }
  });

  it("the outbox settles a queued hold in the key's shard", async () => {
    const { ledger } = sharded(4);
    const tenantId = uid("tenant");
    const a = keyOnShard(tenantId, 2, 4);
    await fund(ledger, a, FUNDS);
    const held = await admitOk(ledger, a);
    const outbox = createOutboxClient(env.SETTLEMENT_OUTBOX, { shards: () => 4 });
    await outbox.enqueue({ kind: "settle", req: settleReq(a, held.req.requestId, 700) });
    const stub = outboxStub(env.SETTLEMENT_OUTBOX, tenantId);
    expect(await stub.flush()).toEqual({ done: 1, postponed: 0 });
    expect(await ledger.balance(a.keyId, tenantId)).toMatchObject({ balance: FUNDS - 700, held: 0, billed: 700 });
    // And the direct path, with the outbox behind it.
    const again = await admitOk(ledger, a);
    const outcome = await settleDurably(
      { ledger, outbox, waitUntil: () => undefined },
      { kind: "settle", req: settleReq(a, again.req.requestId, 300) },
    );
    expect(outcome).toMatchObject({ kind: "settled", charged: 300 });
    await checkInvariant(ledger, a.keyId, tenantId, { atRest: true });
  });

  it("a task's budget counts per key, with tool calls placed by the key", async () => {
    const { ledger } = sharded(4);
    const tenantId = uid("tenant");
    const a = keyOnShard(tenantId, 1, 4);
    await fund(ledger, a, FUNDS);
    const task = { id: uid("task"), fingerprint: "fp", limits: { max_calls: 5, max_tool_calls: 2 }, ttlMs: 600_000 };
    const { req } = await admitOk(ledger, a, { task });
    expectKind(
      await ledger.settle(settleReq(a, req.requestId, 10, { task: { id: task.id, toolCalls: 1 } })),
      "settled",
    );
    expect(await ledger.recordToolCall(tenantId, task.id, task.limits, a.keyId)).toEqual({ ok: true });
    expect(await ledger.recordToolCall(tenantId, task.id, task.limits, a.keyId)).toEqual({ ok: false });
    await expect(ledger.recordToolCall(tenantId, task.id, task.limits)).rejects.toThrow(TypeError);
  });

  it("a changed shard count is refused by objects holding accounts, adopted by empty ones", async () => {
    const tenantId = uid("tenant");
    const before = sharded(1).ledger;
    const a = keyOnShard(tenantId, 0, 2);
    await fund(before, a, FUNDS);
    const after = sharded(2).ledger;
    // Shard 0 is the tenant's object from before: it holds a's account under one shard, so it refuses.
    await expect(after.admit(admitReq(a))).rejects.toThrow(StoreUnavailableError);
    await expect(after.credit(a.keyId, tenantId, 1, uid("ref"), "topup")).rejects.toThrow(StoreUnavailableError);
    // Shard 1 never held anything: it serves the new count.
    const b = keyOnShard(tenantId, 1, 2);
    await fund(after, b, FUNDS);
    await admitOk(after, b);
    // Back to one shard: a's account is where it was, untouched.
    await admitOk(before, a);
    expect(await before.balance(a.keyId, tenantId)).toMatchObject({ credited: FUNDS, openHolds: 1 });
  });
});
