import { type Rates, ratesAt, type Scored, thresholdAtFhr } from "./metrics";
import type { PairFacts } from "./pair-facts";

/**
 * Upper bounds, not results: how far a scorer could go if its threshold were picked on the test half itself (the
 * lowest threshold whose test false-hit rate is within target, no error margin). No threshold rule that only sees
 * the calibration half can beat this on the test half, so a ceiling below the target means the scorer's ranking,
 * not its calibration, is what falls short.
 */
export function ceilingRates(test: readonly Scored[], targetFhr: number): Rates {
  return ratesAt(test, thresholdAtFhr(test, targetFhr, 0));
}

export interface NoiseFloor {
  minCosine: number;
  /** QQP pairs with cosine ≥ minCosine, the same content words and no lexical check firing. */
  pairs: number;
  /** How many of them are labelled non-duplicate. */
  negatives: number;
  duplicates: number;
  /** All QQP duplicates, for scale. */
  qqpDuplicates: number;
}

/**
 * The label-noise floor of QQP: pairs that say the same thing by every cheap signal there is (near-identical
 * embeddings, identical content words, no number/name/negation/antonym/order/substitution difference), yet are
 * labelled non-duplicate. Many of them are paraphrases Quora never merged, and no pairwise scorer over these
 * signals can rank them below the true duplicates that look the same.
 */
export function noiseFloor(facts: readonly PairFacts[], minCosine: number): NoiseFloor {
  const same = facts.filter(
    (f) => f.pair.source === "qqp" && f.cosine >= minCosine && f.overlap === 1 && f.vetoMask === 0,
  );
  const negatives = same.filter((f) => !f.pair.duplicate).length;
  const qqpDuplicates = facts.filter((f) => f.pair.source === "qqp" && f.pair.duplicate).length;
  return { minCosine, pairs: same.length, negatives, duplicates: same.length - negatives, qqpDuplicates };
}
