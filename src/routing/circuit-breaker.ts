/**
 * Per-target circuit breakers (key: `${providerId}/${upstreamModel}`).
 *
 * closed --(failure_threshold consecutive failures)--> open --(cooldown_ms elapsed)--> half-open
 * half-open admits ONE probe at a time: success -> closed, failure -> open for another cooldown.
 *
 * State lives in the isolate's memory: each isolate learns on its own, and a fresh isolate starts with every breaker
 * closed. That is deliberate: sharing health through a store would put a network round trip on the hot path, and a
 * few extra failed calls per isolate before it opens are cheap. The registry holds one small entry per target the
 * isolate has called, bounded by the targets in the policy.
 *
 * Only failures that trigger a fallback are reported here (the executor decides); client errors such as a 400 say
 * nothing about the upstream's health and must not open a breaker.
 */

import type { RouteConfig } from "../policy/types";

export type BreakerConfig = RouteConfig["circuit_breaker"];
export type BreakerState = "closed" | "open" | "half_open";

interface Entry {
  state: BreakerState;
  failures: number;
  openUntil: number;
  probeInFlight: boolean;
}

export class CircuitBreakers {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether `acquire` would currently admit a call. Does not change state (the planner's view). */
  isAvailable(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.state === "closed") return true;
    if (entry.state === "open" && this.#now() < entry.openUntil) return false;
    return !entry.probeInFlight;
  }

  /**
   * Admits a call or refuses it. In half-open (and in open once the cooldown is over) the admitted call is the probe,
   * and every other caller is refused until the probe reports back through `onSuccess`, `onFailure` or `release`.
   */
  acquire(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.state === "closed") return true;
    if (entry.state === "open") {
      if (this.#now() < entry.openUntil) return false;
      entry.state = "half_open";
    }
    if (entry.probeInFlight) return false;
    entry.probeInFlight = true;
    return true;
  }

  onSuccess(key: string): void {
    // Closed with no failures is the default state: no need to keep an entry.
    this.#entries.delete(key);
  }

  onFailure(key: string, cfg: BreakerConfig): void {
    const entry = this.#entry(key);
    if (entry.state === "half_open") {
      this.#open(entry, cfg);
      return;
    }
    if (entry.state === "open") return; // A call admitted before the breaker opened: the cooldown already runs.
    entry.failures++;
    if (entry.failures >= Math.max(1, cfg.failure_threshold)) this.#open(entry, cfg);
  }

  /** The admitted call ended without a verdict on the upstream's health (client gone, a 4xx): free the probe slot. */
  release(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) entry.probeInFlight = false;
  }

  state(key: string): BreakerState {
    const entry = this.#entries.get(key);
    if (entry === undefined) return "closed";
    if (entry.state === "open" && this.#now() >= entry.openUntil) return "half_open";
    return entry.state;
  }

  /** Milliseconds until an open breaker admits a probe; 0 when it would admit a call now. */
  retryInMs(key: string): number {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.state !== "open") return 0;
    return Math.max(0, entry.openUntil - this.#now());
  }

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { state: "closed", failures: 0, openUntil: 0, probeInFlight: false };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #open(entry: Entry, cfg: BreakerConfig): void {
    entry.state = "open";
    entry.openUntil = this.#now() + cfg.cooldown_ms;
    entry.probeInFlight = false;
    entry.failures = 0;
  }
}

/** The isolate's registry: module state survives across requests served by the same isolate. */
export const isolateBreakers = new CircuitBreakers();
