/**
 * Tables of one tenant's cache object. `IF NOT EXISTS` makes this safe on every start; keep the list append-only
 * (a change to a table needs a numbered migration). Times are epoch ms, costs integer micro-credits.
 */
const CACHE_SCHEMA = [
  // `used_seq` orders entries by last use (LRU) without depending on clock resolution; `vector` is a Float32 BLOB,
  // NULL for exact-only entries.
  `CREATE TABLE IF NOT EXISTS entries (
     id TEXT PRIMARY KEY, scope TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL,
     cost INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER NOT NULL,
     used_seq INTEGER NOT NULL, vector BLOB)`,
  "CREATE INDEX IF NOT EXISTS entries_scope ON entries (scope)",
  "CREATE INDEX IF NOT EXISTS entries_lru ON entries (used_seq)",
  "CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at)",
  "CREATE INDEX IF NOT EXISTS entries_model ON entries (model)",
  "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS counters (counter TEXT PRIMARY KEY, n INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS shadow_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, record TEXT NOT NULL)",
];

export function migrateTenantCache(sql: SqlStorage): void {
  for (const statement of CACHE_SCHEMA) sql.exec(statement);
}
