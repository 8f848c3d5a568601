/**
 * The embedded default ledger (`npm start`, zero accounts): SQLite-backed Durable Objects.
 *
 * Deliberate change from "one Durable Object per key" in ARCHITECTURE.md: ONE OBJECT PER TENANT (TenantLedger,
 * `idFromName(tenantId)`) holds every key's account of that tenant together with holds, key- and tenant-level rate
 * windows, task budgets, idempotency records and usage events. Admission has to check key limits, tenant limits and
 * the task budget and then reserve, all at once; with everything in one single-threaded object that is one call and
 * one SQLite transaction, where per-key objects would need a cross-object protocol for tenant limits. The cost is
 * that one tenant's traffic is serialized through one object. A tenant busier than that sets `credits.ledger_shards`:
 * its accounts are spread over that many objects by key id, tenant-wide limits split into per-object shares
 * (shards.ts). Under load the facade group-commits (../group-commit.ts): what one isolate
 * sends a tenant while a call to it is out goes as one `commit` call, applied item by item in one turn.
 *
 * Key records live in 64 KeyDirectory shard objects (`idFromName("keys:" + shard of keyId)`), so authentication is
 * one call and a lookup of a made-up key id creates no object of its own (key-directory.ts); the tenant object keeps
 * a copy of its keys for list(). See facade.ts for how create/revoke keep both in step.
 *
 * Hold expiry is alarm-driven: each tenant object keeps an alarm at or before its earliest open hold's expiry
 * (hold-expiry.ts), so no sweeper has to enumerate tenants (a namespace cannot be listed at runtime); ledger.sweep()
 * only forces expiry early for the tenants the facade has seen (see facade.ts).
 *
 * Retention: ledger entries, holds (the duplicate-request memory), usage events and the request ids of recorded
 * standalone events (Ledger.record's dedupe memory) are kept forever, as the spec asks — roughly 1 KB per request (usage event ~0.5 KB, two entries, the hold, indexes), so a tenant reaches SQLite's
 * 10 GB limit per Durable Object after about ten million requests; export and prune before that. Expired
 * idempotency records, task counters and rate-log rows are removed as new ones are written.
 *
 * Wiring: bind both classes in wrangler.toml (TENANT_LEDGER, KEY_DIRECTORY, `new_sqlite_classes`) and re-export them
 * from the Worker's entry module.
 */
export { createDurableObjectLedger, type DurableObjectLedger, type DurableObjectLedgerBindings } from "./facade";
export { KeyDirectory } from "./key-directory";
export { TenantLedger } from "./tenant-ledger";
export { createDurableObjectUsagePager } from "./usage-pager";
