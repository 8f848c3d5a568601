import { decodeStored } from "../../storage/decode";
import { first, rows, run } from "../../storage/sql";
import { UsageEventSchema } from "../records";
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
  return found.map((r) => decodeStored(UsageEventSchema, r.event, "usage event"));
}

/** Newest first by (at, id); the cursor is the last row's (at, id). Run inside the tenant's object. */
export function pageUsage(
  sql: SqlStorage,
  q: { limit: number; keyId?: string; after?: { at: number; id: number }; from?: number; to?: number },
): { events: UsageEvent[]; last?: { at: number; id: number }; marks: [number, number][] } {
  const where: string[] = ["at >= ?", "at < ?"];
  const args: (string | number)[] = [q.from ?? Number.MIN_SAFE_INTEGER, q.to ?? Number.MAX_SAFE_INTEGER];
  if (q.keyId !== undefined) {
    where.push("key_id = ?");
    args.push(q.keyId);
  }
  if (q.after !== undefined) {
    where.push("(at < ? OR (at = ? AND id < ?))");
    args.push(q.after.at, q.after.at, q.after.id);
  }
  const found = rows<{ id: number; at: number; event: string }>(
    sql,
    `SELECT id, at, event FROM usage_events WHERE ${where.join(" AND ")} ORDER BY at DESC, id DESC LIMIT ?`,
    ...args,
    q.limit + 1,
  );
  const page = found.slice(0, q.limit);
  const events = page.map((r) => JSON.parse(r.event) as UsageEvent);
  const lastRow = page.at(-1);
  // Each event's (at, id): a sharded tenant's pager needs to know where it stopped in every shard.
  const marks = page.map((r): [number, number] => [r.at, r.id]);
  return found.length > q.limit && lastRow !== undefined
    ? { events, last: { at: lastRow.at, id: lastRow.id }, marks }
    : { events, marks };
}
