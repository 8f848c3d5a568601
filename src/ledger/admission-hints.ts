import type { RateState } from "./types";

/** A hint older than this says nothing about the account any more. */
const HINT_TTL_MS = 10_000;
/** The last balance seen, minus what overlapped requests may be reserving now, must cover this many worst cases. */
const BALANCE_FACTOR = 20;
/** Every rate window must have at least this share of its limit left (and at least MIN_RATE_ROOM). */
const RATE_SHARE = 0.1;
const MIN_RATE_ROOM = 2;
/** Accounts remembered per isolate; past it the least recently admitted is forgotten. */
const MAX_ACCOUNTS = 10_000;

/** Accounts are per tenant (two tenants' JWT subjects may share a name), so the tenant is part of the key. */
function keyOf(tenantId: string, accountId: string): string {
  return `${tenantId}\u0000${accountId}`;
}

interface Hint {
  /** Available balance after the last admission this isolate saw for the account. */
  balance: number;
  rate: RateState[];
  at: number;
  /** Worst cases of this isolate's requests whose reservation is still on its way to the ledger. */
  pending: number;
}

/**
 * What this isolate last learned about each account from the ledger's admissions. The ledger stays the only
 * authority: a hint only decides whether a request may start its upstream call while its reservation is on the
 * way (overlapped admission) rather than after it. A request the hint lets through can still be refused; the
 * upstream call is then cancelled and nothing is billed, so a stale hint costs an aborted provider call, never
 * credits. Per isolate, like the circuit breakers: other isolates spend the same balance, hence the wide margins.
 */
export class AdmissionHints {
  private readonly hints = new Map<string, Hint>();
  /** Until then nothing overlaps: the store failed lately, and every overlapped call would be cancelled. */
  private pausedUntil = 0;

  /**
   * Reserves room for an overlapped admission when the account looked well funded and far from its rate limits a
   * moment ago; returns the release to call once the ledger has answered, or undefined (admit first).
   */
  tryOverlap(tenantId: string, accountId: string, worstCase: number, now: number): (() => void) | undefined {
    if (now < this.pausedUntil) return undefined;
    const hint = this.hints.get(keyOf(tenantId, accountId));
    if (hint === undefined || now - hint.at > HINT_TTL_MS) return undefined;
    if (hint.balance - hint.pending < BALANCE_FACTOR * Math.max(1, worstCase)) return undefined;
    for (const state of hint.rate) {
      if (state.remaining < Math.max(MIN_RATE_ROOM, Math.ceil(state.max * RATE_SHARE))) return undefined;
    }
    hint.pending += worstCase;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      hint.pending = Math.max(0, hint.pending - worstCase);
    };
  }

  /** An admission the ledger granted: the balance and rate windows it reported. */
  admitted(tenantId: string, accountId: string, balance: number, rate: RateState[], now: number): void {
    const key = keyOf(tenantId, accountId);
    // The same object is updated (releases hold on to it) and re-inserted: the map's order is least recently
    // admitted first.
    const hint = this.hints.get(key) ?? { balance, rate, at: now, pending: 0 };
    hint.balance = balance;
    hint.rate = rate;
    hint.at = now;
    this.hints.delete(key);
    this.hints.set(key, hint);
    if (this.hints.size > MAX_ACCOUNTS) {
      const oldest = this.hints.keys().next();
      if (oldest.done !== true) this.hints.delete(oldest.value);
    }
  }

  /**
   * The store could not be reached: for the next HINT_TTL_MS every request of this isolate waits for its
   * reservation again, so an outage costs at most the calls already in flight, not one cancelled call per request.
   */
  storeFailed(now: number): void {
    this.hints.clear();
    this.pausedUntil = now + HINT_TTL_MS;
  }

  /** The ledger refused (credits, rate, budget): the next request of this account waits for its reservation. */
  refused(tenantId: string, accountId: string): void {
    this.hints.delete(keyOf(tenantId, accountId));
  }
}
