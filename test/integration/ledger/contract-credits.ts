/**
 * Contract: credits (topup/adjust), admission arithmetic (worst-case reserve, clamping) and refusals for credit.
 *
 * Readings of the spec pinned here:
 * - credit() writes an entry carrying `reference`; a repeated reference (even with another amount or type) changes
 *   nothing and returns the current balance — also when the repeats race each other.
 * - A negative adjust takes at most the AVAILABLE balance (holds are untouched); the entry and `credited` record the
 *   amount really applied, and a fully clamped adjust still writes its (zero-amount) entry for the audit trail.
 * - The reserve entry has amount = -reserved, charged = reserved (the hold) and the requestId.
 * - `rate` is [] when no rate limit is configured.
 * Expected numbers below are worked out by hand from the formulas in ledger-spec.md (and cross-checked with BigInt).
 */
import { expect } from "vitest";
import type { AdmitRequest } from "../../../src/ledger/types";
import {
  admitOk,
  admitReq,
  type ContractGroup,
  expectKind,
  freshAccount,
  fund,
  settleReq,
  together,
  uid,
  voidReq,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

interface ClampCase {
  label: string;
  balance: number;
  req: Pick<AdmitRequest, "promptCost" | "outputPricePerMtok" | "maxOutputTokens" | "minOutputTokens">;
  outputTokens: number;
  reserved: number;
  clamped: boolean;
}

const CLAMP_CASES: ClampCase[] = [
  {
    label: "affordable: the full maxOutputTokens, output cost rounded up",
    balance: 10_000_000,
    req: { promptCost: 1234, outputPricePerMtok: 1_500_001, maxOutputTokens: 1000, minOutputTokens: 1 },
    outputTokens: 1000,
    reserved: 1234 + 1501,
    clamped: false,
  },
  {
    label: "clamped: floor(5000 * 1e6 / 3e6) = 1666 tokens",
    balance: 6000,
    req: { promptCost: 1000, outputPricePerMtok: 3_000_000, maxOutputTokens: 4000, minOutputTokens: 1 },
    outputTokens: 1666,
    reserved: 1000 + 4998,
    clamped: true,
  },
  {
    label: "clamped at an odd price: 642 tokens cost ceil(4993.33) = 4994",
    balance: 6000,
    req: { promptCost: 1000, outputPricePerMtok: 7_777_777, maxOutputTokens: 4000, minOutputTokens: 1 },
    outputTokens: 642,
    reserved: 1000 + 4994,
    clamped: true,
  },
  {
    label: "balance exactly prompt + worst case: not clamped, balance goes to 0",
    balance: 2001,
    req: { promptCost: 500, outputPricePerMtok: 1_500_001, maxOutputTokens: 1000, minOutputTokens: 1 },
    outputTokens: 1000,
    reserved: 2001,
    clamped: false,
  },
  {
    label: "one micro-credit short of the worst case: clamped to 999",
    balance: 2000,
    req: { promptCost: 500, outputPricePerMtok: 1_500_001, maxOutputTokens: 1000, minOutputTokens: 1 },
    outputTokens: 999,
    reserved: 500 + 1499,
    clamped: true,
  },
  {
    label: "output price 0: unlimited output, only the prompt is reserved",
    balance: 1000,
    req: { promptCost: 1000, outputPricePerMtok: 0, maxOutputTokens: 1_000_000, minOutputTokens: 1 },
    outputTokens: 1_000_000,
    reserved: 1000,
    clamped: false,
  },
  {
    label: "affords exactly minOutputTokens: admitted, clamped",
    balance: 200,
    req: { promptCost: 100, outputPricePerMtok: 2_000_000, maxOutputTokens: 1000, minOutputTokens: 50 },
    outputTokens: 50,
    reserved: 200,
    clamped: true,
  },
  {
    label: "large balance (10 million credits) stays exact",
    balance: 10_000_000_000_007,
    req: { promptCost: 123_456, outputPricePerMtok: 75_000_000, maxOutputTokens: 32_000, minOutputTokens: 1 },
    outputTokens: 32_000,
    reserved: 123_456 + 2_400_000,
    clamped: false,
  },
];

const INSUFFICIENT_CASES = [
  { label: "balance < promptCost", balance: 999, promptCost: 1000, price: 1_000_000, min: 1, needed: 1001 },
  {
    label: "affordable (49) < minOutputTokens (50)",
    balance: 199,
    promptCost: 100,
    price: 2_000_000,
    min: 50,
    needed: 200,
  },
  { label: "free output but balance < promptCost", balance: 999, promptCost: 1000, price: 0, min: 1, needed: 1000 },
  { label: "never credited", balance: 0, promptCost: 1, price: 1_000_000, min: 1, needed: 2 },
];

export const creditCases: ContractGroup = {
  name: "credits and admission arithmetic",
  cases: [
    {
      name: "an account never credited has a zero balance",
      async run({ ledger }) {
        const a = freshAccount();
        const b = await ledger.balance(a.keyId, a.tenantId);
        expect(b).toEqual({ keyId: a.keyId, balance: 0, held: 0, openHolds: 0, credited: 0, billed: 0 });
        expect(await ledger.entries(a.keyId, a.tenantId)).toEqual([]);
      },
    },
    {
      name: "credit is idempotent per reference (repeats, other amounts and racing repeats change nothing)",
      async run({ ledger }) {
        const a = freshAccount();
        const ref = uid("ref");
        const first = await ledger.credit(a.keyId, a.tenantId, 5000, ref, "topup");
        expect(first).toMatchObject({ balance: 5000, held: 0, credited: 5000, billed: 0 });
        expect(await ledger.credit(a.keyId, a.tenantId, 5000, ref, "topup")).toMatchObject({ balance: 5000 });
        expect(await ledger.credit(a.keyId, a.tenantId, 9999, ref, "adjust")).toMatchObject({ balance: 5000 });
        const raced = uid("ref");
        await together(10, () => ledger.credit(a.keyId, a.tenantId, 700, raced, "topup"));
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: 5700, credited: 5700 });
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        expect(entries.map((e) => [e.type, e.amount, e.reference, e.balanceAfter])).toEqual([
          ["topup", 5000, ref, 5000],
          ["topup", 700, raced, 5700],
        ]);
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "a negative adjust never takes the balance below zero and records what it really removed",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, 1000);
        const { req } = await admitOk(ledger, a, { promptCost: 400, outputPricePerMtok: 0 });
        const ref = uid("ref");
        const after = await ledger.credit(a.keyId, a.tenantId, -1000, ref, "adjust");
        expect(after).toMatchObject({ balance: 0, held: 400, openHolds: 1, credited: 400, billed: 0 });
        const [adjust] = await ledger.entries(a.keyId, a.tenantId, { limit: 1 });
        expect(adjust).toMatchObject({ type: "adjust", amount: -600, balanceAfter: 0, reference: ref });
        const empty = await ledger.credit(a.keyId, a.tenantId, -5, uid("ref"), "adjust");
        expect(empty).toMatchObject({ balance: 0, credited: 400 });
        const [zero] = await ledger.entries(a.keyId, a.tenantId, { limit: 1 });
        expect(zero).toMatchObject({ type: "adjust", amount: 0, balanceAfter: 0 });
        expect(await ledger.credit(a.keyId, a.tenantId, 50, uid("ref"), "adjust")).toMatchObject({
          balance: 50,
          credited: 450,
        });
        await checkInvariant(ledger, a.keyId, a.tenantId);
        expectKind(await ledger.void(voidReq(a, req.requestId)), "voided");
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: 450, held: 0 });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "admit reserves the worst case: balance moves to held, a reserve entry is written",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, 10_000_000);
        const req = admitReq(a, { promptCost: 1234, outputPricePerMtok: 1_500_001, maxOutputTokens: 1000 });
        const res = expectKind(await ledger.admit(req), "admitted");
        expect(res).toEqual({
          kind: "admitted",
          reserved: 2735,
          outputTokens: 1000,
          clamped: false,
          balanceAfter: 10_000_000 - 2735,
          rate: [],
        });
        expect(await ledger.balance(a.keyId, a.tenantId)).toEqual({
          keyId: a.keyId,
          balance: 10_000_000 - 2735,
          held: 2735,
          openHolds: 1,
          credited: 10_000_000,
          billed: 0,
        });
        const [reserve] = await ledger.entries(a.keyId, a.tenantId, { limit: 1 });
        expect(reserve).toMatchObject({
          type: "reserve",
          requestId: req.requestId,
          amount: -2735,
          charged: 2735,
          balanceAfter: 10_000_000 - 2735,
        });
        expect(typeof reserve?.at).toBe("number");
        await checkInvariant(ledger, a.keyId, a.tenantId);
        expectKind(await ledger.settle(settleReq(a, req.requestId, 2000)), "settled");
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "clamping: granted output tokens and reserve follow the formula exactly",
      async run({ ledger }) {
        for (const c of CLAMP_CASES) {
          const a = freshAccount();
          await fund(ledger, a, c.balance);
          const res = await ledger.admit(admitReq(a, c.req));
          expect(res, c.label).toEqual({
            kind: "admitted",
            reserved: c.reserved,
            outputTokens: c.outputTokens,
            clamped: c.clamped,
            balanceAfter: c.balance - c.reserved,
            rate: [],
          });
          await checkInvariant(ledger, a.keyId, a.tenantId);
        }
      },
    },
    {
      name: "insufficient credits when balance < promptCost or affordable < minOutputTokens",
      async run({ ledger }) {
        for (const c of INSUFFICIENT_CASES) {
          const a = freshAccount();
          if (c.balance > 0) await fund(ledger, a, c.balance);
          const req = admitReq(a, {
            promptCost: c.promptCost,
            outputPricePerMtok: c.price,
            minOutputTokens: c.min,
            maxOutputTokens: 1000,
          });
          const res = await ledger.admit(req);
          expect(res, c.label).toEqual({ kind: "insufficient_credits", balance: c.balance, needed: c.needed });
          expect(await ledger.balance(a.keyId, a.tenantId), c.label).toMatchObject({ balance: c.balance, held: 0 });
          expect((await ledger.entries(a.keyId, a.tenantId)).length, c.label).toBe(c.balance > 0 ? 1 : 0);
        }
      },
    },
  ],
};
