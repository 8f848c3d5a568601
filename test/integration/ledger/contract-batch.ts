/**
 * Contract: group commit. Calls started together reach a backend that batches them (the Durable Object ledger sends
 * one call per tenant object, the Upstash ledger one script run for settlements) as one batch; each item must still
 * be checked and answered on its own, exactly as if it had come alone. On a backend that does not batch these cases
 * prove the same answers for concurrent calls.
 */
import { expect } from "vitest";
import { type AdmitResult, type SettleResult, StoreUnavailableError, type VoidResult } from "../../../src/ledger/types";
import {
  admitOk,
  admitReq,
  type ContractGroup,
  DEFAULT_RESERVE,
  expectKind,
  freshAccount,
  fund,
  isTerminal,
  settleReq,
  together,
  voidReq,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

type Answer = AdmitResult | SettleResult | VoidResult;

export const batchCases: ContractGroup = {
  name: "group commit (batches)",
  cases: [
    {
      name: "a batch mixing admissions that pass and fail, settles and voids: each item answered on its own",
      timeoutMs: 30_000,
      async run({ ledger }) {
        const a = freshAccount();
        // Two holds to resolve inside the batch, then room for exactly three more default admissions.
        await fund(ledger, a, 5 * DEFAULT_RESERVE);
        const toSettle = await admitOk(ledger, a);
        const toVoid = await admitOk(ledger, a);
        const limited = freshAccount(a.tenantId);
        await fund(ledger, limited, 10 * DEFAULT_RESERVE);
        const calls: (() => Promise<Answer>)[] = [
          ...Array.from({ length: 6 }, () => () => ledger.admit(admitReq(a))),
          () => ledger.settle(settleReq(a, toSettle.req.requestId, 1234)),
          () => ledger.void(voidReq(a, toVoid.req.requestId)),
          // An admission reusing an open hold's request id, and two under a one-per-minute key limit.
          () => ledger.admit({ ...admitReq(a), requestId: toSettle.req.requestId }),
          ...Array.from(
            { length: 2 },
            () => () => ledger.admit(admitReq(limited, { limits: { key: { requests_per_minute: 1 } } })),
          ),
        ];
        const answers = await together(calls.length, (i) => calls[i]?.() ?? Promise.reject(new Error("no call")));
        const kinds = answers.map((r) => r.kind);
        // The settle and the void free 2 holds (minus the 1234 billed) only as the batch runs: the six admissions
        // of `a` see 3 reserves of room, or up to 4 when the void/settle went first. Never more.
        const admittedA = kinds.slice(0, 6).filter((k) => k === "admitted").length;
        expect(admittedA).toBeGreaterThanOrEqual(3);
        expect(admittedA).toBeLessThanOrEqual(4);
        expect(kinds.slice(0, 6).filter((k) => k === "insufficient_credits")).toHaveLength(6 - admittedA);
        expectKind(answers[6] as SettleResult, "settled");
        expectKind(answers[7] as VoidResult, "voided");
        expect(kinds[8]).toBe("duplicate_request");
        expect(kinds.slice(9).sort()).toEqual(["admitted", "rate_limited"]);
        const balance = await ledger.balance(a.keyId, a.tenantId);
        expect(balance.balance).toBeGreaterThanOrEqual(0);
        expect(balance.openHolds).toBe(admittedA);
        expect(balance.billed).toBe(1234);
        await checkInvariant(ledger, a.keyId, a.tenantId);
        await checkInvariant(ledger, limited.keyId, limited.tenantId);
      },
    },
    {
      name: "duplicate items in one batch: one admission, one settlement, the copies refused without effect",
      timeoutMs: 30_000,
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, 10 * DEFAULT_RESERVE);
        const req = admitReq(a);
        const admits = await together(4, () => ledger.admit(req));
        expect(admits.filter((r) => r.kind === "admitted")).toHaveLength(1);
        expect(admits.filter((r) => r.kind === "duplicate_request")).toHaveLength(3);
        const settles = await together(
          4,
          (i): Promise<SettleResult | VoidResult> =>
            i % 2 === 0 ? ledger.settle(settleReq(a, req.requestId, 700)) : ledger.void(voidReq(a, req.requestId)),
        );
        const won = settles.filter((r) => r.kind === "settled" || r.kind === "voided");
        expect(won).toHaveLength(1);
        expect(settles.filter((r) => r.kind === "already_resolved")).toHaveLength(3);
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        expect(entries.filter((e) => e.requestId === req.requestId && isTerminal(e))).toHaveLength(1);
        expect(entries.filter((e) => e.type === "reserve")).toHaveLength(1);
        const billed = won[0]?.kind === "settled" ? 700 : 0;
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance: 10 * DEFAULT_RESERVE - billed,
          held: 0,
          openHolds: 0,
          billed,
        });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "a batch whose reply is lost: the loss shows, and releasing or retrying each item resolves it exactly once",
      requiresFaults: true,
      timeoutMs: 60_000,
      async run({ ledger, faults }) {
        if (faults?.loseReplies === undefined) return;
        const a = freshAccount();
        await fund(ledger, a, 20 * DEFAULT_RESERVE);
        const open = [await admitOk(ledger, a), await admitOk(ledger, a)];
        const fresh = Array.from({ length: 3 }, () => admitReq(a));
        await faults.loseReplies(1);
        type Tried = { ok: true; value: Answer } | { ok: false; error: unknown };
        const attempt = (p: Promise<Answer>): Promise<Tried> =>
          p.then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
        const first = await together(5, (i) => {
          const req = fresh[i];
          if (req !== undefined) return attempt(ledger.admit(req));
          const hold = open[i - fresh.length];
          if (hold === undefined) throw new Error("index out of range");
          return attempt(ledger.settle(settleReq(a, hold.req.requestId, 500)));
        });
        await faults.loseReplies(0);
        // The loss shows as failures, or (where the transport re-sent the request on a fresh connection) as answers
        // of a second run: a duplicate admission, an already resolved hold.
        const lost = first.filter((t) => !t.ok);
        const replayed = first.filter(
          (t) => t.ok && (t.value.kind === "duplicate_request" || t.value.kind === "already_resolved"),
        );
        expect(lost.length + replayed.length, "the lost reply must show").toBeGreaterThan(0);
        for (const t of lost) if (!t.ok) expect(t.error).toBeInstanceOf(StoreUnavailableError);

        // What the gateway does next: an admission without a reply is released (void answers unknown_hold when it
        // never landed); a settlement without a reply is retried (already_resolved when it had landed).
        for (const [i, req] of fresh.entries()) {
          const tried = first[i];
          if (tried?.ok === true) expect(["admitted", "duplicate_request"]).toContain(tried.value.kind);
          const released = await ledger.void(voidReq(a, req.requestId));
          if (tried?.ok === true) expectKind(released, "voided");
          else expect(["voided", "unknown_hold"]).toContain(released.kind);
        }
        for (const hold of open) {
          const again = await ledger.settle(settleReq(a, hold.req.requestId, 500));
          if (again.kind === "already_resolved") expect(again.terminal).toBe("settled");
          else expectKind(again, "settled");
        }
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        for (const hold of open) {
          const terminal = entries.filter((e) => e.requestId === hold.req.requestId && isTerminal(e));
          expect(terminal).toHaveLength(1);
          expect(terminal[0]).toMatchObject({ type: "settle", charged: 500 });
        }
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance: 20 * DEFAULT_RESERVE - 1000,
          held: 0,
          openHolds: 0,
          billed: 1000,
        });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
  ],
};
