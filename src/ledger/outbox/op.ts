import type { SettlementOp } from "./types";

/** The request an op belongs to: where it is queued (tenant), what it is keyed and logged by. */
export interface OpTarget {
  requestId: string;
  keyId: string;
  tenantId: string;
}

export function opTarget(op: SettlementOp): OpTarget {
  const { requestId, keyId, tenantId } = op.kind === "record" ? op.event : op.req;
  return { requestId, keyId, tenantId };
}

const RECORD_ROW = "record|";

/**
 * The outbox row of an op. A hold op is keyed by its request id (one resolution per hold); a record op gets a key of
 * its own, so a refusal's usage event queued beside a void of the same request (an admission whose reply was lost
 * is released, then refused) never displaces the void as a "duplicate", nor the other way round.
 */
export function rowKey(kind: SettlementOp["kind"], requestId: string): string {
  return kind === "record" ? `${RECORD_ROW}${requestId}` : requestId;
}

/** The request id of a row key (rowKey undone). */
export function rowRequestId(kind: SettlementOp["kind"], key: string): string {
  return kind === "record" && key.startsWith(RECORD_ROW) ? key.slice(RECORD_ROW.length) : key;
}
