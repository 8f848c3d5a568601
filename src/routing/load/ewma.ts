/**
 * An exponentially weighted moving average whose weight depends on the time between observations (a half-life),
 * so a burst of requests does not wash out the history faster than a trickle would.
 */
export interface Ewma {
  value: number;
  at: number;
}

export function updateEwma(prev: Ewma | undefined, sample: number, now: number, halfLifeMs: number): Ewma {
  if (prev === undefined || !Number.isFinite(prev.value)) return { value: sample, at: now };
  const dt = Math.max(0, now - prev.at);
  // Weight of the past: 0.5 after one half-life; a minimum keeps a same-millisecond sample from being ignored.
  const keep = Math.min(0.9, 0.5 ** (dt / Math.max(1, halfLifeMs)));
  return { value: keep * prev.value + (1 - keep) * sample, at: now };
}
