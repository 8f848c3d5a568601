/**
 * Contract: the read side — usage events and ledger entries, newest first, with their filters and paging.
 *
 * Readings of the spec pinned here:
 * - usage() orders by the event's `at`, newest first (the suite writes events in `at` order, so write order agrees);
 *   `since` is inclusive (at >= since); the filter `keyId` keeps only that key's events; only the tenant's own events.
 * - entries() orders by seq, newest first; `beforeSeq` is exclusive (seq < beforeSeq); default limit 100.
 */
import { expect } from "vitest";
import {
  admitOk,
  type ContractGroup,
  expectKind,
  freshAccount,
  fund,
  settleReq,
  together,
  uid,
  usageFor,
  voidReq,
} from "./contract-helpers";
import { checkInvariant } from "./invariant";

const FUNDS = 1_000_000;

export const usageCases: ContractGroup = {
  name: "usage events and entries",
  cases: [
    {
      name: "settle and void write usage events, newest first, filterable by keyId, since and limit",
      async run({ ledger }) {
        const a = freshAccount();
        const b = freshAccount(a.tenantId);
        const stranger = freshAccount();
        for (const acc of [a, b, stranger]) await fund(ledger, acc, FUNDS);
        const t0 = Date.now() - 10_000;
        const a1 = await admitOk(ledger, a);
        const b1 = await admitOk(ledger, b);
        const a2 = await admitOk(ledger, a);
        const s1 = await admitOk(ledger, stranger);
        const a1Usage = usageFor(a, a1.req.requestId, { at: t0 + 1, cost: 700, feature: "search", taskId: "task-1" });
        expectKind(await ledger.settle(settleReq(a, a1.req.requestId, 700, { usage: a1Usage })), "settled");
        const b1Usage = usageFor(b, b1.req.requestId, { at: t0 + 2, status: 502, cost: 0 });
        expectKind(await ledger.void(voidReq(b, b1.req.requestId, { usage: b1Usage })), "voided");
        const a2Usage = usageFor(a, a2.req.requestId, { at: t0 + 3, cost: 900, cache: "hit" });
        expectKind(await ledger.settle(settleReq(a, a2.req.requestId, 900, { usage: a2Usage })), "settled");
        expectKind(
          await ledger.settle(
            settleReq(stranger, s1.req.requestId, 5, { usage: usageFor(stranger, s1.req.requestId) }),
          ),
          "settled",
        );

        expect(await ledger.usage(a.tenantId)).toEqual([a2Usage, b1Usage, a1Usage]);
        expect(await ledger.usage(a.tenantId, { keyId: a.keyId })).toEqual([a2Usage, a1Usage]);
        expect(await ledger.usage(a.tenantId, { keyId: b.keyId })).toEqual([b1Usage]);
        expect(await ledger.usage(a.tenantId, { limit: 1 })).toEqual([a2Usage]);
        expect(await ledger.usage(a.tenantId, { since: t0 + 2 })).toEqual([a2Usage, b1Usage]);
        expect(await ledger.usage(a.tenantId, { since: t0 + 2, keyId: a.keyId, limit: 5 })).toEqual([a2Usage]);
        expect(await ledger.usage(uid("tenant"))).toEqual([]);
        const theirs = await ledger.usage(stranger.tenantId);
        expect(theirs.map((u) => u.requestId)).toEqual([s1.req.requestId]);
      },
    },
    {
      name: "entries page newest first with limit and beforeSeq",
      async run({ ledger }) {
        const a = freshAccount();
        for (let i = 1; i <= 5; i++) await ledger.credit(a.keyId, a.tenantId, i, `ref-${i}`, "topup");
        const all = await ledger.entries(a.keyId, a.tenantId);
        expect(all.map((e) => e.amount)).toEqual([5, 4, 3, 2, 1]);
        expect(all.map((e) => e.balanceAfter)).toEqual([15, 10, 6, 3, 1]);
        expect(all.map((e) => e.reference)).toEqual(["ref-5", "ref-4", "ref-3", "ref-2", "ref-1"]);
        for (let i = 1; i < all.length; i++) expect(all[i]?.seq).toBeLessThan(all[i - 1]?.seq ?? 0);
        const page1 = await ledger.entries(a.keyId, a.tenantId, { limit: 2 });
        expect(page1).toEqual(all.slice(0, 2));
        const cursor = page1.at(-1)?.seq ?? 0;
        expect(await ledger.entries(a.keyId, a.tenantId, { limit: 2, beforeSeq: cursor })).toEqual(all.slice(2, 4));
        const oldest = all.at(-1)?.seq ?? 0;
        expect(await ledger.entries(a.keyId, a.tenantId, { beforeSeq: oldest })).toEqual([]);
        // Entries are per key.
        expect(await ledger.entries(freshAccount(a.tenantId).keyId, a.tenantId)).toEqual([]);
      },
    },
    {
      name: "entries default to 100 per page; concurrent writes get distinct seqs",
      timeoutMs: 30_000,
      async run({ ledger }) {
        const a = freshAccount();
        await together(105, (i) => ledger.credit(a.keyId, a.tenantId, 1 + i, uid("ref"), "topup"));
        expect(await ledger.entries(a.keyId, a.tenantId)).toHaveLength(100);
        const all = await ledger.entries(a.keyId, a.tenantId, { limit: 1000 });
        expect(all).toHaveLength(105);
        expect(new Set(all.map((e) => e.seq)).size).toBe(105);
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: (105 * 106) / 2 });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
  ],
};
