/** First retry after an enqueue: the caller has just failed three times, so give the store a moment. */
export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 5 * 60_000;

/**
 * Delay before retry number `attempts` (1 = after the first failed attempt): 1 s, 2 s, 4 s, ... capped at 5 min, with
 * "equal jitter" (half fixed, half random) so ops queued together during an outage do not retry in lockstep.
 */
export function retryDelay(attempts: number, random: () => number): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
  return Math.ceil(ceiling / 2 + (random() * ceiling) / 2);
}
