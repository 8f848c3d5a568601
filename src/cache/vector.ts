/** Vector arithmetic for the cache, and the one conversion of Upstash's COSINE score to plain cosine. */

/** Unit-length copy of `v`; undefined for a zero (or non-finite) vector, which has no direction to compare. */
export function normalise(v: readonly number[]): number[] | undefined {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
  const scale = 1 / Math.sqrt(sum);
  return v.map((x) => x * scale);
}

/** Plain cosine similarity; 0 when either vector is zero or the lengths differ. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * Upstash Vector reports COSINE similarity as `(1 + cos) / 2` (0..1). Policies and the hit decision use plain cosine
 * (-1..1). This is the only place the two scales meet; nothing else may read an Upstash score.
 */
export function cosineFromUpstashScore(score: number): number {
  return Math.max(-1, Math.min(1, 2 * score - 1));
}
