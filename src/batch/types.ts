/**
 * The Batch API's records: OpenAI's `file` and `batch` objects as callers see them, the item a queue message names,
 * and what the tenant's batch object keeps per item.
 */

/** The endpoints a batch line may target (OpenAI's own set, minus those this gateway does not serve). */
export const BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/embeddings", "/v1/responses"] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export type FilePurpose = "batch" | "batch_output";

/** OpenAI's file object. */
export interface FileObject {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: FilePurpose;
  status: "processed";
}

export type BatchStatus =
  | "validating"
  | "in_progress"
  | "finalizing"
  | "completed"
  | "failed"
  | "expired"
  | "cancelling"
  | "cancelled";

/** OpenAI's batch object (times in Unix seconds). */
export interface BatchObject {
  id: string;
  object: "batch";
  endpoint: BatchEndpoint;
  errors: null;
  input_file_id: string;
  completion_window: "24h";
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

/** Who a batch bills: the creating credential, replayed for every item (the tenant's config is read at run time). */
export interface BatchOwner {
  tenantId: string;
  accountId: string;
  keyId: string;
  source: "api-key" | "jwt" | "static-key";
  routes?: string[];
  tags?: string[];
}

/** One line of an input file, validated. */
export interface BatchItem {
  custom_id: string;
  url: BatchEndpoint;
  /** The request body exactly as the line gave it (re-serialised JSON). */
  body: string;
  /** The body's `model`: decides the route whose batch settings apply. */
  model: string;
}

/** A queue message: one item of one batch. Small on purpose; the item itself lives in the tenant's batch object. */
export interface ItemMessage {
  tenantId: string;
  batchId: string;
  index: number;
  /** The batch ended: send the tenant's completion webhook (this is try `attempt`). */
  webhook?: { attempt: number };
  /**
   * Set on the one message of a batch sent to the provider's own batch API (`batch.via: provider`): absent id, submit
   * it; with the provider's batch id, poll it (and settle its items once it ends).
   */
  job?: {
    providerBatchId?: string;
    /** Once the provider's batch ended: the first item this delivery settles (items are settled in chunks). */
    next?: number;
    /** An earlier chunk left items to go over again. */
    again?: boolean;
    /** The batch was cancelled here and the provider has been asked to cancel its batch. */
    cancelled?: boolean;
  };
}

/** How an item ended, as its output or error line. */
export interface ItemOutcome {
  ok: boolean;
  line: string;
  /** The ledger refused for credits: the batch stops and its remaining items fail with `insufficient_credits`. */
  outOfCredits?: boolean;
}
