import { describe, expect, it } from "vitest";
import type { LabelledPair } from "../../../scripts/eval/data";
import { arenaPairs, qqpPairs } from "../../../scripts/eval/data";
import { evaluateSeed } from "../../../scripts/eval/evaluate";
import { pairFacts } from "../../../scripts/eval/pair-facts";
import { seededRandom } from "../../../scripts/eval/random";
import { calibrate, DEFAULT_SPACE, PLAIN_SHAPE, searchShape } from "../../../scripts/eval/search";
import { DEFAULT_CACHE_DECISION } from "../../../src/cache/decision/defaults";

const budget = { targetFhr: 0.05, z: 0 };

// Synthetic pairs: negatives that differ only in a number sit at a HIGHER cosine than the duplicates, so a plain
// threshold cannot separate them but the numbers veto can.
function synthetic(n: number): ReturnType<typeof pairFacts>[] {
  const random = seededRandom(5);
  const facts = [];
  for (let i = 0; i < n; i++) {
    const dup: LabelledPair = {
      query: `How do I cook rice dish ${i}?`,
      entry: `How can I cook rice dish ${i}?`,
      duplicate: true,
      source: "qqp",
    };
    const neg: LabelledPair = {
      query: `Is model ${i} better?`,
      entry: `Is model ${i + 1} better?`,
      duplicate: false,
      source: "qqp",
    };
    facts.push(pairFacts(dup, 0.9 + 0.05 * random()), pairFacts(neg, 0.96 + 0.03 * random()));
  }
  return facts;
}

describe("data shaping", () => {
  it("maps QQP rows to query/entry pairs and every same-cluster arena pair to a negative", () => {
    expect(qqpPairs([{ a: "x", b: "y", duplicate: true }])).toEqual([
      { query: "x", entry: "y", duplicate: true, source: "qqp" },
    ]);
    const arena = arenaPairs([
      { uid: "1", cluster: "c1", prompt: "p1" },
      { uid: "2", cluster: "c1", prompt: "p2" },
      { uid: "3", cluster: "c1", prompt: "p3" },
      { uid: "4", cluster: "c2", prompt: "p4" },
    ]);
    expect(arena).toHaveLength(3);
    expect(arena.every((p) => !p.duplicate && p.source === "arena")).toBe(true);
  });
});

describe("calibration and search", () => {
  const facts = synthetic(200);

  it("a plain threshold cannot hit duplicates without also hitting the close negatives", () => {
    expect(calibrate(facts, PLAIN_SHAPE, budget).calibrationHitRate).toBe(0);
  });

  it("the search finds the veto that separates them", () => {
    const vetoesOnly = { ...DEFAULT_SPACE, overlap: [0], length: [0], minCosine: [-1] };
    const found = searchShape(facts, budget, vetoesOnly);
    expect(found.calibrationHitRate).toBe(1);
    expect([...found.config.vetoes, ...Object.keys(found.config.penalties)]).toContain("numbers");
  });

  it("the full search also finds a perfect separation (by overlap or a veto)", () => {
    expect(searchShape(facts, budget).calibrationHitRate).toBe(1);
  });

  it("evaluateSeed measures the shipped decision through decideHit, agreeing with the fast path", () => {
    const { threshold: _, ...shape } = DEFAULT_CACHE_DECISION;
    const result = evaluateSeed(facts, 1, budget, shape, true);
    expect(result.mismatches).toBe(0);
    expect(result.calibrationPairs + result.testPairs).toBe(facts.length);
    expect(result.baseline.test.hitRate).toBe(0);
    expect(result.shipped.test.hitRate).toBe(1);
    expect(result.shipped.test.falseHitRate).toBe(0);
    expect(result.searched?.test.hitRate).toBe(1);
    expect(result.ablation.find((m) => m.name === "veto: numbers")?.test.hitRate).toBe(1);
  });
});
