/** mulberry32: a tiny seeded PRNG, so splits, samples and "random" test runs are reproducible (a failure replays). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** A seeded split into two halves (the first gets the extra item when the count is odd). */
export function splitHalves<T>(items: readonly T[], seed: number): { calibration: T[]; test: T[] } {
  const order = shuffled(items, seed);
  const cut = Math.ceil(order.length / 2);
  return { calibration: order.slice(0, cut), test: order.slice(cut) };
}

export function seededSample<T>(items: readonly T[], n: number, seed: number): T[] {
  return n >= items.length ? [...items] : shuffled(items, seed).slice(0, n);
}
