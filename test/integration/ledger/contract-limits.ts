/**
 * Contract: per-minute rate limits (key, then tenant; requests, then tokens) and "a failed admit changes nothing".
 *
 * Readings of the spec pinned here:
 * - A request is allowed when used + this request <= max (reaching the limit exactly is allowed).
 * - Tokens counted = promptTokens + the GRANTED output tokens (after clamping), never maxOutputTokens.
 * - An admitted result lists one RateState per configured limit, with `remaining` after this request; a refusal
 *   reports the state of the limit hit, whose `remaining` is what is left before this request (0 for requests).
 * - Rate limits are checked before credits, so a refused-for-credits request on an exhausted key is rate_limited.
 * - Neither the rate windows, the task counters, the idempotency store nor the request id remember a refused admit,
 *   whatever refused it (the tenant window does not count a request the key limit refused).
 * Exact `remaining` values are asserted only on the first request of a fresh window, because a weighted two-window
 * implementation may legitimately differ after a minute boundary.
 */
import { expect } from "vitest";
import type { AdmitResult, RateState } from "../../../src/ledger/types";
import {
  admitOk,
  admitReq,
  type ContractGroup,
  expectKind,
  freshAccount,
  fund,
  IDEMPOTENCY_TTL_MS,
  TASK_TTL_MS,
  uid,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const FUNDS = 10_000_000;

function state(res: AdmitResult, scope: RateState["scope"], limit: RateState["limit"]): RateState | undefined {
  return res.kind === "admitted" ? res.rate.find((r) => r.scope === scope && r.limit === limit) : undefined;
}

function expectSaneState(s: RateState | undefined, max: number): void {
  expect(s?.max).toBe(max);
  expect(Number.isInteger(s?.remaining)).toBe(true);
  expect(s?.remaining).toBeGreaterThanOrEqual(0);
  expect(s?.remaining).toBeLessThanOrEqual(max);
  expect(Number.isInteger(s?.resetMs)).toBe(true);
  expect(s?.resetMs).toBeGreaterThanOrEqual(0);
  expect(s?.resetMs).toBeLessThanOrEqual(60_000);
}

function expectRateLimited(res: AdmitResult, scope: RateState["scope"], limit: RateState["limit"], max: number) {
  const r = expectKind(res, "rate_limited");
  expect(r.state).toMatchObject({ scope, limit, max });
  expectSaneState(r.state, max);
  expect(r.state.resetMs).toBeGreaterThanOrEqual(1);
  expect(Number.isInteger(r.retryAfterMs)).toBe(true);
  expect(r.retryAfterMs).toBeGreaterThanOrEqual(1);
  expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
  return r;
}

export const limitCases: ContractGroup = {
  name: "rate limits and refused admissions",
  cases: [
    {
      name: "requests_per_minute N allows N requests, then rate_limited with retryAfterMs > 0",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const limits = { key: { requests_per_minute: 3 } };
        for (let i = 0; i < 3; i++) {
          const { res } = await admitOk(ledger, a, { limits });
          expect(res.rate).toHaveLength(1);
          expectSaneState(state(res, "key", "requests"), 3);
          if (i === 0) expect(state(res, "key", "requests")?.remaining).toBe(2);
        }
        const before = await ledger.balance(a.keyId, a.tenantId);
        const refused = expectRateLimited(await ledger.admit(admitReq(a, { limits })), "key", "requests", 3);
        expect(refused.state.remaining).toBe(0);
        expect(await ledger.balance(a.keyId, a.tenantId)).toEqual(before);
        // Without the limit the same key is admitted: the refusal came from the limit, not the account.
        await admitOk(ledger, a);
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "tokens_per_minute counts promptTokens + granted (clamped) output tokens",
      async run({ ledger }) {
        const a = freshAccount();
        const limits = { key: { tokens_per_minute: 1000 } };
        // 1 µ per output token and promptCost 100: a balance of 300 affords 200 of the 800 tokens asked.
        await fund(ledger, a, 300);
        const cheap = { promptCost: 100, outputPricePerMtok: 1_000_000, promptTokens: 100, limits };
        const first = await admitOk(ledger, a, { ...cheap, maxOutputTokens: 800 });
        expect(first.res).toMatchObject({ outputTokens: 200, clamped: true });
        expect(state(first.res, "key", "tokens")).toMatchObject({
          scope: "key",
          limit: "tokens",
          max: 1000,
          remaining: 700,
        });
        await fund(ledger, a, FUNDS);
        const second = await admitOk(ledger, a, { ...cheap, maxOutputTokens: 600 });
        expectSaneState(state(second.res, "key", "tokens"), 1000);
        const refused = await ledger.admit(admitReq(a, { ...cheap, promptTokens: 1, maxOutputTokens: 1 }));
        const r = expectRateLimited(refused, "key", "tokens", 1000);
        expect(r.state.remaining).toBeLessThan(2);
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "a tenant limit is shared by the tenant's keys; the key limit is checked first",
      requiresExactTenantWide: true,
      async run({ ledger }) {
        const a = freshAccount();
        const b = freshAccount(a.tenantId);
        await fund(ledger, a, FUNDS);
        await fund(ledger, b, FUNDS);
        const limits = { key: { requests_per_minute: 1 }, tenant: { requests_per_minute: 2 } };
        const first = await admitOk(ledger, a, { limits });
        expect(first.res.rate).toHaveLength(2);
        expect(state(first.res, "key", "requests")).toMatchObject({ max: 1, remaining: 0 });
        expect(state(first.res, "tenant", "requests")).toMatchObject({ max: 2, remaining: 1 });
        // Both limits would refuse a's second request once b has used the tenant's room; here only the key's does.
        expectRateLimited(await ledger.admit(admitReq(a, { limits })), "key", "requests", 1);
        // That refusal was not counted by the tenant window, so b still fits.
        await admitOk(ledger, b, { limits });
        expectRateLimited(await ledger.admit(admitReq(b, { limits })), "key", "requests", 1);
        const loose = { key: { requests_per_minute: 100 }, tenant: { requests_per_minute: 2 } };
        expectRateLimited(await ledger.admit(admitReq(b, { limits: loose })), "tenant", "requests", 2);
        // Another tenant is unaffected.
        const c = freshAccount();
        await fund(ledger, c, FUNDS);
        await admitOk(ledger, c, { limits: loose });
      },
    },
    {
      name: "rate limits are checked before credits",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, 3000);
        const limits = { key: { requests_per_minute: 1 } };
        await admitOk(ledger, a, { limits });
        expectRateLimited(await ledger.admit(admitReq(a, { limits })), "key", "requests", 1);
      },
    },
    {
      name: "a refused admit changes nothing: balance, entries, rate and task counters, idempotency, request id",
      async run({ ledger }) {
        const a = freshAccount();
        const limits = { key: { requests_per_minute: 2, tokens_per_minute: 1_000_000 } };
        const task = { id: uid("task"), fingerprint: "fp", limits: { max_calls: 2 }, ttlMs: TASK_TTL_MS };
        const idempotency = { key: uid("idem"), bodyHash: "hash-1", ttlMs: IDEMPOTENCY_TTL_MS };
        await fund(ledger, a, 1000);
        const { res } = await admitOk(ledger, a, { limits, task, promptCost: 1000, outputPricePerMtok: 0 });
        expect(res.balanceAfter).toBe(0);
        const balance = await ledger.balance(a.keyId, a.tenantId);
        const entries = await allEntries(ledger, a.keyId, a.tenantId);
        const refusedReq = admitReq(a, { limits, task, idempotency });
        expectKind(await ledger.admit(refusedReq), "insufficient_credits");
        expect(await ledger.balance(a.keyId, a.tenantId)).toEqual(balance);
        expect(await allEntries(ledger, a.keyId, a.tenantId)).toEqual(entries);
        await fund(ledger, a, FUNDS);
        // Same request id, same idempotency key: neither was remembered, and the rate window and the task's call
        // count still have room for exactly this one.
        const retried = await admitOk(ledger, a, { ...refusedReq });
        expectSaneState(state(retried.res, "key", "requests"), 2);
        expectRateLimited(await ledger.admit(admitReq(a, { limits })), "key", "requests", 2);
        expect(await ledger.admit(admitReq(a, { task }))).toEqual({ kind: "task_budget_exceeded", limit: "calls" });
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
  ],
};
