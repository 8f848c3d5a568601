import { type Ledger, type RecordResult, type SettleResult, StoreUnavailableError, type VoidResult } from "../types";
import { retryDelay } from "./backoff";
import { dueOps, loadOp, postpone, removeOp } from "./store";
import type { LedgerBackendName, OutboxItem, QueuedOp } from "./types";

export interface DrainDeps {
  sql: SqlStorage;
  /**
   * The ledger an op settles in (`null` = the outbox's own LEDGER_BACKEND), for the shard count it was queued with.
   * May throw on a configuration error.
   */
  ledgerFor(backend: LedgerBackendName | null, shards: number): Ledger;
  now(): number;
  random(): number;
}

export interface DrainReport {
  /** Ops the ledger took (settled, voided, already resolved or unknown; recorded or a duplicate record). */
  done: number;
  /** Ops that failed or wait behind a store that is down. */
  postponed: number;
}

/**
 * Hands up to `batch` due ops to the ledger, one at a time. A store that answers StoreUnavailableError is not asked
 * again in the same run: the op that failed backs off, and the other due ops of that backend wait for the same
 * retry time without counting an attempt, so an outage costs one failed call per run instead of one per op.
 * Nothing is ever dropped on an error: money owed stays queued until the ledger gives an answer.
 */
export async function drainDue(d: DrainDeps, batch: number): Promise<DrainReport> {
  const report: DrainReport = { done: 0, postponed: 0 };
  const down = new Map<string, { until: number; error: string }>();
  for (const item of dueOps(d.sql, d.now(), batch)) {
    const backendKey = item.backend ?? "";
    const blocked = down.get(backendKey);
    if (blocked) {
      postpone(d.sql, item, blocked.until, blocked.error, false);
      report.postponed++;
      continue;
    }
    const op = loadOp(d.sql, item);
    if (op === undefined) {
      console.error(`[${item.requestId}] outbox: queued ${item.kind} has no payload; dropped`);
      removeOp(d.sql, item);
      continue;
    }
    try {
      const result = await apply(d.ledgerFor(item.backend, op.shards ?? 1), op);
      logOutcome(item, result);
      removeOp(d.sql, item);
      report.done++;
    } catch (err) {
      const until = d.now() + retryDelay(item.attempts + 1, d.random);
      const error = describe(err);
      postpone(d.sql, item, until, error, true);
      report.postponed++;
      if (err instanceof StoreUnavailableError) down.set(backendKey, { until, error });
      // Not a store outage: a bug or a configuration error. Keep the op (it is money) and say so loudly.
      else console.error(`[${item.requestId}] outbox: ${item.kind} failed (attempt ${item.attempts + 1})`, err);
    }
  }
  return report;
}

type Outcome = SettleResult | VoidResult | RecordResult;

function apply(ledger: Ledger, op: QueuedOp): Promise<Outcome> {
  if (op.kind === "record") return ledger.record(op.event);
  return op.kind === "settle" ? ledger.settle(op.req) : ledger.void(op.req);
}

function logOutcome(item: OutboxItem, result: Outcome): void {
  if (result.kind === "unknown_hold") {
    console.error(
      `[${item.requestId}] outbox: ${item.kind} found no hold for key ${item.keyId}: it was never admitted there, or ` +
        "it expired and the sweeper already billed it; the op is dropped",
    );
  } else if (result.kind === "already_resolved" && result.terminal === "expired") {
    console.warn(
      `[${item.requestId}] outbox: ${item.kind} came too late; the hold had expired and was billed at the full hold`,
    );
  }
}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 500);
}
