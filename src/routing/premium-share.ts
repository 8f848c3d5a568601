/**
 * The premium tier's share of recent requests, over a sliding window kept as a ring of time buckets (a tenth of the
 * window each). The oldest bucket is weighted by how much of it is still inside the window, so the share slides
 * smoothly instead of dropping a whole bucket at once. Pure functions over a small mutable state.
 */

export const BUCKETS = 10;

export interface ShareWindow {
  windowMs: number;
  /** Buckets keyed by their index in time (`floor(t / bucketMs)`); at most BUCKETS + 1 kept. */
  buckets: Map<number, { total: number; premium: number }>;
}

export function newShareWindow(windowMs: number): ShareWindow {
  return { windowMs, buckets: new Map() };
}

function bucketMs(w: ShareWindow): number {
  return Math.max(1, Math.floor(w.windowMs / BUCKETS));
}

function prune(w: ShareWindow, now: number): void {
  const current = Math.floor(now / bucketMs(w));
  for (const index of w.buckets.keys()) if (index < current - BUCKETS) w.buckets.delete(index);
}

export function recordTier(w: ShareWindow, now: number, premium: boolean): void {
  prune(w, now);
  const index = Math.floor(now / bucketMs(w));
  const b = w.buckets.get(index) ?? { total: 0, premium: 0 };
  b.total += 1;
  if (premium) b.premium += 1;
  w.buckets.set(index, b);
}

/** Requests and premium requests in the window ending at `now` (the oldest bucket partly counted). */
export function windowCounts(w: ShareWindow, now: number): { total: number; premium: number } {
  prune(w, now);
  const size = bucketMs(w);
  const current = Math.floor(now / size);
  // The window spans the current bucket's elapsed part, BUCKETS - 1 whole buckets, and a tail of the oldest one.
  const tail = 1 - (now - current * size) / size;
  let total = 0;
  let premium = 0;
  for (const [index, b] of w.buckets) {
    const age = current - index;
    const weight = age < BUCKETS ? 1 : age === BUCKETS ? tail : 0;
    total += b.total * weight;
    premium += b.premium * weight;
  }
  return { total, premium };
}

/**
 * Would one more premium request keep the premium share at or under `maxShare`? Below `minRequests` in the window
 * the cap does not apply (a share of a handful of requests says nothing).
 */
export function premiumAllowed(w: ShareWindow, now: number, maxShare: number, minRequests: number): boolean {
  const { total, premium } = windowCounts(w, now);
  if (total < minRequests) return true;
  return premium + 1 <= maxShare * (total + 1);
}

/** The isolate's windows, one per route (or route and tenant, per the policy's `per`). */
export class PremiumShares {
  private readonly windows = new Map<string, ShareWindow>();

  window(key: string, windowMs: number): ShareWindow {
    let w = this.windows.get(key);
    if (w === undefined || w.windowMs !== windowMs) {
      w = newShareWindow(windowMs);
      this.windows.set(key, w);
    }
    return w;
  }
}

/** A request counted as cheap that a cascade escalated: it now counts as premium. */
export function upgradeToPremium(w: ShareWindow, now: number): void {
  prune(w, now);
  const index = Math.floor(now / bucketMs(w));
  const b = w.buckets.get(index) ?? { total: 1, premium: 0 };
  b.premium = Math.min(b.total, b.premium + 1);
  w.buckets.set(index, b);
}
