/**
 * Hit-rate metrics for a semantic cache over labelled pairs. A pair "hits" when its effective score reaches the
 * threshold; vetoed pairs carry the score -Infinity so no threshold makes them hit.
 */

export interface Scored {
  score: number;
  duplicate: boolean;
}

export interface Rates {
  /** Duplicates that hit / duplicates. */
  hitRate: number;
  /** Non-duplicates that hit / non-duplicates. */
  falseHitRate: number;
  hits: number;
  falseHits: number;
  duplicates: number;
  negatives: number;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

export function ratesFromHits(items: readonly { hit: boolean; duplicate: boolean }[]): Rates {
  let hits = 0;
  let falseHits = 0;
  let duplicates = 0;
  for (const x of items) {
    if (x.duplicate) {
      duplicates += 1;
      if (x.hit) hits += 1;
    } else if (x.hit) falseHits += 1;
  }
  const negatives = items.length - duplicates;
  return {
    hitRate: ratio(hits, duplicates),
    falseHitRate: ratio(falseHits, negatives),
    hits,
    falseHits,
    duplicates,
    negatives,
  };
}

export function ratesAt(items: readonly Scored[], threshold: number): Rates {
  const hit = (score: number) => score !== Number.NEGATIVE_INFINITY && score >= threshold;
  return ratesFromHits(items.map((x) => ({ hit: hit(x.score), duplicate: x.duplicate })));
}

/** Upper end of the Wilson score interval for a proportion k/n (one-sided, `z` standard deviations). */
export function wilsonUpper(k: number, n: number, z: number): number {
  if (n === 0) return 1;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.min(1, (centre + spread) / (1 + z2 / n));
}

/**
 * How many false hits `negatives` pairs may have so that the false-hit rate is at most `target`: with `z = 0` simply
 * floor(target × n); with `z > 0`, so that the Wilson upper bound stays within target (an error bound that holds
 * beyond the calibration sample, e.g. z = 1.645 for 95% one-sided). -1 when not even zero false hits qualifies.
 */
export function allowedFalseHits(negatives: number, target: number, z = 0): number {
  let k = Math.floor(target * negatives + 1e-9);
  while (k >= 0 && z > 0 && wilsonUpper(k, negatives, z) > target) k -= 1;
  return k;
}

/**
 * The lowest threshold whose false-hit rate on `items` is within `target` (see allowedFalseHits for `z`), i.e. the
 * one that hits the most duplicates within the budget. It sits halfway between the first negative that must be
 * excluded and the next score above it, so it does not ride exactly on a calibration point. +Infinity when nothing
 * may hit.
 */
export function thresholdAtFhr(items: readonly Scored[], target: number, z = 0): number {
  const negatives = items
    .filter((x) => !x.duplicate && x.score !== Number.NEGATIVE_INFINITY)
    .map((x) => x.score)
    .sort((a, b) => b - a);
  const allowed = allowedFalseHits(items.filter((x) => !x.duplicate).length, target, z);
  if (allowed < 0) return Number.POSITIVE_INFINITY;
  const blocker = negatives[allowed];
  const finite = items.filter((x) => x.score !== Number.NEGATIVE_INFINITY).map((x) => x.score);
  if (blocker === undefined) {
    // Fewer scorable negatives than the budget: every scorable item may hit.
    return finite.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...finite);
  }
  let above = Number.POSITIVE_INFINITY;
  for (const s of finite) if (s > blocker && s < above) above = s;
  return above === Number.POSITIVE_INFINITY ? above : (blocker + above) / 2;
}

/** Area under the ROC curve (probability a random duplicate outscores a random non-duplicate; ties count half). */
export function rocAuc(items: readonly Scored[]): number {
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let positives = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]?.score === sorted[i]?.score) j += 1;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (sorted[k]?.duplicate) {
        rankSum += midRank;
        positives += 1;
      }
    }
    i = j + 1;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
