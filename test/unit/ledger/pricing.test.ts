import { describe, expect, it } from "vitest";
import { affordableTokens, costOf, maxInputPrice, outputCost, tokenCost } from "../../../src/ledger/pricing";

const MAX = Number.MAX_SAFE_INTEGER;

describe("outputCost = ceil(tokens * price / 1e6)", () => {
  it.each([
    [0, 2_000_000, 0],
    [1000, 2_000_000, 2000],
    [1000, 1_500_001, 1501],
    [642, 7_777_777, 4994],
    [1, 1, 1],
    [999_999, 1, 1],
    [1_000_000, 1, 1],
    [1_000_001, 1, 2],
    [5, 0, 0],
    // tokens * price = 9e21, far past 2^53: BigInt keeps it exact.
    [9_000_000_000_000, 999_999, 8_999_991_000_000],
  ])("%i tokens at %i per Mtok cost %i", (tokens, price, cost) => {
    expect(outputCost(tokens, price)).toBe(cost);
    expect(tokenCost(tokens, price)).toBe(cost);
  });

  it.each([
    [-1, 1],
    [1.5, 1],
    [1, Number.NaN],
    [MAX + 1, 1],
  ])("rejects non-integer or negative input (%d, %d)", (tokens, price) => {
    expect(() => outputCost(tokens, price)).toThrow(RangeError);
  });

  it("rejects a result beyond the safe range", () => {
    expect(() => outputCost(MAX, MAX)).toThrow(RangeError);
  });
});

describe("affordableTokens = floor(budget * 1e6 / price)", () => {
  it.each([
    [5000, 3_000_000, 1666],
    [4999, 7_777_777, 642],
    [1499, 1_500_001, 999],
    [1500, 1_500_001, 999],
    [1501, 1_500_001, 1000],
    [0, 5, 0],
    [99, 2_000_000, 49],
    // budget * 1e6 passes 2^53 here; a float product would round.
    [9_007_199_254_740_991, 3_000_001, 3_002_398_750_780_746],
  ])("budget %i at %i per Mtok buys %i tokens", (budget, price, tokens) => {
    expect(affordableTokens(budget, price)).toBe(tokens);
  });

  it("is unlimited when output is free", () => {
    expect(affordableTokens(1, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it("reports counts beyond the safe range as MAX_SAFE_INTEGER", () => {
    expect(affordableTokens(MAX, 1)).toBe(MAX);
  });

  it("never grants tokens whose cost exceeds the budget, and one more token would", () => {
    for (const [budget, price] of [
      [6000, 3_000_000],
      [12_345_678, 7_777_777],
      [1, 999_999],
      [10_000_000_000_007, 75_000_001],
    ] as const) {
      const tokens = affordableTokens(budget, price);
      expect(outputCost(tokens, price)).toBeLessThanOrEqual(budget);
      // One more token would need more than the budget (before rounding), so the floor is the largest count.
      expect(BigInt(tokens + 1) * BigInt(price)).toBeGreaterThan(BigInt(budget) * 1_000_000n);
    }
  });
});

describe("costOf", () => {
  const pricing = { input_per_mtok: 1_000_001, output_per_mtok: 2_500_000 };

  it("rounds input and output up separately, as the reservation does", () => {
    // input: ceil(1000 * 1.000001) = 1001; output: ceil(333 * 2.5) = ceil(832.5) = 833
    expect(costOf({ inputTokens: 1000, outputTokens: 333 }, pricing)).toBe(1834);
  });

  it("is 0 for no tokens and for a free model", () => {
    expect(costOf({ inputTokens: 0, outputTokens: 0 }, pricing)).toBe(0);
    expect(costOf({ inputTokens: 500, outputTokens: 500 }, { input_per_mtok: 0, output_per_mtok: 0 })).toBe(0);
  });

  it("rejects usage that is not a non-negative safe integer", () => {
    expect(() => costOf({ inputTokens: -1, outputTokens: 0 }, pricing)).toThrow(RangeError);
    expect(() => costOf({ inputTokens: 1, outputTokens: Number.NaN }, pricing)).toThrow(RangeError);
  });
});

describe("costOf with prompt-cache tiers", () => {
  const tiers = {
    input_per_mtok: 1_000_000,
    output_per_mtok: 3_000_000,
    cached_input_per_mtok: 250_000,
    cache_write_per_mtok: 1_250_000,
  };
  it.each([
    ["no cache parts", { inputTokens: 10, outputTokens: 2 }, 10 + 6],
    ["4 read of 10", { inputTokens: 10, outputTokens: 2, cachedTokens: 4 }, 6 + 1 + 6],
    [
      "4 read, 3 written of 10",
      { inputTokens: 10, outputTokens: 2, cachedTokens: 4, cacheWriteTokens: 3 },
      3 + 1 + 4 + 6,
    ],
    ["1 read (a quarter, rounded up with the rest)", { inputTokens: 1, outputTokens: 0, cachedTokens: 1 }, 1],
    ["all read", { inputTokens: 8, outputTokens: 0, cachedTokens: 8 }, 2],
  ])("%s", (_, usage, cost) => {
    expect(costOf(usage, tiers)).toBe(cost);
  });

  it("a missing tier price is the input price", () => {
    expect(
      costOf(
        { inputTokens: 10, outputTokens: 0, cachedTokens: 5, cacheWriteTokens: 5 },
        { input_per_mtok: 2_000_000, output_per_mtok: 0 },
      ),
    ).toBe(20);
  });

  it("cache parts above the prompt are a caller bug", () => {
    expect(() => costOf({ inputTokens: 3, outputTokens: 0, cachedTokens: 4 }, tiers)).toThrow(RangeError);
  });

  it.each([
    [{ input_per_mtok: 5, output_per_mtok: 1 }, 5],
    [{ input_per_mtok: 5, output_per_mtok: 1, cached_input_per_mtok: 1 }, 5],
    [{ input_per_mtok: 5, output_per_mtok: 1, cache_write_per_mtok: 9 }, 9],
  ])("the hold prices every prompt token at the dearest tier: %j -> %i", (pricing, max) => {
    expect(maxInputPrice(pricing)).toBe(max);
  });
});
