import { first, rows, run } from "../../storage/sql";
import type { AdmitResult, StoredResponse } from "../types";

/** Characters per stored part: 512 Ki UTF-16 units stay under the 2 MB value cap even at 3 UTF-8 bytes each. */
const PART_CHARS = 512 * 1024;

type IdemRow = { body_hash: string; state: string; expires_at: number };

type IdemOutcome = Extract<AdmitResult, { kind: "replay" | "idempotency_in_flight" | "idempotency_mismatch" }>;

/** Step 1 of admission. Records past their ttl read as absent. */
export function checkIdempotency(
  sql: SqlStorage,
  keyId: string,
  idem: { key: string; bodyHash: string },
  now: number,
): IdemOutcome | undefined {
  const row = first<IdemRow>(
    sql,
    "SELECT body_hash, state, expires_at FROM idempotency WHERE key_id = ? AND idem_key = ?",
    keyId,
    idem.key,
  );
  if (!row || row.expires_at <= now) return undefined;
  if (row.body_hash !== idem.bodyHash) return { kind: "idempotency_mismatch" };
  if (row.state !== "completed") return { kind: "idempotency_in_flight" };
  return { kind: "replay", response: loadResponse(sql, keyId, idem.key) };
}

export function markInFlight(
  sql: SqlStorage,
  keyId: string,
  idem: { key: string; bodyHash: string; ttlMs: number },
  requestId: string,
  now: number,
): void {
  purgeExpired(sql, now);
  deleteParts(sql, keyId, idem.key);
  run(
    sql,
    `INSERT INTO idempotency (key_id, idem_key, body_hash, state, request_id, ttl_ms, expires_at)
     VALUES (?, ?, ?, 'in_flight', ?, ?, ?)
     ON CONFLICT (key_id, idem_key) DO UPDATE SET body_hash = excluded.body_hash, state = excluded.state,
       request_id = excluded.request_id, ttl_ms = excluded.ttl_ms, expires_at = excluded.expires_at`,
    keyId,
    idem.key,
    idem.bodyHash,
    requestId,
    idem.ttlMs,
    now + idem.ttlMs,
  );
}

/** Completes the record this request opened; the ttl restarts so the replay window follows the response. */
export function completeIdempotency(
  sql: SqlStorage,
  keyId: string,
  idemKey: string,
  requestId: string,
  response: StoredResponse,
  now: number,
): void {
  const row = first<{ ttl_ms: number }>(
    sql,
    "SELECT ttl_ms FROM idempotency WHERE key_id = ? AND idem_key = ? AND request_id = ?",
    keyId,
    idemKey,
    requestId,
  );
  if (!row) return;
  run(
    sql,
    "UPDATE idempotency SET state = 'completed', expires_at = ? WHERE key_id = ? AND idem_key = ?",
    now + row.ttl_ms,
    keyId,
    idemKey,
  );
  splitText(JSON.stringify(response)).forEach((text, part) => {
    run(
      sql,
      "INSERT INTO idempotency_parts (key_id, idem_key, part, text) VALUES (?, ?, ?, ?)",
      keyId,
      idemKey,
      part,
      text,
    );
  });
}

/** Cuts text into parts, never between the two halves of a surrogate pair (SQLite would store U+FFFD). */
export function splitText(text: string, size = PART_CHARS): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length || parts.length === 0) {
    let end = Math.min(text.length, start + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end += end - 1 > start ? -1 : 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/** Records past their ttl are dead weight (stored responses can be large); each new record removes a few. */
const PURGE_BATCH = 16;

function purgeExpired(sql: SqlStorage, now: number): void {
  const stale = rows<{ key_id: string; idem_key: string }>(
    sql,
    "SELECT key_id, idem_key FROM idempotency WHERE expires_at <= ? LIMIT ?",
    now,
    PURGE_BATCH,
  );
  for (const r of stale) {
    deleteParts(sql, r.key_id, r.idem_key);
    run(sql, "DELETE FROM idempotency WHERE key_id = ? AND idem_key = ?", r.key_id, r.idem_key);
  }
}

function deleteParts(sql: SqlStorage, keyId: string, idemKey: string): void {
  run(sql, "DELETE FROM idempotency_parts WHERE key_id = ? AND idem_key = ?", keyId, idemKey);
}

/** Drops this request's in-flight marker (void / expiry), so the client may retry with the same key. */
export function dropInFlight(sql: SqlStorage, keyId: string, idemKey: string, requestId: string): void {
  run(
    sql,
    "DELETE FROM idempotency WHERE key_id = ? AND idem_key = ? AND request_id = ? AND state = 'in_flight'",
    keyId,
    idemKey,
    requestId,
  );
}

function loadResponse(sql: SqlStorage, keyId: string, idemKey: string): StoredResponse {
  const parts = rows<{ text: string }>(
    sql,
    "SELECT text FROM idempotency_parts WHERE key_id = ? AND idem_key = ? ORDER BY part",
    keyId,
    idemKey,
  );
  return JSON.parse(parts.map((p) => p.text).join("")) as StoredResponse;
}
