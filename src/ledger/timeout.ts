import { StoreUnavailableError } from "./types";

/**
 * How long one ledger store call may go unanswered before it counts as the store being unreachable. A store answers
 * in milliseconds; one that accepts a call and never answers must not hang the request: admission then fails closed
 * (503, no upstream call; a hold it may have made is released or left to the sweeper), and a settlement goes to its
 * retries and the durable outbox.
 */
export const STORE_TIMEOUT_MS = 10_000;

/**
 * Calls off the request path (credits, balances, listings, sweeps, key management) wait longer: nobody's request is
 * held by them, and the first call to a cold store object (which creates its tables) may legitimately take seconds.
 */
export const ADMIN_TIMEOUT_MS = 30_000;

/**
 * Rejects with StoreUnavailableError (`<label>: no answer in <ms> ms`) when `p` takes longer than `ms`; `p` is left to
 * finish and its failure is ignored. A non-finite `ms` waits for ever.
 */
export async function withTimeout<T>(label: string, p: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms)) return await p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  p.catch(() => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`${label}: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
