/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform draw in
 * [0, min(max, base * 2^retry)). Full jitter spreads the retries of many clients that failed together, which matters
 * here because one upstream blip fails many requests in many isolates at once.
 */

export interface BackoffOptions {
  /** The upstream's own hint (`Retry-After`), honoured instead of the jittered delay, still capped by `max`. */
  retryAfterMs?: number;
  /** Time left before the request's deadline: the delay never exceeds it. */
  remainingMs?: number;
}

/** `retry` counts from 0 (the delay before the first retry). Never negative, never above `max` or `remainingMs`. */
export function backoffMs(
  retry: number,
  base: number,
  max: number,
  random: () => number,
  options: BackoffOptions = {},
): number {
  const cap = Math.max(0, max);
  let delay: number;
  if (options.retryAfterMs !== undefined && options.retryAfterMs >= 0) {
    delay = Math.min(options.retryAfterMs, cap);
  } else {
    // 2^retry overflows to Infinity for huge retry counts; min() with the cap keeps it finite.
    const ceiling = Math.min(cap, Math.max(0, base) * 2 ** Math.max(0, retry));
    delay = Math.floor(clampUnit(random()) * ceiling);
  }
  if (options.remainingMs !== undefined) delay = Math.min(delay, Math.max(0, options.remainingMs));
  return delay;
}

/** A `random` returning 1 (or garbage) must not push the delay to or past the ceiling. */
function clampUnit(x: number): number {
  if (!(x > 0)) return 0;
  return x >= 1 ? 1 - Number.EPSILON : x;
}
