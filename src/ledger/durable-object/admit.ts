import { first, run } from "../../storage/sql";
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

/**
 * The whole admission, run inside one synchronous SQLite transaction of the tenant's Durable Object: every check
 * reads, and only a fully admitted request writes, so a refusal changes nothing.
 */
export function admit(sql: SqlStorage, req: AdmitRequest, now: number, expiry: ExpiryLog = IGNORE_EXPIRY): AdmitResult {
  if (req.idempotency) {
    const outcome = checkIdempotency(sql, req.keyId, req.idempotency, now);
    if (outcome) return outcome;
  }
  const seen = first(sql, "SELECT 1 AS hit FROM holds WHERE key_id = ? AND request_id = ?", req.keyId, req.requestId);
  if (seen) return { kind: "duplicate_request" };

  const account = loadAccount(sql, req.keyId);
  const grant = grantFor(account.balance, req);
  const tokens = req.promptTokens + grant.outputTokens;
  const checks = rateChecks(req);
  const rate = checkRates(sql, checks, tokens, now);
  if (!rate.ok) return { kind: "rate_limited", state: rate.state, retryAfterMs: rate.retryAfterMs };

  if (req.task) {
    const refusal = checkTask(sql, req.task, req.promptTokens, req.promptCost, now);
    if (refusal) return refusal;
  }
  if (!grant.ok) return { kind: "insufficient_credits", balance: account.balance, needed: grant.needed };

  run(
    sql,
    `INSERT INTO holds (key_id, request_id, amount, created_at, expires_at, state, idem_key, task_id)
     VALUES (?, ?, ?, ?, ?, 'open', ?, ?)`,
    req.keyId,
    req.requestId,
    grant.reserved,
    now,
    now + req.holdTtlMs,
    req.idempotency?.key ?? null,
    req.task?.id ?? null,
  );
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
