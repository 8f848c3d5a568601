/**
 * Contract: `record` — a standalone usage event for a request refused at or before admission (no hold, so no
 * settle/void/expire will ever write one).
 *
 * Readings pinned here:
 * - the event is stored as given (status, flags, cost, optional fields) and read back through usage() like any
 *   other event: newest first by `at`, filterable by keyId and since, only in its own tenant;
 * - idempotent per (tenantId, requestId): a repeat — even with different content, even concurrent — answers
 *   `duplicate` and writes nothing; the same request id in another tenant is a different request;
 * - it never touches balances, holds or entries, and never creates an account;
 * - with the store down it rejects with StoreUnavailableError and leaves nothing behind.
 */
import { expect } from "vitest";
import type { Ledger, UsageEvent } from "../../../src/ledger/types";
import { expectUnavailable } from "./contract-faults";
import {
  type Account,
  admitOk,
  type ContractGroup,
  expectKind,
  freshAccount,
  fund,
  settleReq,
  together,
  uid,
  usageFor,
} from "./contract-helpers";
import { checkInvariant } from "./invariant";

/** A refusal as the gateway records it: no tokens, no cost, the HTTP status and a `refused:<code>` flag. */
function refusal(a: Account, at: number, status: number, code: string, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: uid("req"),
    at,
    tenantId: a.tenantId,
    keyId: a.keyId,
    inputTokens: 0,
    outputTokens: 0,
    cost: 0,
    cache: "none",
    latencyMs: 3,
    status,
    policyVersion: "pv-test",
    flags: [`refused:${code}`],
    ...over,
  };
}

async function snapshot(ledger: Ledger, a: Account) {
  return { balance: await ledger.balance(a.keyId, a.tenantId), entries: await ledger.entries(a.keyId, a.tenantId) };
}

export const recordCases: ContractGroup = {
  name: "standalone usage events (record)",
  cases: [
    {
      name: "record writes usage events read back newest first with status and flags, filterable by keyId",
      async run({ ledger }) {
        const a = freshAccount();
        const b = freshAccount(a.tenantId);
        const stranger = freshAccount();
        await fund(ledger, a, 1_000_000);
        const t0 = Date.now() - 10_000;
        const settled = await admitOk(ledger, a);
        const settledUsage = usageFor(a, settled.req.requestId, { at: t0 + 1, cost: 700 });
        expectKind(await ledger.settle(settleReq(a, settled.req.requestId, 700, { usage: settledUsage })), "settled");
        const beforeA = await snapshot(ledger, a);
        const beforeB = await snapshot(ledger, b);

        const r1 = refusal(a, t0 + 2, 402, "insufficient_credits", { model: "m-test", feature: "search" });
        const r2 = refusal(b, t0 + 3, 429, "rate_limited", { taskId: "task-7", flags: ["refused:rate_limited", "x"] });
        const r3 = refusal(a, t0 + 4, 400, "invalid_request");
        for (const e of [r1, r2, r3]) expect(await ledger.record(e)).toEqual({ kind: "recorded" });

        expect(await ledger.usage(a.tenantId)).toEqual([r3, r2, r1, settledUsage]);
        expect(await ledger.usage(a.tenantId, { keyId: a.keyId })).toEqual([r3, r1, settledUsage]);
        expect(await ledger.usage(a.tenantId, { keyId: b.keyId })).toEqual([r2]);
        expect(await ledger.usage(a.tenantId, { since: t0 + 3 })).toEqual([r3, r2]);
        expect(await ledger.usage(a.tenantId, { limit: 2 })).toEqual([r3, r2]);
        expect(await ledger.usage(stranger.tenantId)).toEqual([]);

        // Money is untouched: same balances, same entries, and no account appears for a key never credited.
        expect(await snapshot(ledger, a)).toEqual(beforeA);
        expect(await snapshot(ledger, b)).toEqual(beforeB);
        expect(beforeB.entries).toEqual([]);
        expect(beforeB.balance).toMatchObject({ balance: 0, held: 0, openHolds: 0, credited: 0, billed: 0 });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "record is idempotent per (tenant, request id): a repeat answers duplicate and writes nothing",
      async run({ ledger }) {
        const a = freshAccount();
        const other = freshAccount();
        const e = refusal(a, Date.now() - 5_000, 403, "model_not_allowed");
        expect(await ledger.record(e)).toEqual({ kind: "recorded" });
        expect(await ledger.record(e)).toEqual({ kind: "duplicate" });
        // Same request id, different content: still the same request, still a no-op.
        const changed = { ...e, status: 500, flags: ["other"], keyId: freshAccount(a.tenantId).keyId };
        expect(await ledger.record(changed)).toEqual({ kind: "duplicate" });
        expect(await ledger.usage(a.tenantId)).toEqual([e]);
        expect(await ledger.usage(a.tenantId, { keyId: changed.keyId })).toEqual([]);

        // Concurrent repeats: exactly one is recorded.
        const c = refusal(a, Date.now() - 4_000, 409, "idempotency_in_progress");
        const kinds = (await together(10, () => ledger.record(c))).map((r) => r.kind);
        expect(kinds.filter((k) => k === "recorded")).toHaveLength(1);
        expect(kinds.filter((k) => k === "duplicate")).toHaveLength(9);
        expect(await ledger.usage(a.tenantId)).toEqual([c, e]);

        // The same request id in another tenant is another request.
        const elsewhere = { ...e, tenantId: other.tenantId, keyId: other.keyId };
        expect(await ledger.record(elsewhere)).toEqual({ kind: "recorded" });
        expect(await ledger.usage(other.tenantId)).toEqual([elsewhere]);
        expect(await ledger.usage(a.tenantId)).toEqual([c, e]);
      },
    },
    {
      name: "record beside an open hold leaves the hold, balance and entries as they were",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, 1_000_000);
        const open = await admitOk(ledger, a);
        const before = await snapshot(ledger, a);
        expect(await ledger.record(refusal(a, Date.now(), 422, "idempotency_key_reused"))).toEqual({
          kind: "recorded",
        });
        expect(await snapshot(ledger, a)).toEqual(before);
        expect(before.balance).toMatchObject({ held: open.res.reserved, openHolds: 1 });
        expectKind(await ledger.settle(settleReq(a, open.req.requestId, 10)), "settled");
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "with the store down, record rejects with StoreUnavailableError and writes nothing",
      requiresFaults: true,
      timeoutMs: 60_000,
      async run({ ledger, faults }) {
        if (!faults) throw new Error("this case needs factory.faults");
        const a = freshAccount();
        const e = refusal(a, Date.now(), 503, "store_unavailable");
        await faults.down();
        try {
          await expectUnavailable(() => ledger.record(e), "record");
        } finally {
          await faults.up();
        }
        expect(await ledger.usage(a.tenantId)).toEqual([]);
        // Nothing was remembered either: the retry records it, once.
        expect(await ledger.record(e)).toEqual({ kind: "recorded" });
        expect(await ledger.record(e)).toEqual({ kind: "duplicate" });
        expect(await ledger.usage(a.tenantId)).toEqual([e]);
      },
    },
  ],
};
