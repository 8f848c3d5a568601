import type { ItemOutcome } from "../group-commit";
import type { AdmitRequest, AdmitResult, SettleRequest, SettleResult, VoidRequest, VoidResult } from "../types";

/** One item of a group-committed call to a tenant's ledger object: the three calls of the billed-call path. */
export type LedgerOp =
  | { kind: "admit"; req: AdmitRequest }
  | { kind: "settle"; req: SettleRequest }
  | { kind: "void"; req: VoidRequest };

export type LedgerOpResult = AdmitResult | SettleResult | VoidResult;

export type LedgerOpOutcome = ItemOutcome<LedgerOpResult>;

/**
 * Characters an op adds to a batch call, roughly: a settle may carry a stored Idempotency-Key response (megabytes), and
 * one Durable Object call is capped at 32 MiB.
 */
export function opWeight(op: LedgerOp): number {
  if (op.kind === "settle" && op.req.idempotency !== undefined) return 1024 + op.req.idempotency.response.body.length;
  return 1024;
}

/** Batches stay well under the call size cap. */
export const MAX_BATCH_WEIGHT = 4 * 1024 * 1024;
