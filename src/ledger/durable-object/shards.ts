import type { AdmitRequest, RateLimit } from "../types";

/**
 * Placement of a sharded tenant's ledger (`credits.ledger_shards: N`): pure functions, table-tested.
 *
 * A key's account, holds, idempotency records, key-level rate windows and task counters live in ONE shard, chosen by
 * a stable hash of the key id, so everything an admission checks for the key stays in one object and one transaction
 * (exact). Shard 0 is the object the tenant has always had (`idFromName(tenantId)`), so N = 1 is today's layout,
 * byte for byte; shard i > 0 is `idFromName("<tenantId>#shard-<i>")`. N is not part of the name: each object stores
 * the N it serves and refuses calls made under another N while it holds accounts (tenant-ledger.ts), so a changed N
 * fails closed instead of reading a key's balance from the wrong object.
 *
 * Tenant-wide rate limits cannot be checked atomically across objects, so each shard enforces a SHARE: the limit split
 * into N integer parts that sum to it exactly (the first `limit mod N` shards get one more). The tenant total is never
 * exceeded; a shard may refuse while others still have room (at most `limit - share` early, when all traffic lands on
 * one shard). Usage listings read every shard and merge them (usage-merge.ts); the key index and the tenant's key
 * list stay in shard 0.
 */

/** FNV-1a (32-bit) over the UTF-16 code units: stable across isolates and releases, cheap, and well spread. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The shard (0..n-1) that owns an id: a key's account (by key id), or a standalone usage record (by request id, so
 * a record stays idempotent per request whatever key it names).
 */
export function shardOf(id: string, n: number): number {
  return n <= 1 ? 0 : stableHash(id) % n;
}

/** The Durable Object name of a tenant's shard. */
export function shardName(tenantId: string, index: number): string {
  return index === 0 ? tenantId : `${tenantId}#shard-${index}`;
}

/** Shard `index`'s part of `limit`: the N parts sum to `limit`. */
export function shareOf(limit: number, index: number, n: number): number {
  const base = Math.floor(limit / n);
  return base + (index < limit % n ? 1 : 0);
}

function splitRate(limit: RateLimit, index: number, n: number): RateLimit {
  const out: RateLimit = {};
  if (limit.requests_per_minute !== undefined) {
    out.requests_per_minute = shareOf(limit.requests_per_minute, index, n);
  }
  if (limit.tokens_per_minute !== undefined) out.tokens_per_minute = shareOf(limit.tokens_per_minute, index, n);
  return out;
}

/**
 * A task's counters live with the key that runs it, named apart per key, so a task is counted exactly and in the
 * same transaction as the key's reserve. A task id reused by several keys of a sharded tenant gets a budget per key.
 */
export function shardTaskId(keyId: string, taskId: string): string {
  return `${keyId}\u001f${taskId}`;
}

/** The admission as its key's shard sees it: the tenant limits cut to the shard's share, the task named per key. */
export function shardAdmit(req: AdmitRequest, index: number, n: number): AdmitRequest {
  if (n <= 1) return req;
  const limits =
    req.limits.tenant === undefined ? req.limits : { ...req.limits, tenant: splitRate(req.limits.tenant, index, n) };
  const task = req.task === undefined ? undefined : { ...req.task, id: shardTaskId(req.keyId, req.task.id) };
  const out: AdmitRequest = { ...req, limits };
  if (task !== undefined) out.task = task;
  return out;
}

/** Most shards a tenant may have (placement is fixed per N; more objects than this buys nothing on one colo). */
export const MAX_LEDGER_SHARDS = 64;
