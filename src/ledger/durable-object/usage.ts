import { first, rows, run } from "../../storage/sql";
import type { RecordResult, UsageEvent } from "../types";

/** Usage events are kept forever, like ledger entries (see the retention note in index.ts). */
export function insertUsage(sql: SqlStorage, event: UsageEvent): void {
  run(
    sql,
    "INSERT INTO usage_events (key_id, at, event) VALUES (?, ?, ?)",
    event.keyId,
    event.at,
    JSON.stringify(event),
  );
}

/** A standalone usage event, once per request id (run inside the caller's transaction). */
export function recordUsage(sql: SqlStorage, event: UsageEvent, now: number): RecordResult {
  if (first(sql, "SELECT 1 AS x FROM recorded_requests WHERE request_id = ?", event.requestId)) {
    return { kind: "duplicate" };
  }
  run(sql, "INSERT INTO recorded_requests (request_id, at) VALUES (?, ?)", event.requestId, now);
  insertUsage(sql, event);
  return { kind: "recorded" };
}

/** Newest first by event time, insertion order breaking ties. */
export function listUsage(sql: SqlStorage, opts: { limit: number; keyId?: string; since?: number }): UsageEvent[] {
  const since = opts.since ?? Number.MIN_SAFE_INTEGER;
  const found =
    opts.keyId === undefined
      ? rows<{ event: string }>(
          sql,
          "SELECT event FROM usage_events WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?",
          since,
          opts.limit,
        )
      : rows<{ event: string }>(
          sql,
          "SELECT event FROM usage_events WHERE key_id = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?",
          opts.keyId,
          since,
          opts.limit,
        );
  return found.map((r) => JSON.parse(r.event) as UsageEvent);
}
