/**
 * How one upstream attempt can fail, what each failure means for retries, fallbacks and breakers, and which stable
 * gateway error a client sees. Messages are written here, never copied from upstream bodies (which may echo prompts,
 * keys or internal hostnames).
 */

import { GatewayError } from "../errors";
import type { RouteConfig } from "../policy/types";

export type Failure =
  /** `error`: what the client is told when this failure ends the chain, when the adapter recognised the refusal. */
  | { kind: "status"; status: number; retryAfterMs?: number; error?: GatewayError }
  | { kind: "timeout" }
  | { kind: "connection"; message: string }
  | { kind: "bad_response"; message: string }
  /**
   * The target cannot serve this request after all (found while translating it, or its provider is not configured):
   * try the next one; never retried on the same target nor counted against its breaker. `error`, when set, is what
   * the client is told if no target serves (a 400 naming the parameter, or which secret is missing).
   */
  | { kind: "unsupported"; message: string; error?: GatewayError };

export type FallbackOn = RouteConfig["fallback_on"];

/** Whether the next target should be tried. A malformed answer always moves on: the same target would repeat it. */
export function triggersFallback(failure: Failure, on: FallbackOn): boolean {
  switch (failure.kind) {
    case "status":
      return on.statuses.includes(failure.status);
    case "timeout":
      return on.timeout;
    case "connection":
      return on.connection_error;
    case "bad_response":
    case "unsupported":
      return true;
  }
}

/** Transient failures are worth repeating on the same target; only those the route treats as fallback triggers. */
export function retriableOnSameTarget(failure: Failure, on: FallbackOn): boolean {
  if (!triggersFallback(failure, on)) return false;
  if (failure.kind === "status") return failure.status === 429 || failure.status >= 500;
  return failure.kind === "timeout" || failure.kind === "connection";
}

/** Breakers track upstream health: a request the target cannot serve says nothing about it. */
export function countsAgainstBreaker(failure: Failure, on: FallbackOn): boolean {
  return failure.kind !== "unsupported" && triggersFallback(failure, on);
}

export function failureError(failure: Failure, attemptMs: number): GatewayError {
  switch (failure.kind) {
    case "status":
      if (failure.error !== undefined) return failure.error;
      if (failure.status === 429) return rateLimited(failure.retryAfterMs);
      if (failure.status >= 500) {
        return new GatewayError("upstream_error", `upstream failed with status ${failure.status}`);
      }
      return new GatewayError("upstream_error", `upstream rejected the request (${failure.status})`);
    case "timeout":
      return new GatewayError("upstream_timeout", `upstream did not answer within ${attemptMs} ms`);
    case "connection":
      return new GatewayError("upstream_unavailable", "could not connect to the upstream");
    case "bad_response":
      return new GatewayError("upstream_bad_response", "upstream sent a response the gateway could not read");
    case "unsupported":
      // Its message is for logs; the client gets the failure's own error when it has one (written for clients).
      return failure.error ?? new GatewayError("upstream_unavailable", "no configured upstream can serve this request");
  }
}

/**
 * The error after every target was tried: when all of them were rate limited the client learns that (with the
 * shortest Retry-After we were given), otherwise the last failure speaks for the chain.
 */
export function exhaustedError(failures: readonly Failure[], attemptMs: number): GatewayError {
  const last = failures.at(-1);
  if (last === undefined) return new GatewayError("upstream_unavailable", "no upstream is available");
  const allRateLimited = failures.every((f) => f.kind === "status" && f.status === 429);
  if (allRateLimited) {
    const hints = failures.flatMap((f) =>
      f.kind === "status" && f.retryAfterMs !== undefined ? [f.retryAfterMs] : [],
    );
    return rateLimited(hints.length > 0 ? Math.min(...hints) : undefined);
  }
  return failureError(last, attemptMs);
}

export function rateLimited(retryAfterMs?: number): GatewayError {
  const headers = retryAfterMs === undefined ? undefined : { "retry-after": retryAfterSeconds(retryAfterMs) };
  return new GatewayError(
    "upstream_rate_limited",
    "upstream providers are rate limiting this model; retry later",
    headers === undefined ? {} : { headers },
  );
}

export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
