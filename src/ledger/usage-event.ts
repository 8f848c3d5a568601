import type { UsageEvent } from "./types";

/**
 * Checks a standalone usage event before `Ledger.record` stores it. A bad one is a caller bug (RangeError): the ids
 * address the lists it goes into and the dedupe marker, and `at` and `cost` must be integers like every other time
 * and amount in the ledger.
 */
export function assertUsageEvent(event: UsageEvent): void {
  for (const name of ["requestId", "tenantId", "keyId"] as const) {
    const value: unknown = event[name];
    if (typeof value !== "string" || value.length === 0) {
      throw new RangeError(`usage event: ${name} must be a non-empty string`);
    }
  }
  if (!Number.isSafeInteger(event.at)) throw new RangeError("usage event: at must be an integer (ms)");
  if (!Number.isSafeInteger(event.cost) || event.cost < 0) {
    throw new RangeError("usage event: cost must be a non-negative integer number of micro-credits");
  }
  if (!Array.isArray(event.flags)) throw new RangeError("usage event: flags must be an array");
}
