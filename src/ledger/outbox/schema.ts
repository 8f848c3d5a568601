import { run } from "../../storage/sql";

/**
 * Tables of one outbox shard. `IF NOT EXISTS` makes this safe on every start; a change needs a new numbered statement
 * (keep the list append-only). Times are epoch ms of the outbox's clock.
 */
const OUTBOX_SCHEMA = [
  // One row per request whose settle/void is still owed to the ledger. The request id is the key: the ledger
  // resolves each hold once, so one queued op per request is all there ever is to do.
  `CREATE TABLE IF NOT EXISTS pending (
     request_id TEXT PRIMARY KEY, kind TEXT NOT NULL, key_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
     backend TEXT, enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL,
     last_error TEXT)`,
  "CREATE INDEX IF NOT EXISTS pending_due ON pending (next_at)",
  // The op's JSON, split into parts: a value is capped at 2 MB and a settle may carry an idempotent response.
  `CREATE TABLE IF NOT EXISTS pending_parts (
     request_id TEXT NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (request_id, part))`,
];

export function migrateOutbox(sql: SqlStorage): void {
  for (const statement of OUTBOX_SCHEMA) run(sql, statement);
}
