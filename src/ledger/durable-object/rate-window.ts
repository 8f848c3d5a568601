import { rows, run } from "../../storage/sql";
import type { RateLimit, RateState } from "../types";

/**
 * Rate limits as a sliding LOG over the last 60 s (exact, not the two-sub-window approximation): one row per admitted
 * request per limited scope, holding the tokens it counted.
 *
 * The object keeps each scope's log of the last minute in memory (it is single-threaded and the only writer of its
 * tables), so an admission reads nothing and writes one row per limited scope. SQLite holds the durable copy: a new
 * object life loads it once per scope (and drops what left the window meanwhile). Rows that leave the window are
 * deleted in bulk every PRUNE_EVERY of them rather than one statement per admission; they never count, since every
 * read is bounded to the window. A rolled-back transaction must drop the memory (`forgetRates`, TenantLedger.tx).
 */
export const WINDOW_MS = 60_000;
/** Rows left behind the window per scope before one DELETE removes them. */
const PRUNE_EVERY = 256;

export interface ScopeCheck {
  scope: "key" | "tenant";
  /** Row key in rate_log: `key:<keyId>` or `tenant`. */
  logKey: string;
  limit: RateLimit;
}

export type RateOutcome = { ok: true; states: RateState[] } | { ok: false; state: RateState; retryAfterMs: number };

interface Mark {
  at: number;
  tokens: number;
}

interface ScopeLog {
  /** Oldest first; only marks inside the window once `slide` ran. */
  marks: Mark[];
  /** Rows behind the window still in SQLite. */
  stale: number;
}

/** Scope logs per database, bounded like the account cache: a tenant may have very many keys. */
const logs = new WeakMap<SqlStorage, Map<string, ScopeLog>>();
const MAX_SCOPES = 1024;

/** Drops every scope log of this database (after a rollback, memory may hold writes that never happened). */
export function forgetRates(sql: SqlStorage): void {
  logs.delete(sql);
}

function scopeLog(sql: SqlStorage, logKey: string, now: number): ScopeLog {
  let scopes = logs.get(sql);
  if (scopes === undefined) {
    scopes = new Map();
    logs.set(sql, scopes);
  }
  let log = scopes.get(logKey);
  if (log === undefined) {
    run(sql, "DELETE FROM rate_log WHERE scope = ? AND at <= ?", logKey, now - WINDOW_MS);
    const marks = rows<{ at: number; tokens: number }>(
      sql,
      "SELECT at, tokens FROM rate_log WHERE scope = ? AND at > ? ORDER BY at",
      logKey,
      now - WINDOW_MS,
    ).map((r) => ({ at: r.at, tokens: r.tokens }));
    log = { marks, stale: 0 };
    scopes.set(logKey, log);
    if (scopes.size > MAX_SCOPES) {
      const oldest = scopes.keys().next();
      if (!oldest.done) scopes.delete(oldest.value);
    }
  }
  slide(log, now);
  return log;
}

/** Moves marks that left the window out of memory (counting them as stale rows). */
function slide(log: ScopeLog, now: number): void {
  const edge = now - WINDOW_MS;
  let gone = 0;
  while (gone < log.marks.length && (log.marks[gone]?.at ?? now) <= edge) gone += 1;
  if (gone > 0) {
    log.marks.splice(0, gone);
    log.stale += gone;
  }
}

/** Checks every scope (key first, then tenant; requests before tokens); records nothing. */
export function checkRates(sql: SqlStorage, checks: ScopeCheck[], tokens: number, now: number): RateOutcome {
  const states: RateState[] = [];
  for (const check of checks) {
    const { marks } = scopeLog(sql, check.logKey, now);
    const rpm = check.limit.requests_per_minute;
    if (rpm !== undefined) {
      const outcome = evaluate(marks, () => 1, rpm, 1, now);
      const state: RateState = { scope: check.scope, limit: "requests", max: rpm, ...outcome.state };
      if (!outcome.ok) return { ok: false, state, retryAfterMs: outcome.state.resetMs };
      states.push(state);
    }
    const tpm = check.limit.tokens_per_minute;
    if (tpm !== undefined) {
      const outcome = evaluate(marks, (m) => m.tokens, tpm, tokens, now);
      const state: RateState = { scope: check.scope, limit: "tokens", max: tpm, ...outcome.state };
      if (!outcome.ok) return { ok: false, state, retryAfterMs: outcome.state.resetMs };
      states.push(state);
    }
  }
  return { ok: true, states };
}

/** Appends this request to each scope's log (only admits write); prunes a scope's stale rows in bulk. */
export function recordRates(sql: SqlStorage, checks: ScopeCheck[], tokens: number, now: number): void {
  for (const check of checks) {
    const log = scopeLog(sql, check.logKey, now);
    if (log.stale >= PRUNE_EVERY) {
      run(sql, "DELETE FROM rate_log WHERE scope = ? AND at <= ?", check.logKey, now - WINDOW_MS);
      log.stale = 0;
    }
    run(sql, "INSERT INTO rate_log (scope, at, tokens) VALUES (?, ?, ?)", check.logKey, now, tokens);
    log.marks.push({ at: now, tokens });
  }
}

/**
 * Whether `need` more fits under `max` given the log (oldest first). Admitted: what remains after this request and
 * when the oldest counted mark leaves the window. Refused: what remains now and how long until enough marks leave
 * (a full window when even an empty window is too small).
 */
function evaluate(
  log: Mark[],
  weight: (m: Mark) => number,
  max: number,
  need: number,
  now: number,
): { ok: boolean; state: { remaining: number; resetMs: number } } {
  let used = 0;
  for (const m of log) used += weight(m);
  if (used + need <= max) {
    const oldest = log[0]?.at ?? now;
    return { ok: true, state: { remaining: max - used - need, resetMs: Math.max(1, oldest + WINDOW_MS - now) } };
  }
  const remaining = Math.max(0, max - used);
  if (need > max) return { ok: false, state: { remaining, resetMs: WINDOW_MS } };
  let freed = 0;
  for (const mark of log) {
    freed += weight(mark);
    if (used - freed + need <= max) {
      return { ok: false, state: { remaining, resetMs: Math.max(1, mark.at + WINDOW_MS - now) } };
    }
  }
  return { ok: false, state: { remaining, resetMs: WINDOW_MS } };
}
