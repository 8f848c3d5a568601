/**
 * Contract: every hold resolves exactly once — settle, void or expiry by the sweeper.
 *
 * Readings of the spec pinned here:
 * - The settle entry carries the request's `flags` plus the ledger's own (`over_hold`, `invalid_cost`); the stored
 *   usage event is the request's `usage` with `cost` replaced by what was really charged and the ledger's flags added
 *   (a usage record never reports more than was billed). Void stores the usage event with cost 0.
 * - A valid cost is a non-negative safe integer: Number.MAX_SAFE_INTEGER is valid (billed at the hold, `over_hold`),
 *   2^53 is not (`invalid_cost`).
 * - Holds are per key: settling or voiding a request id with another key's id is `unknown_hold`.
 * - A duplicate request id (open or resolved hold) is refused for that key only.
 * - sweep() is global to the store; its count covers every key, so the suite asserts lower bounds on it and checks
 *   exact effects on its own keys.
 */
import { expect } from "vitest";
import type { Ledger } from "../../../src/ledger/types";
import {
  type Account,
  admitOk,
  admitReq,
  type ContractGroup,
  DEFAULT_RESERVE,
  expectKind,
  freshAccount,
  fund,
  SHORT_HOLD_TTL_MS,
  SWEEP_AHEAD_MS,
  settleReq,
  uid,
  voidReq,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const FUNDS = 1_000_000;

async function snapshot(ledger: Ledger, a: Account) {
  return { balance: await ledger.balance(a.keyId, a.tenantId), entries: await allEntries(ledger, a.keyId, a.tenantId) };
}

const INVALID_COSTS: [string, number][] = [
  ["negative", -1],
  ["fractional", 1.5],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["2^53", 2 ** 53],
  ["above 2^53", 2 ** 53 + 2],
];

export const holdCases: ContractGroup = {
  name: "settle, void and expiry",
  cases: [
    {
      name: "settle charges the cost, releases the rest and stores the usage event",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const { req } = await admitOk(ledger, a);
        const s = settleReq(a, req.requestId, 1234, { flags: ["usage_estimated"] });
        s.usage.flags = ["usage_estimated"];
        const res = await ledger.settle(s);
        expect(res).toEqual({
          kind: "settled",
          charged: 1234,
          released: DEFAULT_RESERVE - 1234,
          balanceAfter: FUNDS - 1234,
        });
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance: FUNDS - 1234,
          held: 0,
          openHolds: 0,
          billed: 1234,
        });
        const [entry] = await ledger.entries(a.keyId, a.tenantId, { limit: 1 });
        expect(entry).toMatchObject({
          type: "settle",
          requestId: req.requestId,
          amount: DEFAULT_RESERVE - 1234,
          charged: 1234,
          balanceAfter: FUNDS - 1234,
          flags: expect.arrayContaining(["usage_estimated"]),
        });
        expect(entry?.flags ?? []).not.toContain("over_hold");
        const usage = await ledger.usage(a.tenantId);
        expect(usage).toEqual([{ ...s.usage, flags: expect.arrayContaining(["usage_estimated"]) }]);
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "settle bills at most the hold: cost above it is flagged over_hold, cost 0 releases everything",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const over = await admitOk(ledger, a);
        const res = await ledger.settle(settleReq(a, over.req.requestId, DEFAULT_RESERVE + 500));
        expect(res).toEqual({
          kind: "settled",
          charged: DEFAULT_RESERVE,
          released: 0,
          balanceAfter: FUNDS - DEFAULT_RESERVE,
        });
        const [entry] = await ledger.entries(a.keyId, a.tenantId, { limit: 1 });
        expect(entry).toMatchObject({ type: "settle", charged: DEFAULT_RESERVE, amount: 0 });
        expect(entry?.flags).toContain("over_hold");
        const [usage] = await ledger.usage(a.tenantId);
        expect(usage).toMatchObject({ requestId: over.req.requestId, cost: DEFAULT_RESERVE });
        expect(usage?.flags).toContain("over_hold");

        const huge = await admitOk(ledger, a);
        const hugeRes = expectKind(
          await ledger.settle(settleReq(a, huge.req.requestId, Number.MAX_SAFE_INTEGER)),
          "settled",
        );
        expect(hugeRes.charged).toBe(DEFAULT_RESERVE);
        expect((await ledger.entries(a.keyId, a.tenantId, { limit: 1 }))[0]?.flags).toContain("over_hold");

        const free = await admitOk(ledger, a);
        const freeRes = await ledger.settle(settleReq(a, free.req.requestId, 0));
        expect(freeRes).toEqual({
          kind: "settled",
          charged: 0,
          released: DEFAULT_RESERVE,
          balanceAfter: FUNDS - 2 * DEFAULT_RESERVE,
        });
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ billed: 2 * DEFAULT_RESERVE, held: 0 });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "invalid costs (negative, fractional, NaN, Infinity, >= 2^53) charge the full hold, flagged invalid_cost",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        let balance = FUNDS;
        for (const [label, cost] of INVALID_COSTS) {
          const { req, res: admitted } = await admitOk(ledger, a);
          balance -= admitted.reserved;
          const res = await ledger.settle(settleReq(a, req.requestId, cost));
          expect(res, label).toEqual({ kind: "settled", charged: DEFAULT_RESERVE, released: 0, balanceAfter: balance });
          const [entry] = await ledger.entries(a.keyId, a.tenantId, { limit: 1 });
          expect(entry, label).toMatchObject({ type: "settle", charged: DEFAULT_RESERVE, amount: 0 });
          expect(entry?.flags, label).toContain("invalid_cost");
          const [usage] = await ledger.usage(a.tenantId, { limit: 1 });
          expect(usage?.cost, label).toBe(DEFAULT_RESERVE);
        }
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance,
          held: 0,
          billed: INVALID_COSTS.length * DEFAULT_RESERVE,
        });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "a hold resolves once: settle twice, void then settle, settle then void",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const settled = await admitOk(ledger, a);
        expectKind(await ledger.settle(settleReq(a, settled.req.requestId, 100)), "settled");
        let before = await snapshot(ledger, a);
        expect(await ledger.settle(settleReq(a, settled.req.requestId, 5))).toEqual({
          kind: "already_resolved",
          terminal: "settled",
        });
        expect(await ledger.void(voidReq(a, settled.req.requestId))).toEqual({
          kind: "already_resolved",
          terminal: "settled",
        });
        expect(await snapshot(ledger, a)).toEqual(before);

        const voided = await admitOk(ledger, a);
        const v = await ledger.void(voidReq(a, voided.req.requestId));
        expect(v).toEqual({ kind: "voided", released: DEFAULT_RESERVE, balanceAfter: FUNDS - 100 });
        before = await snapshot(ledger, a);
        expect(await ledger.settle(settleReq(a, voided.req.requestId, 100))).toEqual({
          kind: "already_resolved",
          terminal: "voided",
        });
        expect(await ledger.void(voidReq(a, voided.req.requestId))).toEqual({
          kind: "already_resolved",
          terminal: "voided",
        });
        expect(await snapshot(ledger, a)).toEqual(before);
        const [voidEntry] = before.entries.slice(-1);
        expect(voidEntry).toMatchObject({ type: "void", requestId: voided.req.requestId, amount: DEFAULT_RESERVE });
        const [usage] = await ledger.usage(a.tenantId, { limit: 1 });
        expect(usage).toMatchObject({ requestId: voided.req.requestId, cost: 0 });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "settle or void of an unknown hold (or another key's) is unknown_hold and changes nothing",
      async run({ ledger }) {
        const a = freshAccount();
        const other = freshAccount(a.tenantId);
        await fund(ledger, a, FUNDS);
        await fund(ledger, other, FUNDS);
        const { req } = await admitOk(ledger, a);
        const before = await snapshot(ledger, other);
        expect(await ledger.settle(settleReq(a, uid("req"), 10))).toEqual({ kind: "unknown_hold" });
        expect(await ledger.void(voidReq(a, uid("req")))).toEqual({ kind: "unknown_hold" });
        expect(await ledger.settle(settleReq(other, req.requestId, 10))).toEqual({ kind: "unknown_hold" });
        expect(await ledger.void(voidReq(other, req.requestId))).toEqual({ kind: "unknown_hold" });
        expect(await snapshot(ledger, other)).toEqual(before);
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ held: DEFAULT_RESERVE, openHolds: 1 });
        expect(await ledger.usage(a.tenantId)).toEqual([]);
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "a request id already seen for the key (open or resolved) is duplicate_request; other keys may use it",
      async run({ ledger }) {
        const a = freshAccount();
        const b = freshAccount(a.tenantId);
        await fund(ledger, a, FUNDS);
        await fund(ledger, b, FUNDS);
        const { req } = await admitOk(ledger, a);
        let before = await snapshot(ledger, a);
        expect(await ledger.admit(admitReq(a, { requestId: req.requestId }))).toEqual({ kind: "duplicate_request" });
        expect(await snapshot(ledger, a)).toEqual(before);
        expectKind(await ledger.settle(settleReq(a, req.requestId, 10)), "settled");
        before = await snapshot(ledger, a);
        expect(await ledger.admit(admitReq(a, { requestId: req.requestId }))).toEqual({ kind: "duplicate_request" });
        expect(await snapshot(ledger, a)).toEqual(before);
        const voided = await admitOk(ledger, a);
        expectKind(await ledger.void(voidReq(a, voided.req.requestId)), "voided");
        expect(await ledger.admit(admitReq(a, { requestId: voided.req.requestId }))).toEqual({
          kind: "duplicate_request",
        });
        const onB = await admitOk(ledger, b, { requestId: req.requestId });
        expectKind(await ledger.settle(settleReq(b, onB.req.requestId, 10)), "settled");
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
        await checkInvariant(ledger, b.keyId, b.tenantId, { atRest: true });
      },
    },
    {
      name: "a duplicate request id wins over a refusal it would now get, and counts against no rate limit",
      async run({ ledger }) {
        const a = freshAccount();
        // Exactly one default reserve: after the first admission the balance cannot afford the same request again.
        await fund(ledger, a, DEFAULT_RESERVE);
        const limits = { key: { requests_per_minute: 2 } };
        const { req } = await admitOk(ledger, a, { limits });
        const before = await snapshot(ledger, a);
        expect(await ledger.admit(admitReq(a, { requestId: req.requestId, limits }))).toEqual({
          kind: "duplicate_request",
        });
        expect(await snapshot(ledger, a)).toEqual(before);
        expectKind(await ledger.settle(settleReq(a, req.requestId, 0)), "settled");
        // The second of two requests a minute is still free: the duplicate took no place in the window.
        expectKind(await ledger.admit(admitReq(a, { limits })), "admitted");
        const limited = await ledger.admit(admitReq(a, { limits }));
        expectKind(limited, "rate_limited");
        expect(await ledger.admit(admitReq(a, { requestId: req.requestId, limits }))).toEqual({
          kind: "duplicate_request",
        });
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "sweep bills expired holds at the full hold, flagged expired, exactly once",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const short1 = await admitOk(ledger, a, { holdTtlMs: SHORT_HOLD_TTL_MS });
        const short2 = await admitOk(ledger, a, { holdTtlMs: SHORT_HOLD_TTL_MS, promptCost: 500 });
        const long = await admitOk(ledger, a);
        const count = await ledger.sweep(Date.now() + SWEEP_AHEAD_MS);
        expect(count).toBeGreaterThanOrEqual(2);
        const held = long.res.reserved;
        const billed = short1.res.reserved + short2.res.reserved;
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance: FUNDS - billed - held,
          held,
          openHolds: 1,
          billed,
        });
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        for (const h of [short1, short2]) {
          const expired = entries.filter((e) => e.requestId === h.req.requestId && e.type === "expire");
          expect(expired).toHaveLength(1);
          expect(expired[0]).toMatchObject({
            amount: 0,
            charged: h.res.reserved,
            flags: expect.arrayContaining(["expired"]),
          });
          expect(await ledger.settle(settleReq(a, h.req.requestId, 1))).toEqual({
            kind: "already_resolved",
            terminal: "expired",
          });
        }
        const usage = await ledger.usage(a.tenantId, { keyId: a.keyId });
        expect(usage.map((u) => u.requestId).sort()).toEqual([short1.req.requestId, short2.req.requestId].sort());
        for (const u of usage) {
          expect(u.flags).toContain("expired");
          expect(u).toMatchObject({ keyId: a.keyId, tenantId: a.tenantId });
        }
        expect(usage.find((u) => u.requestId === short2.req.requestId)?.cost).toBe(short2.res.reserved);
        const before = await snapshot(ledger, a);
        await ledger.sweep(Date.now() + SWEEP_AHEAD_MS);
        expect(await snapshot(ledger, a)).toEqual(before);
        await checkInvariant(ledger, a.keyId, a.tenantId);
        expectKind(await ledger.settle(settleReq(a, long.req.requestId, 10)), "settled");
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
  ],
};
