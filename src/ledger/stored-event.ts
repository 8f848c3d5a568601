import type { SettlementOp } from "./outbox/types";
import type { UsageEvent } from "./types";

/** The part of a settlement outcome analytics reads (settleDurably's answer). */
export type OutcomeKind =
  | { kind: "settled"; charged: number }
  | { kind: "voided" | "recorded" | "queued" }
  | { kind: "already_resolved" | "unknown_hold" | "duplicate" | "unresolved" };

/**
 * The usage event the ledger stored for this op, as analytics should count it — or undefined when the ledger stored
 * none (the hold had already resolved, a duplicate record, an op that reached neither the ledger nor the outbox).
 * Settled: the cost billed (never above the hold); voided: cost 0; queued: as given (the outbox will store it).
 */
export function storedEvent(op: SettlementOp, outcome: OutcomeKind): UsageEvent | undefined {
  switch (outcome.kind) {
    case "settled":
      return op.kind === "settle" ? { ...op.req.usage, cost: outcome.charged } : undefined;
    case "voided":
      return op.kind === "void" ? { ...op.req.usage, cost: 0 } : undefined;
    case "recorded":
      return op.kind === "record" ? op.event : undefined;
    case "queued":
      if (op.kind === "record") return op.event;
      return op.kind === "void" ? { ...op.req.usage, cost: 0 } : op.req.usage;
    default:
      return undefined;
  }
}
