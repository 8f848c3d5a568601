/**
 * Latency histograms in fixed log buckets, the same on every isolate and backend, so histograms merge by adding
 * counts and percentiles come out of the merged counts. Bucket i holds latencies in (R^(i-1), R^i] ms with
 * R = 2^(1/8) (about 9% wide); bucket 0 holds 0..1 ms. A percentile is reported as its bucket's upper bound, so it is
 * never below the true value and at most one bucket (9%) above it.
 */
export const LATENCY_RATIO = 2 ** (1 / 8);
/** The last bucket is open-ended (everything above ~21 minutes). */
export const LATENCY_BUCKETS = 8 * 21;

export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  const i = Math.ceil(Math.log2(ms) * 8 - 1e-9);
  return Math.min(Math.max(i, 0), LATENCY_BUCKETS);
}

/** The upper bound of bucket i, ms (rounded to 0.01 ms). */
export function bucketUpper(i: number): number {
  return Math.round(LATENCY_RATIO ** i * 100) / 100;
}

/** The q-quantile (0..1) of a histogram `{bucket: count}`: the upper bound of the bucket holding rank ceil(q*n). */
export function quantile(histogram: Map<number, number>, q: number): number | null {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const i of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(i) ?? 0;
    if (seen >= rank) return bucketUpper(i);
  }
  return null;
}
