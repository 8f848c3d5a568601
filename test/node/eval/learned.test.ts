import { describe, expect, it } from "vitest";
import { boostedMargin, trainBoosted } from "../../../scripts/eval/boost";
import { ceilingRates, noiseFloor } from "../../../scripts/eval/ceiling";
import type { LabelledPair } from "../../../scripts/eval/data";
import { crossFitMargins, measureLearned } from "../../../scripts/eval/learned";
import { comparisonTable, meanTable, targetArithmetic } from "../../../scripts/eval/learned-report";
import { rocAuc } from "../../../scripts/eval/metrics";
import { type PairFacts, pairFacts } from "../../../scripts/eval/pair-facts";
import { PAIR_VECTOR_NAMES, pairVector } from "../../../scripts/eval/pair-vector";
import { seededRandom } from "../../../scripts/eval/random";
import { analyseText } from "../../../src/cache/decision/text-features";

describe("crossFitMargins", () => {
  it("scores every row with a model that did not see it, so memorised noise does not show", () => {
    const random = seededRandom(11);
    const rows = Array.from({ length: 400 }, () => [random(), random(), random()]);
    const labels = rows.map(() => random() < 0.5);
    const options = { trees: 80, depth: 3, minChildWeight: 1 };
    const inSample = trainBoosted(rows, labels, options);
    const auc = (scores: number[]) => rocAuc(scores.map((score, i) => ({ score, duplicate: labels[i] ?? false })));
    expect(auc(rows.map((x) => boostedMargin(inSample, x)))).toBeGreaterThan(0.8);
    expect(auc(crossFitMargins(rows, labels, 5, 1, options))).toBeLessThan(0.6);
  });
});

const pair = (query: string, entry: string, duplicate: boolean): LabelledPair => ({
  query,
  entry,
  duplicate,
  source: "qqp",
});

// Duplicates are rewordings at cosine ~0.9; negatives differ in one number at a HIGHER cosine (~0.97).
function synthetic(n: number): PairFacts[] {
  const random = seededRandom(7);
  const facts: PairFacts[] = [];
  for (let i = 0; i < n; i++) {
    facts.push(pairFacts(pair(`How do I cook dish ${i}?`, `How can I cook dish ${i}?`, true), 0.88 + 0.04 * random()));
    facts.push(pairFacts(pair(`Is model ${i} good?`, `Is model ${i + 1} good?`, false), 0.95 + 0.04 * random()));
  }
  return facts;
}

describe("measureLearned", () => {
  it("learns what a plain cosine threshold cannot separate, with a threshold from the calibration half", () => {
    const facts = synthetic(150);
    const calibration = facts.slice(0, 200);
    const test = facts.slice(200);
    const r = measureLearned(calibration, test, { targetFhr: 0.02, z: 0 }, 1, { trees: 30 });
    expect(Number.isFinite(r.threshold)).toBe(true);
    expect(r.calibrationHitRate).toBe(1);
    expect(r.test).toMatchObject({ hitRate: 1, falseHits: 0, duplicates: 50, negatives: 50 });
    expect(r.testScores).toHaveLength(test.length);
  });
});

describe("ceilingRates and noiseFloor", () => {
  it("ceilingRates picks the threshold on the very items it scores", () => {
    const items = [0.9, 0.8, 0.7].map((score) => ({ score, duplicate: true }));
    items.push({ score: 0.85, duplicate: false }, { score: 0.1, duplicate: false });
    expect(ceilingRates(items, 0)).toMatchObject({ hits: 1, falseHits: 0 });
    expect(ceilingRates(items, 0.5)).toMatchObject({ hits: 3, falseHits: 1 });
  });

  it("noiseFloor counts QQP pairs that look identical by every cheap signal but are labelled non-duplicate", () => {
    const facts = [
      pairFacts(pair("How do I cook rice?", "How can I cook rice?", true), 0.97),
      pairFacts(pair("How do I cook rice?", "How should I cook rice?", false), 0.96),
      pairFacts(pair("How do I cook rice?", "How do I cook pasta?", false), 0.99),
      pairFacts(pair("Is 5 ok?", "Is 6 ok?", false), 0.99),
      pairFacts(pair("How do I cook rice?", "How can I cook rice?", false), 0.9),
      {
        ...pairFacts(pair("How do I cook rice?", "How can I cook rice?", false), 0.99),
        pair: { ...pair("a", "a", false), source: "arena" as const },
      },
    ];
    expect(noiseFloor(facts, 0.95)).toEqual({
      minCosine: 0.95,
      pairs: 2,
      negatives: 1,
      duplicates: 1,
      qqpDuplicates: 1,
    });
  });
});

