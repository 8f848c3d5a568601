/** Timer-backed sleep for `ExecuteDeps.sleep`. Rejects with the signal's reason when aborted, freeing the timer. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(id);
      reject(signal?.reason);
    };
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A timer that can be cancelled without an AbortController: `runAttempt` arms one per upstream attempt and cancels
 * it as soon as the attempt settles, on every request, so the general `sleep(ms, signal)` (a controller, a listener
 * and an abort event) is paid for nothing. Same effect: `fired` resolves after `ms` unless cancelled first.
 */
export function cancellableTimer(ms: number): { fired: Promise<void>; cancel: () => void } {
  let id: ReturnType<typeof setTimeout> | undefined;
  const fired = new Promise<void>((resolve) => {
    id = setTimeout(resolve, ms);
  });
  return { fired, cancel: () => clearTimeout(id) };
}
