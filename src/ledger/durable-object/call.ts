import { StoreUnavailableError } from "../types";

/** What the runtime attaches to errors from a Durable Object call (https://developers.cloudflare.com/durable-objects/best-practices/error-handling/). */
interface DurableObjectErrorFlags {
  retryable?: boolean;
  overloaded?: boolean;
}

function flags(error: unknown): DurableObjectErrorFlags {
  return typeof error === "object" && error !== null ? (error as DurableObjectErrorFlags) : {};
}

/**
 * Runs one call to a Durable Object and turns any failure (connection lost, object reset or overloaded, an exception
 * inside the object) into StoreUnavailableError, so admission answers 503 and never invents a result. `make` builds
 * a fresh stub each time because a stub that saw a disconnect stays broken. Only idempotent calls are retried, once,
 * and never when the object is overloaded (retrying would add to the load).
 */
export async function callStore<T>(
  what: string,
  make: () => Promise<T>,
  opts: { idempotent?: boolean } = {},
): Promise<T> {
  try {
    return await make();
  } catch (first) {
    const f = flags(first);
    if (!opts.idempotent || f.retryable !== true || f.overloaded === true) throw unavailable(what, first);
    try {
      return await make();
    } catch (second) {
      throw unavailable(what, second);
    }
  }
}

function unavailable(what: string, cause: unknown): StoreUnavailableError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailableError(`ledger store unavailable (durable object ${what}): ${detail}`, { cause });
}
