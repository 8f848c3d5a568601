/**
 * One upstream call bounded by a timer and by the client's signal. The attempt function gets a signal it should
 * honour, but the bound does not depend on it: the race settles when the timer fires even if the function never
 * does, so a stuck upstream cannot hold a request past its timeout.
 */

import type { Failure } from "./failure";
import { cancellableTimer, sleep } from "./sleep";

export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export type RunResult<T> = { kind: "settled"; outcome: AttemptOutcome<T> } | { kind: "aborted" };

export interface RunDeps<T> {
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The client's signal: when it fires, the call is abandoned and its own signal aborted. */
  signal?: AbortSignal;
  /** Receives a success that arrived after its call was abandoned, so the caller can release it (e.g. cancel a body). */
  discard?: (value: T) => void;
}

const TIMED_OUT: unique symbol = Symbol("timed out");
const CLIENT_GONE: unique symbol = Symbol("client gone");

export async function runAttempt<T>(
  call: (signal: AbortSignal) => Promise<AttemptOutcome<T>>,
  timeoutMs: number,
  deps: RunDeps<T>,
): Promise<RunResult<T>> {
  const controller = new AbortController();
  const client = deps.signal;
  let abandoned = false;

  let onClientAbort: (() => void) | undefined;
  const clientGone = new Promise<typeof CLIENT_GONE>((resolve) => {
    if (client === undefined) return;
    onClientAbort = () => {
      controller.abort(client.reason);
      resolve(CLIENT_GONE);
    };
    if (client.aborted) onClientAbort();
    else client.addEventListener("abort", onClientAbort, { once: true });
  });

  const settled = Promise.resolve()
    .then(() => call(controller.signal))
    .then(
      (outcome) => {
        if (abandoned && outcome.ok) deps.discard?.(outcome.value);
        return outcome;
      },
      // The contract is to return failures, but a thrown network error (fetch's TypeError) is still a failed
      // connection, and one misbehaving call must not break the fallback chain.
      (error: unknown): AttemptOutcome<T> => ({ ok: false, failure: { kind: "connection", message: describe(error) } }),
    );
  const timer = attemptTimer(deps.sleep, timeoutMs);
  const winner = await Promise.race([settled, timer.fired, clientGone]);
  timer.cancel();
  if (typeof winner === "symbol") {
    abandoned = true;
    if (onClientAbort !== undefined) client?.removeEventListener("abort", onClientAbort);
    if (winner === CLIENT_GONE) return { kind: "aborted" };
    controller.abort(new DOMException("upstream attempt timed out", "TimeoutError"));
    return { kind: "settled", outcome: { ok: false, failure: { kind: "timeout" } } };
  }
  // On success the client listener stays: a client leaving mid-stream should still cancel the upstream call.
  if (!winner.ok && onClientAbort !== undefined) client?.removeEventListener("abort", onClientAbort);
  return { kind: "settled", outcome: winner };
}

/**
 * The attempt's timeout. The real `sleep` is swapped for an equivalent timer that needs no AbortController (this runs
 * on every request); an injected sleep (virtual time in tests) is used as given, cancelled through its signal.
 */
function attemptTimer(
  sleepFn: RunDeps<unknown>["sleep"],
  ms: number,
): { fired: Promise<typeof TIMED_OUT>; cancel: () => void } {
  // A timer that fails to run counts as fired: hanging forever would be worse than an early timeout.
  const fired = (): typeof TIMED_OUT => TIMED_OUT;
  if (sleepFn === sleep) {
    const timer = cancellableTimer(ms);
    return { fired: timer.fired.then(fired), cancel: timer.cancel };
  }
  const controller = new AbortController();
  return { fired: sleepFn(ms, controller.signal).then(fired, fired), cancel: () => controller.abort() };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "attempt failed";
}
