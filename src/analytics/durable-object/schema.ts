/** The rollup tables of one tenant's TenantAnalytics object. */
export function migrateTenantAnalytics(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS counters (
      interval TEXT NOT NULL, start INTEGER NOT NULL, dims TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
      PRIMARY KEY (interval, start, dims, name)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS tasks (
      task_id TEXT PRIMARY KEY, calls INTEGER NOT NULL, tool_calls INTEGER NOT NULL, cost INTEGER NOT NULL,
      first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, last_request_id TEXT NOT NULL, last_status INTEGER NOT NULL,
      budget_stopped INTEGER NOT NULL, feature TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT
    );
    CREATE INDEX IF NOT EXISTS tasks_by_first ON tasks (first_at);
    CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS batches_by_at ON batches (at);
  `);
}
