import { STORE_TIMEOUT_MS, withTimeout } from "../timeout";
import { StoreUnavailableError } from "../types";

/** What the runtime attaches to errors from a Durable Object call (https://developers.cloudflare.com/durable-objects/best-practices/error-handling/). */
interface DurableObjectErrorFlags {
  retryable?: boolean;
  overloaded?: boolean;
}

function flags(error: unknown): DurableObjectErrorFlags {
  return typeof error === "object" && error !== null ? (error as DurableObjectErrorFlags) : {};
}

export { STORE_TIMEOUT_MS } from "../timeout";

/**
 * Runs one call to a Durable Object and turns any failure (connection lost, object reset or overloaded, an exception
 * inside the object, no answer within `timeoutMs`) into StoreUnavailableError, so admission answers 503 and never
 * invents a result. `make` builds a fresh stub each time because a stub that saw a disconnect stays broken. Only
 * idempotent calls are retried, once, and never when the object is overloaded (retrying would add to the load) or
 * did not answer in time (the caller's time is spent).
 */
export async function callStore<T>(
  what: string,
  make: () => Promise<T>,
  opts: { idempotent?: boolean; timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? STORE_TIMEOUT_MS;
  try {
    return await withTimeout(`ledger store unavailable (durable object ${what})`, make(), timeoutMs);
  } catch (first) {
    const f = flags(first);
    if (!opts.idempotent || f.retryable !== true || f.overloaded === true) throw unavailable(what, first);
    try {
      return await withTimeout(`ledger store unavailable (durable object ${what})`, make(), timeoutMs);
    } catch (second) {
      throw unavailable(what, second);
    }
  }
}

export function unavailable(what: string, cause: unknown): StoreUnavailableError {
  if (cause instanceof StoreUnavailableError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailableError(`ledger store unavailable (durable object ${what}): ${detail}`, { cause });
}
