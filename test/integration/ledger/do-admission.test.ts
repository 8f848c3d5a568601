/**
 * Why one Durable Object per tenant: limits that span a tenant's keys (tenant rate limits, task budgets) are checked
 * and consumed in the same single-threaded call as the reserve, so concurrent requests from different keys can never
 * overshoot them.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import type { SettleResult, VoidResult } from "../../../src/ledger/types";
import { type Account, admitReq, freshAccount, fund, settleReq, together, uid, voidReq } from "./contract-helpers";
import { checkInvariant } from "./invariant";

const FUNDS = 10_000_000;

async function tenantWithKeys(n: number) {
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  const first = freshAccount();
  const accounts = [first, ...Array.from({ length: n - 1 }, () => freshAccount(first.tenantId))];
  for (const a of accounts) await fund(ledger, a, FUNDS);
  /** Round-robin over the tenant's keys. */
  const at = (i: number): Account => accounts[i % accounts.length] ?? first;
  return { ledger, accounts, first, at };
}

function kinds(results: { kind: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

describe("TenantLedger admission is atomic across a tenant's keys", () => {
  it("a tenant requests_per_minute limit admits exactly that many of 40 concurrent requests from 4 keys", async () => {
    const { ledger, accounts, at } = await tenantWithKeys(4);
    const limits = { key: { requests_per_minute: 100 }, tenant: { requests_per_minute: 12 } };
    const results = await together(40, (i) => ledger.admit(admitReq(at(i), { limits })));
    expect(kinds(results)).toEqual({ admitted: 12, rate_limited: 28 });
    for (const r of results) {
      if (r.kind === "rate_limited")
        expect(r.state).toMatchObject({ scope: "tenant", limit: "requests", remaining: 0 });
    }
    const held = await Promise.all(accounts.map((a) => ledger.balance(a.keyId, a.tenantId)));
    expect(held.reduce((n, b) => n + b.openHolds, 0)).toBe(12);
    for (const a of accounts) await checkInvariant(ledger, a.keyId, a.tenantId);
  });

  it("a tenant tokens_per_minute limit is never overshot by concurrent requests", async () => {
    const { ledger, at } = await tenantWithKeys(3);
    // Each request counts 100 prompt + 150 output = 250 tokens: 2000 tokens fit exactly 8.
    const limits = { tenant: { tokens_per_minute: 2000 } };
    const over = { limits, promptTokens: 100, maxOutputTokens: 150 };
    const results = await together(30, (i) => ledger.admit(admitReq(at(i), over)));
    expect(kinds(results)).toEqual({ admitted: 8, rate_limited: 22 });
  });

  it("a task's max_calls admits exactly that many of 30 concurrent calls from 3 keys", async () => {
    const { ledger, at } = await tenantWithKeys(3);
    const task = { id: uid("task"), fingerprint: "same", limits: { max_calls: 5 }, ttlMs: 600_000 };
    const results = await together(30, (i) => ledger.admit(admitReq(at(i), { task })));
    expect(kinds(results)).toEqual({ admitted: 5, task_budget_exceeded: 25 });
  });

  it("20 concurrent requests with one Idempotency-Key: one admitted, the rest in flight", async () => {
    const { ledger, first: a } = await tenantWithKeys(1);
    const idempotency = { key: uid("idem"), bodyHash: "h", ttlMs: 600_000 };
    const results = await together(20, () => ledger.admit(admitReq(a, { idempotency })));
    expect(kinds(results)).toEqual({ admitted: 1, idempotency_in_flight: 19 });
  });

  it("settle and void racing on one hold: exactly one resolves it", async () => {
    const { ledger, first: a } = await tenantWithKeys(1);
    const req = admitReq(a);
    expect((await ledger.admit(req)).kind).toBe("admitted");
    const results = await together<SettleResult | VoidResult>(10, (i) =>
      i % 2 === 0 ? ledger.settle(settleReq(a, req.requestId, 100)) : ledger.void(voidReq(a, req.requestId)),
    );
    const winners = results.filter((r) => r.kind === "settled" || r.kind === "voided");
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.kind === "already_resolved")).toHaveLength(9);
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });
});
