import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdmitRequest, AdmitResult, RateLimit } from "../../../src/ledger/types";
import { ledgerServer } from "./helpers";

/**
 * The sliding log beyond what the contract can see without waiting a minute: entries are aged by rewriting their
 * scores in Redis, which is exactly what the passing of time does to them.
 */
const server = ledgerServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const MINUTE = 60_000;

function req(keyId: string, key: RateLimit, over: Partial<AdmitRequest> = {}): AdmitRequest {
  return {
    keyId,
    tenantId: `t-${keyId}`,
    requestId: randomUUID(),
    promptCost: 0,
    outputPricePerMtok: 0,
    maxOutputTokens: 100,
    minOutputTokens: 1,
    promptTokens: 0,
    limits: { key },
    holdTtlMs: 600_000,
    ...over,
  };
}

function kindOf(r: AdmitResult): string {
  return r.kind;
}

/** Moves every log entry of the key `ms` into the past. */
async function age(made: ReturnType<typeof server.make>, keyId: string, ms: number): Promise<void> {
  const raw = server.raw();
  const log = made.k.rateLog("key", keyId);
  const members = await raw.zrange<string[]>(log, 0, -1, { withScores: true });
  for (let i = 0; i < members.length; i += 2) {
    await raw.zadd(log, { score: Number(members[i + 1]) - ms, member: String(members[i]) });
  }
}

describe("sliding-log rate limits", () => {
  it("retryAfterMs is when the oldest counted request leaves the window", async () => {
    const made = server.make();
    const started = Date.now();
    expect(kindOf(await made.ledger.admit(req("a", { requests_per_minute: 1 })))).toBe("admitted");
    const refused = await made.ledger.admit(req("a", { requests_per_minute: 1 }));
    const elapsed = Date.now() - started;
    if (refused.kind !== "rate_limited") throw new Error(JSON.stringify(refused));
    expect(refused.retryAfterMs).toBeLessThanOrEqual(MINUTE);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(MINUTE - elapsed - 5);
    expect(refused.state.resetMs).toBe(refused.retryAfterMs);
  });

  it("requests older than 60 s no longer count, and their tokens leave the token sum", async () => {
    const made = server.make();
    const limit = { requests_per_minute: 2, tokens_per_minute: 250 };
    const r1 = await made.ledger.admit(req("b", limit, { promptTokens: 20 })); // 120 tokens
    expect(r1).toMatchObject({ kind: "admitted" });
    await age(made, "b", 30_000);
    expect(kindOf(await made.ledger.admit(req("b", limit, { promptTokens: 10 })))).toBe("admitted"); // 110 -> 230
    const full = await made.ledger.admit(req("b", limit, { maxOutputTokens: 1 }));
    expect(full).toMatchObject({ kind: "rate_limited", state: { limit: "requests" } });
    // The first request leaves the window; the second (30 s younger) stays.
    await age(made, "b", 30_001);
    const after = await made.ledger.admit(req("b", limit, { promptTokens: 40 })); // 140: 110 + 140 = 250 fits exactly
    if (after.kind !== "admitted") throw new Error(JSON.stringify(after));
    expect(after.rate.find((s) => s.limit === "tokens")).toMatchObject({ remaining: 0 });
    expect(after.rate.find((s) => s.limit === "requests")).toMatchObject({ remaining: 0 });
    // The trimmed entry is gone from the log, and the stored sum agrees with what is left.
    const raw = server.raw();
    expect(await raw.zcard(made.k.rateLog("key", "b"))).toBe(2);
    expect(Number(await raw.get(made.k.rateSum("key", "b")))).toBe(250);
  });

  it("tokens: retryAfterMs waits for just enough old requests to leave", async () => {
    const made = server.make();
    const limit = { tokens_per_minute: 300 };
    await made.ledger.admit(req("c", limit)); // 100
    await age(made, "c", 20_000);
    await made.ledger.admit(req("c", limit)); // 100, 20 s younger
    await age(made, "c", 20_000);
    // Needs 250: 200 used, so 150 must leave: both entries, the younger of which leaves in 40 s.
    const refused = await made.ledger.admit(req("c", limit, { promptTokens: 150 }));
    if (refused.kind !== "rate_limited") throw new Error(JSON.stringify(refused));
    expect(refused.state).toMatchObject({ limit: "tokens", max: 300, remaining: 100 });
    expect(refused.retryAfterMs).toBeGreaterThan(35_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(40_000);
    // Needs 150: one entry (the older, leaving in 20 s) is enough.
    const sooner = await made.ledger.admit(req("c", limit, { promptTokens: 50 }));
    if (sooner.kind !== "rate_limited") throw new Error(JSON.stringify(sooner));
    expect(sooner.retryAfterMs).toBeGreaterThan(15_000);
    expect(sooner.retryAfterMs).toBeLessThanOrEqual(20_000);
    // More than the limit alone can never fit: a full window.
    const never = await made.ledger.admit(req("c", limit, { promptTokens: 250 }));
    expect(never).toMatchObject({ kind: "rate_limited", retryAfterMs: MINUTE });
  });

  it("a lost token sum is rebuilt from the log", async () => {
    const made = server.make();
    const limit = { tokens_per_minute: 350 };
    await made.ledger.admit(req("d", limit));
    await made.ledger.admit(req("d", limit));
    await server.raw().del(made.k.rateSum("key", "d"));
    const third = await made.ledger.admit(req("d", limit, { promptTokens: 50 }));
    if (third.kind !== "admitted") throw new Error(JSON.stringify(third));
    expect(third.rate[0]).toMatchObject({ limit: "tokens", remaining: 0 });
    expect(kindOf(await made.ledger.admit(req("d", limit, { maxOutputTokens: 1 })))).toBe("rate_limited");
  });

  it("a scope without any limit writes no log", async () => {
    const made = server.make();
    await made.ledger.admit(req("e", {}));
    expect(await server.raw().exists(made.k.rateLog("key", "e"), made.k.rateSum("key", "e"))).toBe(0);
  });
});
