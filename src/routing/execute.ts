/**
 * Runs a route plan: each planned target in order, with a per-attempt timeout, capped retries on the same target,
 * fallback to the next target on the failures the route lists, circuit breakers, and one overall deadline. Knows
 * nothing about providers: the caller's `attempt` function does the upstream call and classifies its failure.
 *
 * Streaming: the caller's `attempt` resolves only once the first stream event has arrived (or the stream failed
 * before it). So everything here (timeouts, retries, fallbacks) happens before the first byte reaches the client,
 * and once a stream has started it is never retried or switched to another target: the client would see two answers
 * spliced together.
 */

import { GatewayError } from "../errors";
import { backoffMs } from "./backoff";
import type { CircuitBreakers } from "./circuit-breaker";
import {
  countsAgainstBreaker,
  exhaustedError,
  type Failure,
  failureError,
  retriableOnSameTarget,
  retryAfterSeconds,
  triggersFallback,
} from "./failure";
import type { PlannedAttempt, RoutePlan } from "./plan";
import { type AttemptOutcome, runAttempt } from "./run-attempt";

export type { Failure } from "./failure";
export type { AttemptOutcome } from "./run-attempt";

export interface ExecuteDeps<T> {
  /** One upstream call. Should honour `signal` (fired on timeout or when the client leaves); need not. */
  attempt: (a: PlannedAttempt, signal: AbortSignal) => Promise<AttemptOutcome<T>>;
  breakers: CircuitBreakers;
  now: () => number;
  /** Also the timer behind attempt timeouts, so tests drive all time through it. May resolve or reject on abort. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  /** The client's request signal: once it fires, nothing more is tried. */
  signal?: AbortSignal;
  /** Receives a success that arrived after its attempt was abandoned (timed out, client gone) so it can be released. */
  discard?: (value: T) => void;
}

export interface AttemptRecord {
  targetKey: string;
  /** `circuit_open`: skipped without a call because the target's breaker refused it. */
  outcome: "ok" | Failure["kind"] | "circuit_open" | "aborted";
  status?: number;
  ms: number;
}

export type ExecuteResult<T> =
  | { ok: true; value: T; attempt: PlannedAttempt; attempts: number; trail: AttemptRecord[] }
  | {
      ok: false;
      error: GatewayError;
      attempts: number;
      trail: AttemptRecord[];
      /** The client left: nothing will be delivered, and the error is for logs only. */
      aborted?: true;
    };

export async function executePlan<T>(plan: RoutePlan, deps: ExecuteDeps<T>): Promise<ExecuteResult<T>> {
  const { fallback_on: fallbackOn, retry, timeouts, circuit_breaker: breakerCfg } = plan.route;
  const { breakers, now } = deps;
  const deadline = now() + timeouts.deadline_ms;
  const trail: AttemptRecord[] = [];
  const failures: Failure[] = [];
  const refusedRetryInMs: number[] = [];
  let calls = 0;

  const stop = (error: GatewayError, aborted = false): ExecuteResult<T> =>
    aborted ? { ok: false, error, attempts: calls, trail, aborted } : { ok: false, error, attempts: calls, trail };
  const deadlineExceeded = (): ExecuteResult<T> =>
    stop(new GatewayError("deadline_exceeded", `no upstream answered within the ${timeouts.deadline_ms} ms deadline`));
  const clientGone = (): ExecuteResult<T> =>
    stop(new GatewayError("invalid_request", "the client closed the request"), true);

  for (const target of plan.attempts) {
    const key = target.targetKey;
    for (let retries = 0; ; retries++) {
      if (deps.signal?.aborted) return clientGone();
      const started = now();
      if (started >= deadline) return deadlineExceeded();
      if (!breakers.acquire(key)) {
        refusedRetryInMs.push(breakers.retryInMs(key));
        trail.push({ targetKey: key, outcome: "circuit_open", ms: 0 });
        break;
      }

      const run = await runAttempt(
        (signal) => deps.attempt(target, signal),
        Math.min(timeouts.attempt_ms, deadline - started),
        deps,
      );
      calls++;
      const ms = Math.max(0, now() - started);
      if (run.kind === "aborted") {
        breakers.release(key);
        trail.push({ targetKey: key, outcome: "aborted", ms });
        return clientGone();
      }
      const outcome = run.outcome;
      if (outcome.ok) {
        breakers.onSuccess(key);
        trail.push({ targetKey: key, outcome: "ok", ms });
        return { ok: true, value: outcome.value, attempt: target, attempts: calls, trail };
      }

      const failure = outcome.failure;
      trail.push(
        failure.kind === "status"
          ? { targetKey: key, outcome: "status", status: failure.status, ms }
          : { targetKey: key, outcome: failure.kind, ms },
      );
      if (countsAgainstBreaker(failure, fallbackOn)) breakers.onFailure(key, breakerCfg);
      else breakers.release(key);
      failures.push(failure);
      if (failure.kind === "timeout" && now() >= deadline) return deadlineExceeded();

      if (retries < retry.max_retries && retriableOnSameTarget(failure, fallbackOn) && !hintTooLong(failure, retry)) {
        const remaining = deadline - now();
        const delay = backoffMs(retries, retry.base_backoff_ms, retry.max_backoff_ms, deps.random, {
          retryAfterMs: failure.kind === "status" ? failure.retryAfterMs : undefined,
          remainingMs: remaining,
        });
        // A retry that could only start at the deadline is pointless: fall back (or stop) instead.
        if (delay < remaining) {
          await deps.sleep(delay, deps.signal).catch(() => undefined);
          continue;
        }
      }
      if (triggersFallback(failure, fallbackOn)) break;
      return stop(failureError(failure, timeouts.attempt_ms));
    }
  }

  if (calls === 0 && refusedRetryInMs.length > 0) {
    const wait = Math.min(...refusedRetryInMs);
    return stop(
      new GatewayError("upstream_unavailable", "every upstream for this model is failing; retry later", {
        headers: { "retry-after": retryAfterSeconds(wait) },
      }),
    );
  }
  return stop(exhaustedError(failures, timeouts.attempt_ms));
}

/**
 * An upstream that asks for a longer pause than the route allows between retries would most likely refuse an
 * earlier retry too: try the next target instead of knocking early.
 */
function hintTooLong(failure: Failure, retry: RoutePlan["route"]["retry"]): boolean {
  return failure.kind === "status" && failure.retryAfterMs !== undefined && failure.retryAfterMs > retry.max_backoff_ms;
}