describe("pairVector", () => {
  const v = (a: string, b: string) => pairVector(analyseText(a), analyseText(b), 0.9);
  const at = (x: number[], name: (typeof PAIR_VECTOR_NAMES)[number]) => x[PAIR_VECTOR_NAMES.indexOf(name)];

  it("has one value per name and is symmetric", () => {
    const a = "What do Croats think of Turks in 2016?";
    const b = "What do Turks think about Croatia?";
    expect(v(a, b)).toHaveLength(PAIR_VECTOR_NAMES.length);
    const back = v(b, a);
    for (const [i, x] of v(a, b).entries()) expect(x).toBeCloseTo(back[i] ?? Number.NaN, 12);
  });

  it.each<[string, string, (typeof PAIR_VECTOR_NAMES)[number]]>([
    ["What do Croats think of Turks?", "What do Turks think of Croats?", "order-swap"],
    ["How many questions have you asked?", "How many questions have been asked?", "person-differs"],
    [
      "What is the next big thing in social media?",
      "What is the next big thing after social media?",
      "preposition-differs",
    ],
    ["Is iPhone 6 good?", "Is iPhone 7 good?", "numbers"],
  ])("flags %j vs %j as %s", (a, b, name) => {
    expect(at(v(a, b), name)).toBe(1);
    expect(at(v(a, a), name)).toBe(0);
  });

  it("scores identical texts as fully overlapping", () => {
    const x = v("How do I learn Python fast?", "How do I learn Python fast?");
    for (const name of ["content-jaccard", "word-jaccard", "bigram-jaccard", "trigram-jaccard"] as const) {
      expect(at(x, name)).toBe(1);
    }
    expect(at(x, "cosine")).toBe(0.9);
  });
});

describe("learned-report", () => {
  const rates = (hits: number, duplicates: number, falseHits: number, negatives: number) => ({
    hits,
    duplicates,
    falseHits,
    negatives,
    hitRate: hits / duplicates,
    falseHitRate: falseHits / negatives,
  });
  const seed = {
    seed: 1,
    rows: [
      { name: "base", test: rates(349, 3781, 144, 6344), ceiling: rates(313, 3781, 126, 6344) },
      { name: "other", test: rates(734, 3781, 136, 6344), ceiling: rates(701, 3781, 126, 6344) },
    ],
  };

  it("states what 3× the baseline needs as a precision among hits", () => {
    const floor = { minCosine: 0.9, pairs: 10, negatives: 1, duplicates: 9, qqpDuplicates: 90 };
    const text = targetArithmetic(seed, 0.02, [floor]);
    expect(text).toContain("needs ≥ 1047 of 3781 duplicates hit (27.7%) with ≤ 126 false hits of 6344");
    expect(text).toContain("≥ 89.3% of all hits must be right");
    expect(text).toContain("cosine ≥ 0.9: 10 pairs, 90.0% labelled duplicate; they hold 10.0% of QQP's 90");
  });

  it("reports ratios against the baseline row, ceilings against the baseline's ceiling", () => {
    const table = comparisonTable(seed, 0.02, 1.645);
    expect(table).toContain(
      "| other | 19.4% (734/3781) | 2.14% (136/6344) | 2.46% | 2.10× | 18.5% (701/3781) (2.24×) |",
    );
    expect(meanTable([seed, seed])).toContain("| other | 19.4% | 2.14% | 2.10× | 2.10× | 2.24× |");
  });
});
