import { run } from "../../storage/sql";

/**
 * Tables of one tenant's ledger. `IF NOT EXISTS` makes this safe to run on every start; a future change to a table
 * needs a numbered migration (keep this list append-only). Amounts are INTEGER micro-credits, times are epoch ms.
 */
const TENANT_SCHEMA = [
  // `tenant_id`: the name this object was addressed by (idFromName), needed for usage events it writes on its own.
  "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
  // One row per key that was ever credited or reserved; `seq` numbers that key's ledger entries.
  `CREATE TABLE IF NOT EXISTS accounts (
     key_id TEXT PRIMARY KEY, balance INTEGER NOT NULL, held INTEGER NOT NULL, open_holds INTEGER NOT NULL,
     credited INTEGER NOT NULL, billed INTEGER NOT NULL, seq INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS entries (
     key_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, type TEXT NOT NULL, request_id TEXT,
     amount INTEGER NOT NULL, charged INTEGER, balance_after INTEGER NOT NULL, flags TEXT, reference TEXT,
     PRIMARY KEY (key_id, seq))`,
  // Credits are idempotent per (key, reference).
  `CREATE UNIQUE INDEX IF NOT EXISTS entries_reference ON entries (key_id, reference) WHERE reference IS NOT NULL`,
  // Holds are kept after they resolve: they are the duplicate-request memory and the "resolved exactly once" record.
  `CREATE TABLE IF NOT EXISTS holds (
     key_id TEXT NOT NULL, request_id TEXT NOT NULL, amount INTEGER NOT NULL, created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL, state TEXT NOT NULL, resolved_at INTEGER, idem_key TEXT, task_id TEXT,
     PRIMARY KEY (key_id, request_id))`,
  `CREATE INDEX IF NOT EXISTS holds_open ON holds (expires_at) WHERE state = 'open'`,
  // Sliding log of admitted requests per rate scope ('key:<id>' or 'tenant'), pruned to the last minute on use.
  `CREATE TABLE IF NOT EXISTS rate_log (scope TEXT NOT NULL, at INTEGER NOT NULL, tokens INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS rate_log_scope ON rate_log (scope, at)`,
  `CREATE TABLE IF NOT EXISTS idempotency (
     key_id TEXT NOT NULL, idem_key TEXT NOT NULL, body_hash TEXT NOT NULL, state TEXT NOT NULL,
     request_id TEXT NOT NULL, ttl_ms INTEGER NOT NULL, expires_at INTEGER NOT NULL,
     PRIMARY KEY (key_id, idem_key))`,
  `CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at)`,
  // Stored responses are split into parts: a SQLite row or value in a Durable Object is capped at 2 MB.
  `CREATE TABLE IF NOT EXISTS idempotency_parts (
     key_id TEXT NOT NULL, idem_key TEXT NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL,
     PRIMARY KEY (key_id, idem_key, part))`,
  `CREATE TABLE IF NOT EXISTS tasks (
     task_id TEXT PRIMARY KEY, calls INTEGER NOT NULL, tokens INTEGER NOT NULL, cost INTEGER NOT NULL,
     tool_calls INTEGER NOT NULL, ttl_ms INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS tasks_expiry ON tasks (expires_at)`,
  `CREATE TABLE IF NOT EXISTS task_fingerprints (
     task_id TEXT NOT NULL, fingerprint TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (task_id, fingerprint))`,
  `CREATE TABLE IF NOT EXISTS usage_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, key_id TEXT NOT NULL, at INTEGER NOT NULL, event TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS usage_events_at ON usage_events (at, id)`,
  `CREATE INDEX IF NOT EXISTS usage_events_key ON usage_events (key_id, at, id)`,
  // Request ids whose standalone usage event (Ledger.record) is written: the dedupe memory, inserted in the same
  // transaction as the event. Kept like the events themselves (see the retention note in index.ts).
  "CREATE TABLE IF NOT EXISTS recorded_requests (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL)",
  // The tenant's copy of its key records, so list(tenantId) is one call (the KeyDirectory holds the originals).
  `CREATE TABLE IF NOT EXISTS key_index (key_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, record TEXT NOT NULL)`,
];

export function migrateTenantLedger(sql: SqlStorage): void {
  for (const statement of TENANT_SCHEMA) run(sql, statement);
}
