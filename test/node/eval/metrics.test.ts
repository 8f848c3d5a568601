import { describe, expect, it } from "vitest";
import { ratesAt, ratesFromHits, rocAuc, type Scored, thresholdAtFhr } from "../../../scripts/eval/metrics";

const dup = (score: number): Scored => ({ score, duplicate: true });
const neg = (score: number): Scored => ({ score, duplicate: false });

describe("ratesFromHits / ratesAt", () => {
  it("counts duplicate hits and false hits separately", () => {
    const r = ratesFromHits([
      { hit: true, duplicate: true },
      { hit: false, duplicate: true },
      { hit: true, duplicate: false },
      { hit: false, duplicate: false },
      { hit: false, duplicate: false },
      { hit: false, duplicate: false },
    ]);
    expect(r).toEqual({ hitRate: 0.5, falseHitRate: 0.25, hits: 1, falseHits: 1, duplicates: 2, negatives: 4 });
  });

  it("reports 0, not NaN, when a class is empty", () => {
    expect(ratesFromHits([]).hitRate).toBe(0);
    expect(ratesFromHits([{ hit: true, duplicate: true }]).falseHitRate).toBe(0);
  });

  it("hits at score >= threshold, and never on -Infinity", () => {
    const items = [dup(0.9), dup(0.8), dup(Number.NEGATIVE_INFINITY), neg(0.85), neg(0.5)];
    expect(ratesAt(items, 0.8)).toMatchObject({ hits: 2, falseHits: 1 });
    expect(ratesAt(items, 0.86)).toMatchObject({ hits: 1, falseHits: 0 });
    expect(ratesAt(items, Number.NEGATIVE_INFINITY)).toMatchObject({ hits: 2, falseHits: 2 });
  });
});

describe("thresholdAtFhr", () => {
  // 10 negatives scored 0.1..1.0, duplicates spread between them.
  const negatives = Array.from({ length: 10 }, (_, i) => neg((i + 1) / 10));
  const items = [...negatives, dup(0.95), dup(0.85), dup(0.75), dup(0.05)];

  it("allows no false hit at a 0% budget", () => {
    const t = thresholdAtFhr(items, 0);
    expect(t).toBeGreaterThan(1);
    expect(ratesAt(items, t).falseHits).toBe(0);
  });

  it("allows floor(budget × negatives) false hits and hits every duplicate above them", () => {
    const t = thresholdAtFhr(items, 0.2);
    expect(t).toBeCloseTo(0.825, 12); // halfway between negative 0.8 (excluded) and duplicate 0.85
    expect(ratesAt(items, t)).toMatchObject({ falseHits: 2, hits: 2 });
    expect(ratesAt(items, thresholdAtFhr(items, 0.29))).toMatchObject({ falseHits: 2 });
  });

  it("is the lowest such threshold: lowering it past the next negative breaks the budget", () => {
    for (const budget of [0, 0.1, 0.3, 0.5]) {
      const t = thresholdAtFhr(items, budget);
      expect(ratesAt(items, t).falseHitRate).toBeLessThanOrEqual(budget);
      const blocker =
        negatives
          .map((x) => x.score)
          .filter((s) => s < t)
          .sort((a, b) => b - a)[0] ?? 0;
      expect(ratesAt(items, blocker).falseHitRate).toBeGreaterThan(budget);
    }
  });

  it("lets everything scorable hit when the budget covers all negatives, but never -Infinity", () => {
    const withVetoed = [...items, dup(Number.NEGATIVE_INFINITY)];
    const t = thresholdAtFhr(withVetoed, 1);
    expect(t).toBe(0.05);
    expect(ratesAt(withVetoed, t)).toMatchObject({ hits: 4, falseHits: 10 });
  });

  it("counts vetoed negatives in the denominator (they are correct misses)", () => {
    const vetoed = Array.from({ length: 10 }, () => neg(Number.NEGATIVE_INFINITY));
    const t = thresholdAtFhr([...vetoed, neg(0.9), dup(0.8), dup(0.95)], 0.1);
    expect(t).toBe(0.8);
  });

  it("is +Infinity when nothing scorable exists", () => {
    expect(thresholdAtFhr([neg(Number.NEGATIVE_INFINITY)], 0.5)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("rocAuc", () => {
  it("is 1 for perfect separation, 0 for inverted, 0.5 for all ties", () => {
    expect(rocAuc([dup(0.9), dup(0.8), neg(0.1), neg(0.2)])).toBe(1);
    expect(rocAuc([dup(0.1), neg(0.9)])).toBe(0);
    expect(rocAuc([dup(0.5), dup(0.5), neg(0.5)])).toBe(0.5);
  });

  it("matches the pairwise definition", () => {
    const items = [dup(0.9), dup(0.4), dup(0.6), neg(0.5), neg(0.7), neg(0.1)];
    // Duplicate > negative pairs: 0.9 beats 3, 0.6 beats 2, 0.4 beats 1 → 6 of 9.
    expect(rocAuc(items)).toBeCloseTo(6 / 9, 12);
  });

  it("is NaN without both classes", () => {
    expect(rocAuc([dup(1)])).toBeNaN();
  });
});
