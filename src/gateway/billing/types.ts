import type { RateState, StoredResponse } from "../../ledger/types";
import type { ModelPricing } from "../../policy/types";

/** What the request says about billing, beyond its body: all optional request headers. */
export interface BillingInput {
  requestId: string;
  /**
   * SHA-256 of the raw body, for idempotency and task-loop fingerprints. Computed only when the request carries an
   * Idempotency-Key or a task id: most requests need no hash.
   */
  bodyHash?: string;
  idempotencyKey?: string;
  taskId?: string;
  feature?: string;
}

export interface Admission {
  accountId: string;
  tenantId: string;
  requestId: string;
  reserved: number;
  outputTokens: number;
  clamped: boolean;
  balanceAfter: number;
  rate: RateState[];
  pricing: ModelPricing;
  input: BillingInput;
}

export type AdmitOutcome = { kind: "admitted"; admission: Admission } | { kind: "replay"; response: StoredResponse };
