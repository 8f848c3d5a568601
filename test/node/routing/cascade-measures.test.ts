import { describe, expect, it } from "vitest";
import { crossFitCostAware, fitOutputModel, predictedPremiumCost } from "../../../scripts/routing/cascade-cost";
import { chooseGate } from "../../../scripts/routing/cascade-gate";
import { VERIFIER_CONFIGS } from "../../../scripts/routing/configs";
import type { Prices } from "../../../scripts/routing/costs";
import type { Row } from "../../../scripts/routing/cross-fit";

/** The eval's cascade measurements (scripts/routing/cascade-cost.ts, cascade-gate.ts): their pure parts. */

describe("fitOutputModel", () => {
  it("recovers an exact line of premium output tokens from prompt and cheap output tokens", () => {
    const facts = [
      [10, 20],
      [40, 5],
      [25, 60],
      [70, 30],
      [15, 90],
    ].map(([p, c]) => ({
      promptTokens: p as number,
      cheapOutputTokens: c as number,
      premiumOutputTokens: 5 + 0.5 * (p as number) + 2 * (c as number),
    }));
    const w = fitOutputModel(facts);
    expect(w[0]).toBeCloseTo(5, 3);
    expect(w[1]).toBeCloseTo(0.5, 4);
    expect(w[2]).toBeCloseTo(2, 4);
  });
});

const PRICES: Prices = {
  cheap: { input_per_mtok: 1_000_000, output_per_mtok: 1_000_000 },
  premium: { input_per_mtok: 1_000_000, output_per_mtok: 3_000_000 },
  policyVersion: "test",
};

describe.each([
  ["prompt plus predicted output at the premium prices", [10, 1, 0.5], 20, 40, 20 + 3 * (10 + 20 + 20)],
  ["a negative prediction counts one output token", [-100, 0, 0], 20, 40, 20 + 3],
])("predictedPremiumCost: %s", (_name, w, prompt, cheapOut, expected) => {
  it("prices the call", () => {
    const f = { promptTokens: prompt, cheapOutputTokens: cheapOut, premiumOutputTokens: 0 };
    expect(predictedPremiumCost(w, f, PRICES)).toBe(expected);
  });
});

// Four requests, every premium answer right; the cheap model gets 0 and 1 wrong. Target 100%: both must go premium.
const ROWS = [
  { cheapCorrect: false, premiumCorrect: true },
  { cheapCorrect: false, premiumCorrect: true },
  { cheapCorrect: true, premiumCorrect: true },
  { cheapCorrect: true, premiumCorrect: true },
];
const COSTS = ROWS.map(() => ({ cheap: 1, premium: 10 }));
const ROUTER = [0.9, 0.1, 0.8, 0.2];
const VERIFIER = [0.2, 0.8, 0.1, 0.3];

describe.each([
  // No gate: escalate in verifier order 1, 3, 0 → 4 cheap calls + 3 premium; threshold between 0.2 and 0.1.
  ["no gate: the plain cascade", [0], 0, 34, 0.15],
  // Gate the router's top quarter (row 0): 10 + 3 cheap calls, then escalate row 1 → 23; threshold between 0.8 and 0.3.
  ["a quarter gated", [0.25], 0.25, 23, 0.55],
  ["the cheaper of the two", [0, 0.25], 0.25, 23, 0.55],
  // Gate rows 0 and 2 (20), cheap calls for 1 and 3 (2), escalate row 1 (10).
  ["half gated", [0.5], 0.5, 32, 0.55],
])("chooseGate: %s", (_name, shares, gateShare, cost, threshold) => {
  it("picks the cheapest gate and its verifier threshold", () => {
    const c = chooseGate(ROWS, COSTS, ROUTER, VERIFIER, 1, shares);
    expect(c.gateShare).toBe(gateShare);
    expect(c.cost).toBe(cost);
    expect(c.verifierThreshold).toBeCloseTo(threshold, 9);
  });
});

describe("crossFitCostAware", () => {
  // 24 answers: every third is wrong and fails a deterministic check (forced); one feature separates nothing.
  const rows: Row[] = Array.from({ length: 24 }, (_, i) => ({
    group: `g${i}`,
    cheapCorrect: i % 3 !== 0,
    premiumCorrect: true,
    extra: [i % 2],
    ...(i % 3 === 0 ? { forced: true } : {}),
  }));
  const facts = rows.map((_, i) => ({ promptTokens: 50 + i, cheapOutputTokens: 80, premiumOutputTokens: 100 + 2 * i }));

  it("escalates every answer that failed a deterministic check, whatever its predicted cost", () => {
    const escalated = crossFitCostAware(rows, facts, PRICES, {
      folds: 3,
      seed: 1,
      target: 0.95,
      configs: VERIFIER_CONFIGS,
    });
    expect(escalated.filter((e, i) => i % 3 === 0 && e)).toHaveLength(8);
    // The forced ones alone reach the target on every calibration set, so nothing else is escalated.
    expect(escalated.filter(Boolean)).toHaveLength(8);
  });
});
