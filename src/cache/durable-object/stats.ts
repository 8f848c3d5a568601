import { first, num, rows, run } from "../../storage/sql";
import { type CacheCounter, type CacheStats, SHADOW_LOG_LIMIT, type ShadowRecord } from "../types";
import { entryCount } from "./entries";

const COUNTERS: readonly CacheCounter[] = ["hit", "miss", "shadow", "bypass"];

export function increment(sql: SqlStorage, counter: CacheCounter): void {
  run(sql, "INSERT INTO counters (counter, n) VALUES (?, 1) ON CONFLICT (counter) DO UPDATE SET n = n + 1", counter);
}

export function appendShadow(sql: SqlStorage, record: ShadowRecord): void {
  run(sql, "INSERT INTO shadow_log (at, record) VALUES (?, ?)", record.at, JSON.stringify(record));
  run(
    sql,
    "DELETE FROM shadow_log WHERE seq NOT IN (SELECT seq FROM shadow_log ORDER BY at DESC, seq DESC LIMIT ?)",
    SHADOW_LOG_LIMIT,
  );
}

export function readStats(sql: SqlStorage): CacheStats {
  const counts = { hit: 0, miss: 0, shadow: 0, bypass: 0 } satisfies Record<CacheCounter, number>;
  for (const counter of COUNTERS) {
    counts[counter] = num(first<{ n: number }>(sql, "SELECT n FROM counters WHERE counter = ?", counter)?.n);
  }
  const shadow = rows<{ record: string }>(
    sql,
    "SELECT record FROM shadow_log ORDER BY at DESC, seq DESC LIMIT ?",
    SHADOW_LOG_LIMIT,
  ).map((r) => JSON.parse(r.record) as ShadowRecord);
  return { counts, entries: entryCount(sql), shadow };
}
