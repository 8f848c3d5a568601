import { first, num, rows, run, str } from "../../storage/sql";
import { opTarget, rowKey, rowRequestId } from "./op";
import type { LedgerBackendName, OutboxItem, OutboxStatus, QueuedOp } from "./types";

/** What names a queued op's row: its kind and request id (see rowKey). */
export type OpRef = Pick<OutboxItem, "kind" | "requestId">;

/** Characters per stored part: 512 Ki UTF-16 units stay under the 2 MB value cap even at 3 UTF-8 bytes each. */
const PART_CHARS = 512 * 1024;

type PendingRow = {
  request_id: string;
  kind: string;
  key_id: string;
  tenant_id: string;
  backend: string | null;
  enqueued_at: number;
  attempts: number;
  next_at: number;
  last_error: string | null;
};

/**
 * Inserts the op unless its row is already queued; true when it was new. The `request_id` column holds the row key
 * (rowKey: the request id, prefixed for record ops).
 */
export function insertOp(sql: SqlStorage, op: QueuedOp, now: number, nextAt: number): boolean {
  const target = opTarget(op);
  const { keyId, tenantId } = target;
  const requestId = rowKey(op.kind, target.requestId);
  if (first(sql, "SELECT 1 AS x FROM pending WHERE request_id = ?", requestId)) return false;
  run(
    sql,
    `INSERT INTO pending (request_id, kind, key_id, tenant_id, backend, enqueued_at, attempts, next_at, last_error)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL)`,
    requestId,
    op.kind,
    keyId,
    tenantId,
    op.backend ?? null,
    now,
    nextAt,
  );
  // Parts left by an interrupted removal would collide with the new ones.
  run(sql, "DELETE FROM pending_parts WHERE request_id = ?", requestId);
  const json = JSON.stringify(op);
  for (let i = 0, part = 0; i < json.length; i += PART_CHARS, part++) {
    run(
      sql,
      "INSERT INTO pending_parts (request_id, part, text) VALUES (?, ?, ?)",
      requestId,
      part,
      json.slice(i, i + PART_CHARS),
    );
  }
  return true;
}

/** The op stored for a row (its JSON reassembled from its parts). */
export function loadOp(sql: SqlStorage, ref: OpRef): QueuedOp | undefined {
  const parts = rows<{ text: string }>(
    sql,
    "SELECT text FROM pending_parts WHERE request_id = ? ORDER BY part",
    rowKey(ref.kind, ref.requestId),
  );
  if (parts.length === 0) return undefined;
  return JSON.parse(parts.map((p) => p.text).join("")) as QueuedOp;
}

/** Due ops, oldest retry time first. */
export function dueOps(sql: SqlStorage, now: number, limit: number): OutboxItem[] {
  return rows<PendingRow>(
    sql,
    "SELECT * FROM pending WHERE next_at <= ? ORDER BY next_at, enqueued_at LIMIT ?",
    now,
    limit,
  ).map(toItem);
}

export function listOps(sql: SqlStorage, limit: number): OutboxItem[] {
  return rows<PendingRow>(sql, "SELECT * FROM pending ORDER BY next_at, enqueued_at LIMIT ?", limit).map(toItem);
}

export function removeOp(sql: SqlStorage, ref: OpRef): void {
  const key = rowKey(ref.kind, ref.requestId);
  run(sql, "DELETE FROM pending WHERE request_id = ?", key);
  run(sql, "DELETE FROM pending_parts WHERE request_id = ?", key);
}

/** Records a failed attempt (or, with `countAttempt` false, only moves the op behind a backend known to be down). */
export function postpone(sql: SqlStorage, ref: OpRef, nextAt: number, error: string, countAttempt: boolean): void {
  run(
    sql,
    "UPDATE pending SET attempts = attempts + ?, next_at = ?, last_error = ? WHERE request_id = ?",
    countAttempt ? 1 : 0,
    nextAt,
    error,
    rowKey(ref.kind, ref.requestId),
  );
}

/** Makes every queued op due at `now` (admin "retry now" after an outage); returns how many. */
export function makeAllDue(sql: SqlStorage, now: number): number {
  const count = num(first(sql, "SELECT COUNT(*) AS n FROM pending WHERE next_at > ?", now)?.n);
  run(sql, "UPDATE pending SET next_at = ? WHERE next_at > ?", now, now);
  return count;
}

export function earliestDue(sql: SqlStorage): number | undefined {
  const row = first(sql, "SELECT MIN(next_at) AS t FROM pending");
  return typeof row?.t === "number" ? row.t : undefined;
}

export function status(sql: SqlStorage, now: number): OutboxStatus {
  const row = first(sql, "SELECT COUNT(*) AS n, MIN(enqueued_at) AS oldest, MIN(next_at) AS next FROM pending");
  const count = num(row?.n);
  const oldest = row?.oldest;
  const next = row?.next;
  return {
    count,
    oldestAgeMs: typeof oldest === "number" ? Math.max(0, now - oldest) : 0,
    nextAt: typeof next === "number" ? next : null,
  };
}

function toItem(r: PendingRow): OutboxItem {
  const kind = opKind(r.kind);
  return {
    requestId: rowRequestId(kind, r.request_id),
    kind,
    keyId: r.key_id,
    tenantId: r.tenant_id,
    backend: backendName(r.backend),
    enqueuedAt: r.enqueued_at,
    attempts: r.attempts,
    nextAt: r.next_at,
    lastError: str(r.last_error) ?? null,
  };
}

function opKind(value: string): OutboxItem["kind"] {
  return value === "void" || value === "record" ? value : "settle";
}

function backendName(value: string | null): LedgerBackendName | null {
  return value === "upstash" || value === "durable-object" ? value : null;
}
