import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { affordableTokens, outputCost } from "../../../src/ledger/pricing";
import type { AdmitRequest, Ledger } from "../../../src/ledger/types";
import { ledgerServer } from "./helpers";

/**
 * The Lua arithmetic (doubles) against the BigInt helpers of pricing.ts, at magnitudes where a naive
 * `balance * 1e6 / price` or `tokens * price` would pass 2^53 and round.
 */
const server = ledgerServer();
let ledger: Ledger;
beforeAll(async () => {
  await server.start();
  ledger = server.make().ledger;
});
afterAll(() => server.stop());

const MAX_PRICE = Math.floor(Number.MAX_SAFE_INTEGER / 10);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Uniform in log space, so small and huge values are both well covered. */
function logUniform(r: () => number, max: number): number {
  return Math.min(max, Math.floor(Math.exp(r() * Math.log(max + 1))));
}

interface Case {
  balance: number;
  promptCost: number;
  price: number;
  maxOutputTokens: number;
}

function expected(c: Case): { reserved: number; outputTokens: number } | "insufficient" {
  if (c.balance < c.promptCost) return "insufficient";
  const afford = affordableTokens(c.balance - c.promptCost, c.price);
  const outputTokens = Math.min(c.maxOutputTokens, afford);
  return { reserved: c.promptCost + outputCost(outputTokens, c.price), outputTokens };
}

async function admit(c: Case) {
  const keyId = `k-${randomUUID()}`;
  const tenantId = "t-arith";
  if (c.balance > 0) await ledger.credit(keyId, tenantId, c.balance, "fund", "topup");
  const req: AdmitRequest = {
    keyId,
    tenantId,
    requestId: randomUUID(),
    promptCost: c.promptCost,
    outputPricePerMtok: c.price,
    maxOutputTokens: c.maxOutputTokens,
    minOutputTokens: 0,
    promptTokens: 1,
    limits: {},
    holdTtlMs: 600_000,
  };
  return ledger.admit(req);
}

const EDGE_CASES: Case[] = [
  { balance: Number.MAX_SAFE_INTEGER, promptCost: 0, price: 1, maxOutputTokens: Number.MAX_SAFE_INTEGER - 1 },
  { balance: Number.MAX_SAFE_INTEGER, promptCost: 7, price: 999_999, maxOutputTokens: 9_000_000_000_000 },
  { balance: Number.MAX_SAFE_INTEGER, promptCost: 1, price: MAX_PRICE, maxOutputTokens: 1_000_000_000 },
  { balance: 9_007_199_254_740_990, promptCost: 3, price: 3_000_001, maxOutputTokens: 4_000_000_000_000 },
  { balance: 10_000_000_000_007, promptCost: 123_456, price: 75_000_000, maxOutputTokens: 32_000 },
  { balance: 10_000_000_000_007, promptCost: 123_456, price: 7_777_777, maxOutputTokens: 10_000_000_000 },
  { balance: 1, promptCost: 0, price: MAX_PRICE, maxOutputTokens: 1 },
  { balance: 5, promptCost: 5, price: 1, maxOutputTokens: 10 },
];

describe("upstash ledger arithmetic matches the BigInt reference", () => {
  it.each(EDGE_CASES)("edge: balance $balance, prompt $promptCost, price $price, max $maxOutputTokens", async (c) => {
    const want = expected(c);
    const got = await admit(c);
    if (want === "insufficient") {
      expect(got.kind).toBe("insufficient_credits");
      return;
    }
    expect(got).toMatchObject({ kind: "admitted", ...want, balanceAfter: c.balance - want.reserved });
  });

  it("300 random cases across the whole safe range", { timeout: 60_000 }, async () => {
    const r = rng(0xc0ffee);
    const cases: Case[] = Array.from({ length: 300 }, () => ({
      balance: logUniform(r, Number.MAX_SAFE_INTEGER),
      promptCost: logUniform(r, 1_000_000_000),
      price: logUniform(r, MAX_PRICE),
      maxOutputTokens: logUniform(r, 10_000_000_000_000),
    }));
    for (const c of cases) {
      const want = expected(c);
      const got = await admit(c);
      if (want === "insufficient") expect(got.kind, JSON.stringify(c)).toBe("insufficient_credits");
      else expect(got, JSON.stringify(c)).toMatchObject({ kind: "admitted", ...want });
    }
  });
});
