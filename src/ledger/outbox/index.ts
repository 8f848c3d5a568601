/**
 * Durable settlement. A request settles or voids its credit hold off the hot path (ctx.waitUntil, see
 * src/gateway/billing/settle.ts). If the ledger's store cannot be reached at that moment the op must not be lost,
 * and `waitUntil` work is cut 30 s after the response, so the op is handed to an owner outside the request: the
 * SettlementOutbox, a SQLite-backed Durable Object that retries from its alarm until the ledger answers.
 *
 * - Sharding: one object per tenant (`idFromName("outbox:" + tenantId)`). During a store outage every settlement of
 *   every request lands here, so a single global object would become the bottleneck exactly when load is highest;
 *   per tenant mirrors the TenantLedger sharding. The cost: there is no global listing (a namespace cannot be
 *   enumerated), so pending, list and flush are per tenant.
 * - Exactly once: the ledger resolves each hold once. The outbox keys ops by request id (a duplicate enqueue is
 *   ignored) and treats `already_resolved` as done, so a retry of an op that did land is harmless.
 * - Retry: first attempt 1 s after enqueue, then exponential backoff with jitter capped at 5 min, forever — an op is
 *   only removed when the ledger gives an answer (settled / voided / already_resolved / unknown_hold; the last is
 *   logged as an error: the hold expired and the sweeper billed it). A store that is down is asked once per run.
 * - Backend: each op carries the ledger backend its hold lives in (QueuedOp.backend, default the outbox's
 *   LEDGER_BACKEND); the outbox builds that ledger from its own env with selectLedger, so no secret travels in an op.
 * - Last line of defence: if even the outbox is unreachable, the op is logged (with the request id) and dropped;
 *   the hold then expires (hold_ttl_s) and the sweeper or the tenant object's alarm bills it at the full hold,
 *   flagged `expired`, so the ledger stays consistent and never under-bills — at worst the tenant pays the hold.
 *   (A lost record op loses only that refusal's usage event; no money is involved.)
 * - Usage events: a request refused at or before admission has no hold, so its usage event travels as its own op
 *   (`{ kind: "record", event }`, Ledger.record, idempotent per request id); it is done on `recorded` or `duplicate`
 *   and backs off like any op while the store is down. Its row is kept apart from a settle/void of the same request.
 *
 * Wiring: wrangler.toml binds SETTLEMENT_OUTBOX to class SettlementOutbox (migration tag v2,
 * new_sqlite_classes), and the Worker's entry module re-exports the class.
 */
export { FIRST_RETRY_MS, MAX_RETRY_MS, retryDelay } from "./backoff";
export { createOutboxClient, type OutboxAdmin, outboxFromEnv, outboxName, outboxStub } from "./client";
export type { DrainReport } from "./drain";
export { type OpTarget, opTarget } from "./op";
export { SettlementOutbox } from "./settlement-outbox";
export type {
  EnqueueResult,
  HoldOp,
  LedgerBackendName,
  OutboxClient,
  OutboxItem,
  OutboxStatus,
  QueuedOp,
  RecordOp,
  SettlementOp,
} from "./types";
