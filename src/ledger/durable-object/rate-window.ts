import { rows, run } from "../../storage/sql";
import type { RateLimit, RateState } from "../types";

/**
 * Rate limits as a sliding LOG over the last 60 s (exact, not the two-sub-window approximation): one row per admitted
 * request per limited scope, holding the tokens it counted. Rows older than the window are pruned whenever the scope
 * records a request, so a busy scope stores at most one minute of traffic.
 */
export const WINDOW_MS = 60_000;

export interface ScopeCheck {
  scope: "key" | "tenant";
  /** Row key in rate_log: `key:<keyId>` or `tenant`. */
  logKey: string;
  limit: RateLimit;
}

export type RateOutcome = { ok: true; states: RateState[] } | { ok: false; state: RateState; retryAfterMs: number };

type LogRow = { at: number; tokens: number };

/** Checks every scope (key first, then tenant; requests before tokens); records nothing. */
export function checkRates(sql: SqlStorage, checks: ScopeCheck[], tokens: number, now: number): RateOutcome {
  const states: RateState[] = [];
  for (const check of checks) {
    const log = rows<LogRow>(
      sql,
      "SELECT at, tokens FROM rate_log WHERE scope = ? AND at > ? ORDER BY at",
      check.logKey,
      now - WINDOW_MS,
    );
    const rpm = check.limit.requests_per_minute;
    if (rpm !== undefined) {
      const outcome = evaluate(
        log.map((r) => ({ at: r.at, weight: 1 })),
        rpm,
        1,
        now,
      );
      const state: RateState = { scope: check.scope, limit: "requests", max: rpm, ...outcome.state };
      if (!outcome.ok) return { ok: false, state, retryAfterMs: outcome.state.resetMs };
      states.push(state);
    }
    const tpm = check.limit.tokens_per_minute;
    if (tpm !== undefined) {
      const outcome = evaluate(
        log.map((r) => ({ at: r.at, weight: r.tokens })),
        tpm,
        tokens,
        now,
      );
      const state: RateState = { scope: check.scope, limit: "tokens", max: tpm, ...outcome.state };
      if (!outcome.ok) return { ok: false, state, retryAfterMs: outcome.state.resetMs };
      states.push(state);
    }
  }
  return { ok: true, states };
}

/** Appends this request to each scope's log, pruning what has left the window (only admits write). */
export function recordRates(sql: SqlStorage, checks: ScopeCheck[], tokens: number, now: number): void {
  for (const check of checks) {
    run(sql, "DELETE FROM rate_log WHERE scope = ? AND at <= ?", check.logKey, now - WINDOW_MS);
    run(sql, "INSERT INTO rate_log (scope, at, tokens) VALUES (?, ?, ?)", check.logKey, now, tokens);
  }
}

interface Mark {
  at: number;
  weight: number;
}

/**
 * Whether `need` more fits under `max` given the log (oldest first). Admitted: what remains after this request and
 * when the oldest counted mark leaves the window. Refused: what remains now and how long until enough marks leave
 * (a full window when even an empty window is too small).
 */
function evaluate(
  log: Mark[],
  max: number,
  need: number,
  now: number,
): { ok: boolean; state: { remaining: number; resetMs: number } } {
  const used = log.reduce((sum, m) => sum + m.weight, 0);
  if (used + need <= max) {
    const oldest = log[0]?.at ?? now;
    return { ok: true, state: { remaining: max - used - need, resetMs: Math.max(1, oldest + WINDOW_MS - now) } };
  }
  const remaining = Math.max(0, max - used);
  if (need > max) return { ok: false, state: { remaining, resetMs: WINDOW_MS } };
  let freed = 0;
  for (const mark of log) {
    freed += mark.weight;
    if (used - freed + need <= max) {
      return { ok: false, state: { remaining, resetMs: Math.max(1, mark.at + WINDOW_MS - now) } };
    }
  }
  return { ok: false, state: { remaining, resetMs: WINDOW_MS } };
}
