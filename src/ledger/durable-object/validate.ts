import type { AdmitRequest, Micros } from "../types";

/**
 * Caller mistakes are thrown here, before any call, as RangeError: they must not look like an unreachable store
 * (StoreUnavailableError) and must never reach the ledger as non-integers.
 */
function count(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
}

export function assertAdmitRequest(req: AdmitRequest): void {
  count("promptCost", req.promptCost);
  count("outputPricePerMtok", req.outputPricePerMtok);
  count("maxOutputTokens", req.maxOutputTokens);
  count("minOutputTokens", req.minOutputTokens);
  count("promptTokens", req.promptTokens);
  count("holdTtlMs", req.holdTtlMs);
  if (req.idempotency) count("idempotency.ttlMs", req.idempotency.ttlMs);
  if (req.task) count("task.ttlMs", req.task.ttlMs);
}

export function assertCredit(amount: Micros): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError("amount must be an integer number of micro-credits");
}

/** entries() and usage() pages: default 100, at most 1000. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 100;
  return Math.min(1000, Math.max(1, Math.floor(limit)));
}
