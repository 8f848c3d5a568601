/**
 * Quality and cost arithmetic for routing on known outcomes. "Premium" for a router means the request is sent to the
 * premium model; for a cascade it means the cheap answer is escalated. A row's accuracy is the premium model's
 * correctness where it went premium and the cheap model's elsewhere.
 */

export interface Labelled {
  cheapCorrect: boolean;
  premiumCorrect: boolean;
}

export interface RoutedFigures {
  premiumShare: number;
  accuracy: number;
}

export const accuracyOf = (rows: readonly Labelled[], premium: (i: number) => boolean): number =>
  rows.reduce((n, r, i) => n + ((premium(i) ? r.premiumCorrect : r.cheapCorrect) ? 1 : 0), 0) /
  Math.max(1, rows.length);

export function premiumAccuracy(rows: readonly Labelled[]): number {
  return accuracyOf(rows, () => true);
}

export function cheapAccuracy(rows: readonly Labelled[]): number {
  return accuracyOf(rows, () => false);
}

/** Requests whose score reaches `threshold` go premium. */
export function routedAt(rows: readonly Labelled[], scores: readonly number[], threshold: number): RoutedFigures {
  const premium = (i: number) => (scores[i] ?? 0) >= threshold;
  const share = rows.reduce((n, _, i) => n + (premium(i) ? 1 : 0), 0) / Math.max(1, rows.length);
  return { premiumShare: share, accuracy: accuracyOf(rows, premium) };
}

/**
 * The lowest threshold-free premium share reaching `target` × premium accuracy when requests go premium in score
 * order. Picked on the very rows it is measured on, so it is a ceiling for this scorer, not a result.
 */
export function shareNeeded(rows: readonly Labelled[], scores: readonly number[], target: number): number {
  const n = rows.length;
  if (n === 0) return 0;
  const goal = target * premiumAccuracy(rows) * n - 1e-9;
  const order = rows.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  let correct = rows.reduce((s, r) => s + (r.cheapCorrect ? 1 : 0), 0);
  if (correct >= goal) return 0;
  for (const [k, i] of order.entries()) {
    const r = rows[i] as Labelled;
    correct += (r.premiumCorrect ? 1 : 0) - (r.cheapCorrect ? 1 : 0);
    if (correct >= goal) return (k + 1) / n;
  }
  return 1;
}

/**
 * The threshold with the fewest premium requests whose accuracy on `rows` reaches `target` × premium accuracy:
 * midway between the last score sent premium and the next, so a score exactly like a calibration row's is
 * treated as that row was. Above every score (nothing premium) when the cheap model alone reaches the target.
 */
export function thresholdFor(rows: readonly Labelled[], scores: readonly number[], target: number): number {
  return thresholdAtShare(scores, shareNeeded(rows, scores, target));
}

/**
 * The threshold that sends `share` of `scores` premium (the highest ones): midway between the last score sent and the
 * next; above every score when the share is 0.
 */
export function thresholdAtShare(scores: readonly number[], share: number): number {
  const sorted = [...scores].sort((a, b) => b - a);
  const k = Math.round(share * sorted.length);
  if (k === 0) return Math.min(1, (sorted[0] ?? 0) + 1e-6);
  const last = sorted[k - 1] ?? 0;
  const next = sorted[k];
  return next === undefined ? last : (last + next) / 2;
}

/** Random routing reaches the target with this share (in expectation). */
export function randomShare(rows: readonly Labelled[], target: number): number {
  const cheap = cheapAccuracy(rows);
  const premium = premiumAccuracy(rows);
  if (premium <= cheap) return 0;
  return Math.min(1, Math.max(0, (target * premium - cheap) / (premium - cheap)));
}

/** An oracle sends premium only the requests the cheap model gets wrong and the premium one right. */
export function oracleShare(rows: readonly Labelled[], target: number): number {
  const n = rows.length;
  const cheapRight = rows.filter((r) => r.cheapCorrect).length;
  return Math.min(1, Math.max(0, Math.ceil(target * premiumAccuracy(rows) * n - 1e-9) - cheapRight) / Math.max(1, n));
}
