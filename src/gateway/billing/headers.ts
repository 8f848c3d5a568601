import type { RateState } from "../../ledger/types";
import type { Admission } from "./types";

/**
 * `x-ratelimit-*` in OpenAI's naming (limit / remaining / reset, per requests and tokens). With both a key and a
 * tenant limit, the tighter one (fewer remaining) is reported.
 */
export function rateLimitHeaders(states: RateState[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ["requests", "tokens"] as const) {
    let tightest: RateState | undefined;
    for (const s of states) {
      if (s.limit === kind && (tightest === undefined || s.remaining < tightest.remaining)) tightest = s;
    }
    if (tightest === undefined) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.max);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, tightest.remaining));
    headers[`x-ratelimit-reset-${kind}`] = `${Math.max(0, Math.ceil(tightest.resetMs / 1000))}s`;
  }
  return headers;
}

/** Credit headers known when the response starts: the hold, and what the key has left while it is held. */
export function admissionHeaders(a: Admission): Record<string, string> {
  const headers: Record<string, string> = {
    "x-gateway-credits-reserved": String(a.reserved),
    ...rateLimitHeaders(a.rate),
  };
  if (a.clamped) headers["x-gateway-max-tokens-clamped"] = String(a.outputTokens);
  return headers;
}

/** What the ledger charges for a bill: never more than the hold. */
export function charged(a: Admission, cost: number): number {
  return Math.min(cost, a.reserved);
}

/** The balance once a hold settles at `cost`: the unused part of the hold comes back. */
export function balanceAfterSettle(a: Admission, cost: number): number {
  return a.balanceAfter + (a.reserved - charged(a, cost));
}

/** Once the cost is known (JSON answers): what was charged and the balance after settlement. */
export function costHeaders(a: Admission, cost: number): Record<string, string> {
  return {
    "x-gateway-cost": String(charged(a, cost)),
    "x-gateway-credits-remaining": String(balanceAfterSettle(a, cost)),
  };
}
