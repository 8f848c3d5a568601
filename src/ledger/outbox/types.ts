import type { LedgerBackendName } from "../config";
import type { SettleRequest, UsageEvent, VoidRequest } from "../types";

/** How a credit hold resolves after the response: bill it (settle) or release it (void). */
export type HoldOp = { kind: "settle"; req: SettleRequest } | { kind: "void"; req: VoidRequest };

/** The usage event of a request refused at or before admission (no hold): Ledger.record. */
export type RecordOp = { kind: "record"; event: UsageEvent };

/** What must reach the ledger after the response, never lost: a hold's resolution or a refusal's usage event. */
export type SettlementOp = HoldOp | RecordOp;

export type { LedgerBackendName };

/**
 * What the outbox stores: the op plus the backend that holds its hold. The backend travels with the op because a
 * hold lives where it was admitted: after LEDGER_BACKEND changes, queued ops must still settle in the old store.
 * Absent = the outbox's own LEDGER_BACKEND. Nothing secret is carried; store credentials come from the outbox's env.
 */
export type QueuedOp = SettlementOp & {
  backend?: LedgerBackendName;
  /**
   * The tenant's `credits.ledger_shards` when the op was queued (absent = 1): it places the hold's key on a sharded
   * Durable Object tenant, and the outbox has no policy of its own to read it from.
   */
  shards?: number;
};

export type EnqueueResult = { kind: "queued" } | { kind: "duplicate" } | { kind: "malformed" };

/** What settleDurably needs from the outbox. */
export interface OutboxClient {
  /**
   * Stores the op until the ledger takes it; a second enqueue of the same request id (and kind family: a record op
   * is kept apart from a settle/void of the same id) is ignored. Rejects when the
   * outbox cannot be reached (or the op is malformed: a bug).
   */
  enqueue(op: SettlementOp): Promise<void>;
}

/** One queued op, as shown to admins and tests. */
export interface OutboxItem {
  requestId: string;
  kind: SettlementOp["kind"];
  keyId: string;
  tenantId: string;
  backend: LedgerBackendName | null;
  enqueuedAt: number;
  attempts: number;
  nextAt: number;
  lastError: string | null;
}

export interface OutboxStatus {
  count: number;
  /** Age of the oldest queued op in ms (0 when empty): how long money has been waiting to settle. */
  oldestAgeMs: number;
  /** When the next retry is due (epoch ms), or null when empty. */
  nextAt: number | null;
}
