import { first, rows, str } from "../../storage/sql";
import type { BatchObject } from "../types";

/**
 * Why an item of this batch must end without running, if it must: the batch ran out of credits, or its completion
 * window is over (then the batch is marked expired). Undefined: it may run.
 */
export function stopCode(sql: SqlStorage, batchId: string, nowMs: number, batch: BatchObject) {
  const row = first(sql, "SELECT stop_code FROM batches WHERE id = ?", batchId);
  if (row?.stop_code === "insufficient_credits") {
    return {
      code: "insufficient_credits" as const,
      message: "Not run: the batch ran out of credits, so its remaining requests were stopped.",
    };
  }
  if (nowMs >= batch.expires_at * 1000) {
    if (batch.expired_at === null) batch.expired_at = Math.floor(nowMs / 1000);
    return { code: "batch_expired" as const, message: "Not run: the batch's 24h completion window ended first." };
  }
  return undefined;
}

/** Ended items' output and error lines, in input order. */
export function endedLines(sql: SqlStorage, batchId: string): { output: string[]; errors: string[] } {
  const found = rows(
    sql,
    "SELECT state, line FROM items WHERE batch_id = ? AND state IN ('done', 'failed') ORDER BY idx",
    batchId,
  );
  const output: string[] = [];
  const errors: string[] = [];
  for (const r of found) (r.state === "done" ? output : errors).push(str(r.line) ?? "");
  return { output, errors };
}
