/**
 * Contract: atomicity under concurrency. These are the proofs that admission is one atomic step (no read-then-write
 * across round trips) and that a hold resolves exactly once even when settle and the sweeper race.
 */
import { expect } from "vitest";
import type { AdmitResult, SettleResult, VoidResult } from "../../../src/ledger/types";
import {
  admitOk,
  admitReq,
  type ContractGroup,
  freshAccount,
  fund,
  isTerminal,
  prng,
  SHORT_HOLD_TTL_MS,
  SWEEP_AHEAD_MS,
  settleReq,
  together,
  voidReq,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const CYCLE_SEED = 0x5eed1e;

export const concurrencyCases: ContractGroup = {
  name: "concurrency",
  cases: [
    {
      name: "50 concurrent admits against a balance that affords exactly one: 1 admitted, 49 insufficient_credits",
      timeoutMs: 30_000,
      async run({ ledger }) {
        const a = freshAccount();
        // promptCost 1000 + ceil(1000 tokens * 2 credits/Mtok) = 3000: exactly one worst case, nothing left after it.
        await fund(ledger, a, 3000);
        const results = await together(50, () => ledger.admit(admitReq(a)));
        const admitted = results.filter((r) => r.kind === "admitted");
        const refused = results.filter((r) => r.kind === "insufficient_credits");
        expect(admitted).toHaveLength(1);
        expect(refused).toHaveLength(49);
        expect(admitted[0]).toMatchObject({ reserved: 3000, outputTokens: 1000, clamped: false, balanceAfter: 0 });
        for (const r of refused) expect(r).toEqual({ kind: "insufficient_credits", balance: 0, needed: 1002 });
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: 0, held: 3000, openHolds: 1 });
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        expect(entries.filter((e) => e.type === "reserve")).toHaveLength(1);
        for (const e of entries) expect(e.balanceAfter).toBeGreaterThanOrEqual(0);
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "64 concurrent admit+settle/void cycles with random costs keep the invariant",
      timeoutMs: 60_000,
      async run({ ledger }) {
        const a = freshAccount();
        const funds = 200_000;
        await fund(ledger, a, funds);
        const rand = prng(CYCLE_SEED);
        const plans = Array.from({ length: 64 }, () => ({
          promptCost: 100 + rand(2000),
          price: rand(4) === 0 ? 0 : 500_000 + rand(5_000_000),
          maxOutputTokens: 1 + rand(4000),
          outcome: rand(10),
          costPermille: rand(1500),
        }));
        type Cycle = { admit: AdmitResult; end?: SettleResult | VoidResult; expectedCharge: number };
        const cycles = await together(plans.length, async (i): Promise<Cycle> => {
          const p = plans[i];
          if (p === undefined) throw new Error("plan index out of range");
          const req = admitReq(a, {
            promptCost: p.promptCost,
            outputPricePerMtok: p.price,
            maxOutputTokens: p.maxOutputTokens,
          });
          const admit = await ledger.admit(req);
          if (admit.kind !== "admitted") return { admit, expectedCharge: 0 };
          if (p.outcome === 0) return { admit, end: await ledger.void(voidReq(a, req.requestId)), expectedCharge: 0 };
          // outcome 1: an invalid (negative) cost; otherwise 0..150% of the hold, so some runs go over it.
          const cost = p.outcome === 1 ? -1 - p.costPermille : Math.floor((admit.reserved * p.costPermille) / 1000);
          const expectedCharge = p.outcome === 1 ? admit.reserved : Math.min(cost, admit.reserved);
          return { admit, end: await ledger.settle(settleReq(a, req.requestId, cost)), expectedCharge };
        });
        let billed = 0;
        let admittedCount = 0;
        for (const c of cycles) {
          expect(["admitted", "insufficient_credits"]).toContain(c.admit.kind);
          if (c.admit.kind !== "admitted") continue;
          admittedCount++;
          expect(["settled", "voided"]).toContain(c.end?.kind);
          if (c.end?.kind === "settled") expect(c.end.charged).toBe(c.expectedCharge);
          billed += c.expectedCharge;
        }
        expect(admittedCount).toBeGreaterThan(0);
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance: funds - billed,
          held: 0,
          openHolds: 0,
          billed,
          credited: funds,
        });
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        expect(entries.filter(isTerminal)).toHaveLength(admittedCount);
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "settle racing the sweeper: each hold gets exactly one terminal entry",
      timeoutMs: 30_000,
      async run({ ledger }) {
        const a = freshAccount();
        const funds = 1_000_000;
        await fund(ledger, a, funds);
        const holds = [];
        for (let i = 0; i < 8; i++) holds.push(await admitOk(ledger, a, { holdTtlMs: SHORT_HOLD_TTL_MS }));
        const sweepAt = Date.now() + SWEEP_AHEAD_MS;
        const ops: (() => Promise<SettleResult | number>)[] = holds.map(
          (h) => () => ledger.settle(settleReq(a, h.req.requestId, 1000)),
        );
        ops.splice(2, 0, () => ledger.sweep(sweepAt));
        ops.splice(7, 0, () => ledger.sweep(sweepAt));
        const results = await together(ops.length, (i) => {
          const op = ops[i];
          if (op === undefined) throw new Error("op index out of range");
          return op();
        });
        const settles = results.filter((r): r is SettleResult => typeof r !== "number");
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        let billed = 0;
        holds.forEach((h, i) => {
          const terminals = entries.filter((e) => e.requestId === h.req.requestId && isTerminal(e));
          expect(terminals, h.req.requestId).toHaveLength(1);
          const settle = settles[i];
          if (terminals[0]?.type === "settle") {
            expect(settle).toMatchObject({ kind: "settled", charged: 1000 });
            billed += 1000;
          } else {
            expect(terminals[0]).toMatchObject({ type: "expire", charged: h.res.reserved });
            expect(settle).toEqual({ kind: "already_resolved", terminal: "expired" });
            billed += h.res.reserved;
          }
        });
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ billed, held: 0, balance: funds - billed });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
  ],
};
