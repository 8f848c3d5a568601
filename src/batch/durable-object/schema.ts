import { run } from "../../storage/sql";

/** One tenant's batches and their items (TenantBatches' SQLite). Items keep their own line once they end. */
export function migrateTenantBatches(sql: SqlStorage): void {
  run(
    sql,
    `CREATE TABLE IF NOT EXISTS batches (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      record TEXT NOT NULL,
      owner TEXT NOT NULL,
      stop_code TEXT
    )`,
  );
  run(sql, "CREATE INDEX IF NOT EXISTS batches_by_time ON batches (created_at DESC, id DESC)");
  run(
    sql,
    `CREATE TABLE IF NOT EXISTS items (
      batch_id TEXT NOT NULL,
      idx INTEGER NOT NULL,
      custom_id TEXT NOT NULL,
      url TEXT NOT NULL,
      model TEXT NOT NULL,
      body TEXT NOT NULL,
      state TEXT NOT NULL,
      route TEXT,
      lease_until INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      line TEXT,
      PRIMARY KEY (batch_id, idx)
    )`,
  );
  run(sql, "CREATE INDEX IF NOT EXISTS items_running ON items (state, route, lease_until)");
}
