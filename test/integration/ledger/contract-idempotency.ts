/**
 * Contract: Idempotency-Key handling at admission (scoped by keyId + idempotency key).
 *
 * Readings of the spec pinned here:
 * - Replays come from a new HTTP request, so they carry a NEW requestId; the idempotency check runs before the limits
 *   and credits (only the request-id check precedes it), so a replay is returned even when the balance could no
 *   longer pay, and it creates no hold, entry or usage event.
 * - The settle that completes the record names the idempotency key; the bodyHash is the one given at admit.
 * - Void deletes the in-flight marker, so the same key and body are admitted again afterwards.
 * - The request-id duplicate check runs BEFORE the idempotency check: a retried admission (same request id, its first
 *   reply lost) is told `duplicate_request` — so the gateway releases its own hold — never "in flight" by its own
 *   marker.
 * - A hold that expires (the sweeper bills it) also drops its in-flight marker, as void does: the key is usable again.
 */
import { expect } from "vitest";
import type { Ledger, StoredResponse } from "../../../src/ledger/types";
import {
  type Account,
  admitOk,
  admitReq,
  type ContractGroup,
  expectKind,
  freshAccount,
  fund,
  IDEMPOTENCY_TTL_MS,
  SHORT_HOLD_TTL_MS,
  SWEEP_AHEAD_MS,
  settleReq,
  uid,
  voidReq,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const FUNDS = 1_000_000;

function idem(key: string, bodyHash: string) {
  return { key, bodyHash, ttlMs: IDEMPOTENCY_TTL_MS };
}

async function snapshot(ledger: Ledger, a: Account) {
  return {
    balance: await ledger.balance(a.keyId, a.tenantId),
    entries: await allEntries(ledger, a.keyId, a.tenantId),
    usage: await ledger.usage(a.tenantId),
  };
}

const RESPONSE: StoredResponse = {
  status: 200,
  headers: { "content-type": "application/json", "x-gateway-provider": "p-test" },
  body: JSON.stringify({ id: "chatcmpl-1", choices: [{ message: { role: "assistant", content: "héllo ✓" } }] }),
};

export const idempotencyCases: ContractGroup = {
  name: "idempotency",
  cases: [
    {
      name: "a replay after settle with the same body returns the stored response and charges nothing",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const key = uid("idem");
        const first = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        const settled = await ledger.settle(
          settleReq(a, first.req.requestId, 1500, { idempotency: { key, response: RESPONSE } }),
        );
        expectKind(settled, "settled");
        const before = await snapshot(ledger, a);
        const replay = await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-1") }));
        expect(replay).toEqual({ kind: "replay", response: RESPONSE });
        expect(await snapshot(ledger, a)).toEqual(before);
        // Nothing else is checked for a replay: not even whether the balance could pay again.
        await ledger.credit(a.keyId, a.tenantId, -FUNDS, uid("ref"), "adjust");
        const poor = await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-1") }));
        expect(poor).toEqual({ kind: "replay", response: RESPONSE });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "the same key while in flight is idempotency_in_flight; another body is idempotency_mismatch",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const key = uid("idem");
        const first = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        let before = await snapshot(ledger, a);
        expect(await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-1") }))).toEqual({
          kind: "idempotency_in_flight",
        });
        expect(await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-2") }))).toEqual({
          kind: "idempotency_mismatch",
        });
        expect(await snapshot(ledger, a)).toEqual(before);
        expectKind(
          await ledger.settle(settleReq(a, first.req.requestId, 100, { idempotency: { key, response: RESPONSE } })),
          "settled",
        );
        before = await snapshot(ledger, a);
        expect(await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-2") }))).toEqual({
          kind: "idempotency_mismatch",
        });
        expect(await snapshot(ledger, a)).toEqual(before);
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "after void the same idempotency key (and body) may be used again",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const key = uid("idem");
        const first = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        expectKind(await ledger.void(voidReq(a, first.req.requestId, { idempotencyKey: key })), "voided");
        const again = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        expect(again.res.reserved).toBe(first.res.reserved);
        expect(await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-1") }))).toEqual({
          kind: "idempotency_in_flight",
        });
        expectKind(
          await ledger.settle(settleReq(a, again.req.requestId, 10, { idempotency: { key, response: RESPONSE } })),
          "settled",
        );
        expect(await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-1") }))).toEqual({
          kind: "replay",
          response: RESPONSE,
        });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "a duplicate admission carrying an idempotency key is duplicate_request, and its void frees the key",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const key = uid("idem");
        const first = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        const before = await snapshot(ledger, a);
        // The store ran the first try; its reply was lost and the client sends the very same admission again.
        expect(await ledger.admit(first.req)).toEqual({ kind: "duplicate_request" });
        expect(await snapshot(ledger, a)).toEqual(before);
        expectKind(await ledger.void(voidReq(a, first.req.requestId, { idempotencyKey: key })), "voided");
        const again = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        expectKind(
          await ledger.settle(settleReq(a, again.req.requestId, 10, { idempotency: { key, response: RESPONSE } })),
          "settled",
        );
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "an idempotency key is usable again after its hold expired and was swept",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const key = uid("idem");
        const first = await admitOk(ledger, a, { idempotency: idem(key, "hash-1"), holdTtlMs: SHORT_HOLD_TTL_MS });
        await ledger.sweep(Date.now() + SWEEP_AHEAD_MS);
        expect(await ledger.settle(settleReq(a, first.req.requestId, 1))).toEqual({
          kind: "already_resolved",
          terminal: "expired",
        });
        const again = await admitOk(ledger, a, { idempotency: idem(key, "hash-1") });
        expectKind(
          await ledger.settle(settleReq(a, again.req.requestId, 10, { idempotency: { key, response: RESPONSE } })),
          "settled",
        );
        expect(await ledger.admit(admitReq(a, { idempotency: idem(key, "hash-1") }))).toEqual({
          kind: "replay",
          response: RESPONSE,
        });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "idempotency keys are scoped by API key",
      async run({ ledger }) {
        const a = freshAccount();
        const b = freshAccount(a.tenantId);
        await fund(ledger, a, FUNDS);
        await fund(ledger, b, FUNDS);
        const key = uid("idem");
        const onA = await admitOk(ledger, a, { idempotency: idem(key, "hash-a") });
        const onB = await admitOk(ledger, b, { idempotency: idem(key, "hash-b") });
        expectKind(
          await ledger.settle(settleReq(a, onA.req.requestId, 10, { idempotency: { key, response: RESPONSE } })),
          "settled",
        );
        expect(await ledger.admit(admitReq(b, { idempotency: idem(key, "hash-b") }))).toEqual({
          kind: "idempotency_in_flight",
        });
        expectKind(await ledger.void(voidReq(b, onB.req.requestId, { idempotencyKey: key })), "voided");
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
        await checkInvariant(ledger, b.keyId, b.tenantId, { atRest: true });
      },
    },
  ],
};
