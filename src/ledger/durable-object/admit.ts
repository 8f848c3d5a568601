import { first } from "../../storage/sql";
import type { AdmitRequest, AdmitResult } from "../types";
import { appendEntry, loadAccount, saveAccount } from "./accounts";
import { grantFor } from "./grant";
import { type ExpiryLog, IGNORE_EXPIRY } from "./hold-expiry";
import { checkIdempotency, markInFlight } from "./idempotency";
import { checkRates, recordRates, type ScopeCheck } from "./rate-window";
import { checkTask, recordTaskCall } from "./tasks";

function rateChecks(req: AdmitRequest): ScopeCheck[] {
  const checks: ScopeCheck[] = [];
  const { key, tenant } = req.limits;
  if (key && (key.requests_per_minute !== undefined || key.tokens_per_minute !== undefined)) {
    checks.push({ scope: "key", logKey: `key:${req.keyId}`, limit: key });
  }
  if (tenant && (tenant.requests_per_minute !== undefined || tenant.tokens_per_minute !== undefined)) {
    checks.push({ scope: "tenant", logKey: "tenant", limit: tenant });
  }
  return checks;
}

/** Whether this key already has a hold for the request id (a retried admission). */
function seen(sql: SqlStorage, req: AdmitRequest): boolean {
  return (
    first(sql, "SELECT 1 AS hit FROM holds WHERE key_id = ? AND request_id = ?", req.keyId, req.requestId) !== undefined
  );
}

/**
 * The whole admission, run inside one synchronous SQLite transaction of the tenant's Durable Object: every check
 * reads (the account and the rate windows from the object's memory), and only a fully admitted request
 * writes, so a refusal changes nothing. A duplicate request id is answered before anything else; without an
 * Idempotency-Key that costs no read on the admitted path: the hold's INSERT is the check (it is the first write, so a
 * conflict leaves nothing to undo), and only a refusal asks SQLite first, so that a retried request still hears
 * `duplicate_request` rather than the refusal.
 */
export function admit(sql: SqlStorage, req: AdmitRequest, now: number, expiry: ExpiryLog = IGNORE_EXPIRY): AdmitResult {
  // With an Idempotency-Key the request id comes first: a retried admission must be told it is a duplicate, not
  // "in flight" by its own marker.
  if (req.idempotency) {
    if (seen(sql, req)) return { kind: "duplicate_request" };
    const outcome = checkIdempotency(sql, req.keyId, req.idempotency, now);
    if (outcome) return outcome;
  }
  const refusal = (result: AdmitResult): AdmitResult =>
    !req.idempotency && seen(sql, req) ? { kind: "duplicate_request" } : result;

  const account = loadAccount(sql, req.keyId);
  const grant = grantFor(account.balance, req);
  const tokens = req.promptTokens + grant.outputTokens;
  const checks = rateChecks(req);
  const rate = checkRates(sql, checks, tokens, now);
  if (!rate.ok) return refusal({ kind: "rate_limited", state: rate.state, retryAfterMs: rate.retryAfterMs });

  if (req.task) {
    const refused = checkTask(sql, req.task, req.promptTokens, req.promptCost, now);
    if (refused) return refusal(refused);
  }
  if (!grant.ok) return refusal({ kind: "insufficient_credits", balance: account.balance, needed: grant.needed });

  const inserted = first(
    sql,
    `INSERT INTO holds (key_id, request_id, amount, created_at, expires_at, state, idem_key, task_id)
     VALUES (?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (key_id, request_id) DO NOTHING RETURNING 1 AS hit`,
    req.keyId,
    req.requestId,
    grant.reserved,
    now,
    now + req.holdTtlMs,
    req.idempotency?.key ?? null,
    req.task?.id ?? null,
  );
  if (inserted === undefined) return { kind: "duplicate_request" };
  expiry.opened(now + req.holdTtlMs);
  account.balance -= grant.reserved;
  account.held += grant.reserved;
  account.openHolds += 1;
  appendEntry(sql, account, {
    at: now,
    type: "reserve",
    requestId: req.requestId,
    amount: -grant.reserved,
    charged: grant.reserved,
  });
  saveAccount(sql, account);
  recordRates(sql, checks, tokens, now);
  if (req.task) recordTaskCall(sql, req.task, now);
  if (req.idempotency) markInFlight(sql, req.keyId, req.idempotency, req.requestId, now);
  return {
    kind: "admitted",
    reserved: grant.reserved,
    outputTokens: grant.outputTokens,
    clamped: grant.clamped,
    balanceAfter: account.balance,
    rate: rate.states,
  };
}
