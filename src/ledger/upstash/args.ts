import type { AdmitRequest, RateLimit, SettleRequest, UsageEvent, VoidRequest } from "../types";
import { part } from "./keys";

/**
 * Script arguments. Inputs are checked here because a Lua script cannot tell 1.5 from 1 once it has been rounded:
 * anything that is not a non-negative safe integer is a caller bug (RangeError), except a settle cost, which the
 * spec bills as the full hold with `invalid_cost`.
 */

/** `r * 10` in the Lua long division must stay below 2^53. */
const MAX_PRICE_PER_MTOK = Math.floor(Number.MAX_SAFE_INTEGER / 10);

function int(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`ledger: ${name} must be an integer in [0, ${max}]`);
  }
  return value;
}

/** A TTL of 0 would delete the record the moment it is written. */
function ttl(value: number, name: string): number {
  if (int(value, name) < 1) throw new RangeError(`ledger: ${name} must be at least 1 ms`);
  return value;
}

function id(value: string, name: string): string {
  if (typeof value !== "string" || value.length === 0)
    throw new RangeError(`ledger: ${name} must be a non-empty string`);
  return value;
}

export function isValidCost(cost: number): boolean {
  return Number.isSafeInteger(cost) && cost >= 0;
}

/** Token counts at settle come from upstream usage: a nonsense count must not stop the settle, so it counts as 0. */
function tokenCount(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Only limits that are set; a scope without any is left out, so it is neither checked nor logged. */
function rateLimit(limit: RateLimit | undefined, scope: string): RateLimit | undefined {
  if (limit === undefined) return undefined;
  const out: RateLimit = {};
  if (limit.requests_per_minute !== undefined) {
    out.requests_per_minute = int(limit.requests_per_minute, `${scope}.requests_per_minute`);
  }
  if (limit.tokens_per_minute !== undefined) {
    out.tokens_per_minute = int(limit.tokens_per_minute, `${scope}.tokens_per_minute`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function admitArgs(req: AdmitRequest): Record<string, unknown> {
  const task = req.task;
  if (task) {
    for (const [name, value] of Object.entries(task.limits)) {
      if (value !== undefined) int(value, `task.limits.${name}`);
    }
    ttl(task.ttlMs, "task.ttlMs");
  }
  if (req.idempotency) ttl(req.idempotency.ttlMs, "idempotency.ttlMs");
  return {
    keyId: id(req.keyId, "keyId"),
    tenantId: id(req.tenantId, "tenantId"),
    ek: part(req.keyId),
    et: part(req.tenantId),
    requestId: id(req.requestId, "requestId"),
    promptCost: int(req.promptCost, "promptCost"),
    outputPricePerMtok: int(req.outputPricePerMtok, "outputPricePerMtok", MAX_PRICE_PER_MTOK),
    maxOutputTokens: int(req.maxOutputTokens, "maxOutputTokens"),
    minOutputTokens: int(req.minOutputTokens, "minOutputTokens"),
    // Tokens counted by the rate limits are promptTokens + granted output tokens.
    promptTokens: int(req.promptTokens, "promptTokens", Number.MAX_SAFE_INTEGER - req.maxOutputTokens),
    holdTtlMs: int(req.holdTtlMs, "holdTtlMs"),
    limits: { key: rateLimit(req.limits.key, "limits.key"), tenant: rateLimit(req.limits.tenant, "limits.tenant") },
    idem: req.idempotency && {
      key: id(req.idempotency.key, "idempotency.key"),
      bodyHash: req.idempotency.bodyHash,
      ttlMs: req.idempotency.ttlMs,
    },
    task: task && { id: id(task.id, "task.id"), fingerprint: task.fingerprint, limits: task.limits, ttlMs: task.ttlMs },
  };
}

/** The caller's usage event as JSON text without `cost` and `flags`, which the script decides. */
function usageRest(usage: UsageEvent, req: { keyId: string; tenantId: string; requestId: string }): string {
  const { cost: _cost, flags: _flags, ...rest } = usage;
  return JSON.stringify({ ...rest, requestId: req.requestId, keyId: req.keyId, tenantId: req.tenantId });
}

export function settleArgs(req: SettleRequest, termTtlMs: number): Record<string, unknown> {
  const toolCalls = req.task ? tokenCount(req.task.toolCalls) : 0;
  return {
    ek: part(id(req.keyId, "keyId")),
    requestId: id(req.requestId, "requestId"),
    termTtlMs,
    cost: isValidCost(req.cost) ? req.cost : -1,
    flags: req.flags,
    usage: usageRest(req.usage, req),
    usageFlags: req.usage.flags,
    tokens: tokenCount(req.inputTokens) + tokenCount(req.outputTokens),
    task: req.task && { toolCalls },
    idem: req.idempotency && { response: JSON.stringify(req.idempotency.response) },
  };
}

export function voidArgs(req: VoidRequest, termTtlMs: number): Record<string, unknown> {
  return {
    ek: part(id(req.keyId, "keyId")),
    requestId: id(req.requestId, "requestId"),
    termTtlMs,
    usage: usageRest(req.usage, req),
    usageFlags: req.usage.flags,
    idem: req.idempotencyKey !== undefined,
  };
}
