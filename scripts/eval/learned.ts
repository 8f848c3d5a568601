import { analyseText } from "../../src/cache/decision/text-features";
import { type BoostOptions, boostedMargin, trainBoosted } from "./boost";
import { type Rates, ratesAt, type Scored, thresholdAtFhr } from "./metrics";
import type { PairFacts } from "./pair-facts";
import { pairVector } from "./pair-vector";
import { shuffled } from "./random";
import type { Budget } from "./search";

/**
 * The learned alternative to the hand-shaped decision: gradient-boosted trees over cheap pair features
 * (pair-vector.ts), trained on the calibration half only. Its threshold must not come from scores of the very rows
 * it was trained on (those are optimistic, so the test false-hit rate would overshoot), so the calibration half is
 * cross-fitted: each fold is scored by a model trained on the other folds, the threshold is picked on those
 * out-of-fold scores with the same Wilson rule as every other decision, and the model applied to the test half is
 * the one trained on the whole calibration half.
 */

export const LEARNED_FOLDS = 5;

export interface LearnedResult {
  threshold: number;
  /** Out-of-fold duplicate hit rate on the calibration half at the threshold. */
  calibrationHitRate: number;
  test: Rates;
  testScores: Scored[];
}

/** Each row's margin from a model that did not see it (`folds` models, rows dealt to folds by a seeded shuffle). */
export function crossFitMargins(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  folds: number,
  seed: number,
  options: Partial<BoostOptions> = {},
): number[] {
  const order = shuffled(
    rows.map((_, i) => i),
    seed,
  );
  const out = new Array<number>(rows.length).fill(0);
  for (let k = 0; k < folds; k++) {
    const held = order.filter((_, j) => j % folds === k);
    const heldSet = new Set(held);
    const train = order.filter((i) => !heldSet.has(i));
    const model = trainBoosted(
      train.map((i) => rows[i] ?? []),
      train.map((i) => labels[i] ?? false),
      options,
    );
    for (const i of held) out[i] = boostedMargin(model, rows[i] ?? []);
  }
  return out;
}

export function pairVectorOf(f: PairFacts): number[] {
  return pairVector(analyseText(f.pair.query), analyseText(f.pair.entry), f.cosine);
}

export function measureLearned(
  calibration: readonly PairFacts[],
  test: readonly PairFacts[],
  budget: Budget,
  seed: number,
  options: Partial<BoostOptions> = {},
  vectorOf: (f: PairFacts) => number[] = pairVectorOf,
): LearnedResult {
  const rows = calibration.map(vectorOf);
  const labels = calibration.map((f) => f.pair.duplicate);
  const outOfFold = crossFitMargins(rows, labels, LEARNED_FOLDS, seed, options).map((score, i) => ({
    score,
    duplicate: labels[i] ?? false,
  }));
  const threshold = thresholdAtFhr(outOfFold, budget.targetFhr, budget.z);
  const model = trainBoosted(rows, labels, options);
  const testScores = test.map((f) => ({ score: boostedMargin(model, vectorOf(f)), duplicate: f.pair.duplicate }));
  return {
    threshold,
    calibrationHitRate: ratesAt(outOfFold, threshold).hitRate,
    test: ratesAt(testScores, threshold),
    testScores,
  };
}
