import { first, num, run } from "../../storage/sql";
import type { CacheCandidate, CacheEntry, CachePut } from "../types";
import { cosine } from "../vector";

/** Synchronous SQLite operations on one tenant's entries (called inside the object's transactions). */

type EntryRow = {
  id: string;
  scope: string;
  model: string;
  prompt: string;
  answer: string;
  cost: number;
  created_at: number;
  expires_at: number;
};

const ENTRY_COLUMNS = "id, scope, model, prompt, answer, cost, created_at, expires_at";

function toEntry(row: EntryRow): CacheEntry {
  return {
    id: row.id,
    scope: row.scope,
    model: row.model,
    prompt: row.prompt,
    answer: row.answer,
    cost: row.cost,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function getEntry(sql: SqlStorage, id: string, now: number): CacheEntry | undefined {
  const row = first<EntryRow>(sql, `SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = ? AND expires_at > ?`, id, now);
  return row === undefined ? undefined : toEntry(row);
}

/**
 * Exact nearest neighbours: a full cosine scan of the scope's unexpired entries. The scan is bounded because the
 * whole tenant is (max_entries), and only the winners' payloads are read.
 */
export function nearest(sql: SqlStorage, vector: readonly number[], scope: string, topK: number, now: number) {
  const query = Float32Array.from(vector);
  const scored: { id: string; cosine: number }[] = [];
  const cursor = sql.exec<{ id: string; vector: ArrayBuffer }>(
    "SELECT id, vector FROM entries WHERE scope = ? AND expires_at > ? AND vector IS NOT NULL",
    scope,
    now,
  );
  for (const row of cursor) {
    const stored = new Float32Array(row.vector);
    scored.push({ id: row.id, cosine: cosine(query, stored) });
  }
  scored.sort((a, b) => b.cosine - a.cosine || (a.id < b.id ? -1 : 1));
  const out: CacheCandidate[] = [];
  for (const hit of scored.slice(0, topK)) {
    const row = first<EntryRow>(sql, `SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = ?`, hit.id);
    if (row !== undefined) out.push({ entry: toEntry(row), cosine: hit.cosine });
  }
  return out;
}

/** Next value of the use counter that orders entries for LRU eviction. */
function nextUse(sql: SqlStorage): number {
  const seq = num(first<{ v: number }>(sql, "SELECT v FROM meta WHERE k = 'use_seq'")?.v) + 1;
  run(sql, "INSERT OR REPLACE INTO meta (k, v) VALUES ('use_seq', ?)", seq);
  return seq;
}

export function touchEntry(sql: SqlStorage, id: string, now: number): void {
  if (first(sql, "SELECT 1 AS x FROM entries WHERE id = ?", id) === undefined) return;
  run(sql, "UPDATE entries SET used_at = ?, used_seq = ? WHERE id = ?", now, nextUse(sql), id);
}

export function putEntry(sql: SqlStorage, p: CachePut, now: number): void {
  const e = p.entry;
  const vector = p.vector === undefined ? null : Float32Array.from(p.vector).buffer;
  sql.exec(
    `INSERT OR REPLACE INTO entries (id, scope, model, prompt, answer, cost, created_at, expires_at, used_at, used_seq,
       vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    e.id,
    e.scope,
    e.model,
    e.prompt,
    e.answer,
    e.cost,
    e.createdAt,
    e.expiresAt,
    now,
    nextUse(sql),
    vector,
  );
  run(sql, "DELETE FROM entries WHERE expires_at <= ?", now);
  const count = entryCount(sql);
  const excess = count - Math.max(0, p.maxEntries);
  if (excess > 0) {
    run(sql, "DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY used_seq ASC LIMIT ?)", excess);
  }
}

export function entryCount(sql: SqlStorage): number {
  return num(first<{ n: number }>(sql, "SELECT count(*) AS n FROM entries")?.n);
}

export function deleteEntries(sql: SqlStorage, model: string | undefined): number {
  const before = entryCount(sql);
  if (model === undefined) run(sql, "DELETE FROM entries");
  else run(sql, "DELETE FROM entries WHERE model = ?", model);
  return before - entryCount(sql);
}
