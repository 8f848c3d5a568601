import { CacheUnavailableError } from "./types";

/**
 * Runs one store call: any failure, and a call that takes longer than `timeoutMs`, becomes CacheUnavailableError.
 * The cache is an optimisation, so a slow store must cost a request at most this long, never its answer. A call left
 * behind on timeout is not cancelled (it may still land, which is harmless: every write is idempotent).
 */
export async function guardCall<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CacheUnavailableError(`cache ${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (err) {
    if (err instanceof CacheUnavailableError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new CacheUnavailableError(`cache ${what} failed: ${detail}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
