/**
 * Redis key layout of the Upstash ledger. Every key starts with the configured prefix (default `gw:`), so tests can
 * run side by side on one Redis with random prefixes. Ids are embedded through `part()` (percent-encoding of every
 * byte outside `[A-Za-z0-9_.-]`), so an encoded id never contains `:` or `|`; where a caller-chosen id comes last it
 * follows a `|` raw, which keeps every name unambiguous. `ek`/`et` below are encoded key id / tenant id.
 *
 * | key | type | content | lifetime |
 * |---|---|---|---|
 * | `acct:<ek>` | hash | balance, held, credited, billed, seq, tenantId | forever |
 * | `holds:<ek>` | hash | requestId -> JSON {amount, expiresAt, at, keyId, tenantId, et, task?, taskTtlMs?, idem?, idemTtlMs?} | until resolved |
 * | `hold-expiry` | zset | member `<ek>|<requestId>`, score expiresAt (ms) — what the sweeper scans | until resolved |
 * | `term:<ek>|<requestId>` | string | terminal kind: settled / voided / expired | 7 days (TERMINAL_TTL_MS) |
 * | `rec:<et>|<requestId>` | string | "1": a standalone usage event (record) was written for this request | 7 days |
 * | `entries:<ek>` | list | ledger entries as JSON, RPUSH (oldest first, so index = seq - 1: stable paging) | forever* |
 * | `usage:<et>` | list | usage events as JSON, LPUSH (newest first) | forever* |
 * | `usage-key:<ek>` | list | the same events per key, so a keyId filter reads only that key's events | forever* |
 * | `rl:<scope>:<id>:log` | zset | sliding log: member `<tokens>|<ek>|<requestId>`, score = admit time (ms) | 61 s idle |
 * | `rl:<scope>:<id>:sum` | string | tokens of the entries still in the log (kept with the log, rebuilt if lost) | 61 s idle |
 * | `task:<et>|<taskId>` | hash | calls, tokens, cost, tool_calls, ttl | ttlMs after last use |
 * | `task-fp:<et>|<taskId>` | hash | request fingerprint -> times seen | ttlMs after last use |
 * | `idem:<ek>|<idempotencyKey>` | hash | state (inflight/done), bodyHash, requestId, ttl, response (JSON) | ttlMs |
 * | `refs:<ek>` | set | credit references already applied | forever |
 * | `key:<keyId>` | string | KeyRecord JSON (created with SET NX) | forever |
 * | `tenant-keys:<et>` | zset | keyId, score createdAt | forever |
 *
 * (*) Entries and usage events are kept in Redis for good: one terminal entry per request id, ever. A production
 * deployment would archive old list segments (e.g. to R2) and trim them; nothing here depends on their length.
 *
 * The terminal marker outlives the hold by 7 days: a settle or void replayed within that time answers
 * `already_resolved`, and a new admit reusing the request id answers `duplicate_request`. Request ids are
 * gateway-generated UUIDs, so a reuse after 7 days does not happen in practice.
 */

const SAFE_BYTE = /[A-Za-z0-9_.-]/;
const encoder = new TextEncoder();

/** Percent-encodes every UTF-8 byte outside `[A-Za-z0-9_.-]`; `:` and `|` never survive. */
export function part(id: string): string {
  let out = "";
  for (const byte of encoder.encode(id)) {
    const ch = String.fromCharCode(byte);
    out += SAFE_BYTE.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export const TERMINAL_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RATE_WINDOW_MS = 60_000;

export interface LedgerKeys {
  readonly prefix: string;
  account(keyId: string): string;
  holds(keyId: string): string;
  holdExpiry(): string;
  terminal(keyId: string, requestId: string): string;
  recorded(tenantId: string, requestId: string): string;
  entries(keyId: string): string;
  tenantUsage(tenantId: string): string;
  keyUsage(keyId: string): string;
  rateLog(scope: "key" | "tenant", id: string): string;
  rateSum(scope: "key" | "tenant", id: string): string;
  task(tenantId: string, taskId: string): string;
  taskFingerprints(tenantId: string, taskId: string): string;
  idempotency(keyId: string, idempotencyKey: string): string;
  creditRefs(keyId: string): string;
  keyRecord(keyId: string): string;
  tenantKeys(tenantId: string): string;
}

export function ledgerKeys(prefix: string): LedgerKeys {
  return {
    prefix,
    account: (keyId) => `${prefix}acct:${part(keyId)}`,
    holds: (keyId) => `${prefix}holds:${part(keyId)}`,
    holdExpiry: () => `${prefix}hold-expiry`,
    terminal: (keyId, requestId) => `${prefix}term:${part(keyId)}|${requestId}`,
    recorded: (tenantId, requestId) => `${prefix}rec:${part(tenantId)}|${requestId}`,
    entries: (keyId) => `${prefix}entries:${part(keyId)}`,
    tenantUsage: (tenantId) => `${prefix}usage:${part(tenantId)}`,
    keyUsage: (keyId) => `${prefix}usage-key:${part(keyId)}`,
    rateLog: (scope, id) => `${prefix}rl:${scope}:${part(id)}:log`,
    rateSum: (scope, id) => `${prefix}rl:${scope}:${part(id)}:sum`,
    task: (tenantId, taskId) => `${prefix}task:${part(tenantId)}|${taskId}`,
    taskFingerprints: (tenantId, taskId) => `${prefix}task-fp:${part(tenantId)}|${taskId}`,
    idempotency: (keyId, idempotencyKey) => `${prefix}idem:${part(keyId)}|${idempotencyKey}`,
    creditRefs: (keyId) => `${prefix}refs:${part(keyId)}`,
    keyRecord: (keyId) => `${prefix}key:${keyId}`,
    tenantKeys: (tenantId) => `${prefix}tenant-keys:${part(tenantId)}`,
  };
}
