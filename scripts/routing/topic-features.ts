/**
 * Topic-transfer features tried for the MMLU router (scripts/routing/mmlu-experiment.ts; README: they did not help on
 * held-out subjects, so no artifact carries them): the cheap model's error rate among a prompt's nearest training
 * prompts, or among its nearest k-means centroids (what a Worker could ship). Always from OTHER subjects than the
 * row's own, so a training row sees what an unseen subject will see. Returned as log-odds, smoothed to the prior.
 */

export interface Projected {
  group: string;
  p: Float64Array;
}

export interface Labelled extends Projected {
  /** 1 when the cheap model was wrong. */
  err: number;
}

const SMOOTHING = 5;

function logOdds(errors: number, n: number, prior: number): number {
  const rate = (errors + SMOOTHING * prior) / (n + SMOOTHING);
  return Math.log(rate / (1 - rate));
}

function unit(v: Float64Array): Float64Array {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return Float64Array.from(v, (x) => x / n);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] ?? 0) * (b[d] ?? 0);
  return s;
}

/** Per query: the cheap-error rate of its `k` nearest `ref` rows of other groups (cosine, projected space). */
export function knnFeature(query: readonly Projected[], ref: readonly Labelled[], k: number, prior: number): number[] {
  const refUnit = ref.map((r) => unit(r.p));
  return query.map((q) => {
    const qu = unit(q.p);
    const best: { s: number; e: number }[] = [];
    for (const [j, r] of ref.entries()) {
      if (r.group === q.group) continue;
      const s = dot(qu, refUnit[j] as Float64Array);
      if (best.length < k) {
        best.push({ s, e: r.err });
        best.sort((a, b) => a.s - b.s);
      } else if (s > (best[0]?.s ?? -2)) {
        best[0] = { s, e: r.err };
        best.sort((a, b) => a.s - b.s);
      }
    }
    return logOdds(
      best.reduce((a, x) => a + x.e, 0),
      best.length,
      prior,
    );
  });
}

/** Spherical k-means (12 rounds) of unit vectors; the starting centroids drawn with a small seeded generator. */
function kMeans(x: readonly Float64Array[], m: number, seed: number): { centroids: Float64Array[]; assign: number[] } {
  const d = x[0]?.length ?? 0;
  let state = seed * 9301 + 49297;
  const next = () => {
    state = (state * 9301 + 49297) % 233280;
    return state / 233280;
  };
  let centroids: Float64Array[] = Array.from({ length: m }, () =>
    Float64Array.from(x[Math.floor(next() * x.length)] ?? []),
  );
  const assign = new Array<number>(x.length).fill(0);
  for (let round = 0; round < 12; round++) {
    for (const [i, v] of x.entries()) {
      let best = -2;
      for (const [c, cv] of centroids.entries()) {
        const s = dot(v, cv);
        if (s > best) {
          best = s;
          assign[i] = c;
        }
      }
    }
    const sums = Array.from({ length: m }, () => new Float64Array(d));
    for (const [i, v] of x.entries()) {
      const t = sums[assign[i] ?? 0] as Float64Array;
      for (let j = 0; j < d; j++) t[j] = (t[j] ?? 0) + (v[j] ?? 0);
    }
    centroids = sums.map((t, c) => (t.some((v) => v !== 0) ? unit(t) : (centroids[c] as Float64Array)));
  }
  return { centroids, assign };
}

/**
 * The cheap-error rate of the rows in a prompt's `nearest` k-means centroids (`m` of them, fitted on `fit`), leaving
 * out the prompt's own subject's rows: what a Worker could ship as (centroid, rows, errors) triples.
 */
export function centroidFeature(
  fit: readonly Labelled[],
  test: readonly Projected[],
  m: number,
  nearest: number,
  prior: number,
  seed: number,
): { fitF: number[]; testF: number[] } {
  const { centroids, assign } = kMeans(
    fit.map((r) => unit(r.p)),
    m,
    seed,
  );
  const counts = () => ({ n: new Array<number>(m).fill(0), e: new Array<number>(m).fill(0) });
  const all = counts();
  const byGroup = new Map<string, ReturnType<typeof counts>>();
  for (const [i, r] of fit.entries()) {
    const c = assign[i] ?? 0;
    const g = byGroup.get(r.group) ?? counts();
    byGroup.set(r.group, g);
    for (const t of [all, g]) {
      t.n[c] = (t.n[c] ?? 0) + 1;
      t.e[c] = (t.e[c] ?? 0) + r.err;
    }
  }
  const feature = (q: Projected) => {
    const x = unit(q.p);
    const near = centroids
      .map((cv, c) => ({ s: dot(x, cv), c }))
      .sort((a, b) => b.s - a.s)
      .slice(0, nearest);
    const own = byGroup.get(q.group);
    let n = 0;
    let e = 0;
    for (const { c } of near) {
      n += (all.n[c] ?? 0) - (own?.n[c] ?? 0);
      e += (all.e[c] ?? 0) - (own?.e[c] ?? 0);
    }
    return logOdds(e, n, prior);
  };
  return { fitF: fit.map(feature), testF: test.map(feature) };
}
