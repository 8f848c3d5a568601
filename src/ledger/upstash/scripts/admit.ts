import { LUA_COMMON } from "./common";
import { LUA_RATE } from "./rate";

/**
 * admit: every check, then every write, in one script — Redis runs it atomically, so two admits can never both
 * spend the same balance and a refused admit writes nothing.
 *
 * KEYS: 1 account, 2 holds, 3 terminal marker, 4 hold-expiry zset, 5 entries, 6/7 key rate log/sum,
 *       8/9 tenant rate log/sum, 10 task, 11 task fingerprints, 12 idempotency record.
 * ARGV[1]: JSON {keyId, tenantId, ek, et, requestId, promptCost, outputPricePerMtok, maxOutputTokens,
 *       minOutputTokens, promptTokens, holdTtlMs, limits: {key?, tenant?}, idem?: {key, bodyHash, ttlMs},
 *       task?: {id, fingerprint, limits, ttlMs}}
 * Returns the AdmitResult as JSON text.
 */
export const ADMIT_SCRIPT = `${LUA_COMMON}${LUA_RATE}
local a = cjson.decode(ARGV[1])
local now = now_ms()
local acct, holds, term, expiry, entries = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

-- 1. request id seen before (open hold or resolved). First: a retried admission whose reply was lost must learn
-- that it is a duplicate (the gateway then releases its hold), not be told "in flight" by its own marker.
if redis.call('HEXISTS', holds, a.requestId) == 1 or redis.call('EXISTS', term) == 1 then
  return enc({ kind = 'duplicate_request' })
end

-- 2. idempotency
local idem = a.idem
if idem then
  local rec = redis.call('HMGET', KEYS[12], 'state', 'bodyHash', 'response')
  if rec[1] then
    if rec[2] ~= idem.bodyHash then return enc({ kind = 'idempotency_mismatch' }) end
    if rec[1] == 'done' and rec[3] then return '{"kind":"replay","response":' .. rec[3] .. '}' end
    return enc({ kind = 'idempotency_in_flight' })
  end
end

-- What the balance grants decides the tokens counted by the rate limits, so compute it first (no writes).
local balance = hnum(acct, 'balance')
local price = a.outputPricePerMtok
local granted = 0
if balance >= a.promptCost then
  if price == 0 then
    granted = a.maxOutputTokens
  else
    granted = affordable(balance - a.promptCost, price, a.maxOutputTokens)
  end
end
local tokens = a.promptTokens + granted

-- 3. rate limits: key, then tenant; requests, then tokens
local lim = a.limits or {}
local refusal, key_states = rate_check('key', lim.key, KEYS[6], KEYS[7], now, tokens)
if refusal then return enc({ kind = 'rate_limited', state = refusal.state, retryAfterMs = refusal.retry }) end
local tenant_states
refusal, tenant_states = rate_check('tenant', lim.tenant, KEYS[8], KEYS[9], now, tokens)
if refusal then return enc({ kind = 'rate_limited', state = refusal.state, retryAfterMs = refusal.retry }) end

-- 4. task budget
local task = a.task
if task then
  local t = redis.call('HMGET', KEYS[10], 'calls', 'tokens', 'cost')
  local calls, used_tokens, used_cost = tonumber(t[1] or '0'), tonumber(t[2] or '0'), tonumber(t[3] or '0')
  local tl = task.limits or {}
  if tl.max_calls and calls >= tl.max_calls then return enc({ kind = 'task_budget_exceeded', limit = 'calls' }) end
  if tl.max_tokens and used_tokens + a.promptTokens > tl.max_tokens then return enc({ kind = 'task_budget_exceeded', limit = 'tokens' }) end
  if tl.max_cost and used_cost + a.promptCost > tl.max_cost then return enc({ kind = 'task_budget_exceeded', limit = 'cost' }) end
  if tl.max_identical_calls then
    local seen = tonumber(redis.call('HGET', KEYS[11], task.fingerprint) or '0')
    if seen >= tl.max_identical_calls then return enc({ kind = 'task_loop_detected', repeats = seen }) end
  end
end

-- 5. credits
if balance < a.promptCost or granted < a.minOutputTokens then
  return enc({ kind = 'insufficient_credits', balance = balance, needed = a.promptCost + output_cost(a.minOutputTokens, price) })
end
local reserved = a.promptCost + output_cost(granted, price)

-- Admitted: the writes.
local expires = now + a.holdTtlMs
local hold = { amount = reserved, expiresAt = expires, at = now, keyId = a.keyId, tenantId = a.tenantId, et = a.et }
if task then hold.task = task.id; hold.taskTtlMs = task.ttlMs end
if idem then hold.idem = idem.key; hold.idemTtlMs = idem.ttlMs end
redis.call('HSET', holds, a.requestId, enc(hold))
redis.call('ZADD', expiry, fmt(expires), a.ek .. '|' .. a.requestId)
redis.call('HSETNX', acct, 'tenantId', a.tenantId)
local balance_after = redis.call('HINCRBY', acct, 'balance', fmt(-reserved))
redis.call('HINCRBY', acct, 'held', fmt(reserved))
account_entry(acct, entries, { at = now, type = 'reserve', requestId = a.requestId, amount = -reserved, charged = reserved, balanceAfter = balance_after })

local member = fmt(tokens) .. '|' .. a.ek .. '|' .. a.requestId
rate_record(lim.key, KEYS[6], KEYS[7], now, member, tokens)
rate_record(lim.tenant, KEYS[8], KEYS[9], now, member, tokens)

if task then
  redis.call('HINCRBY', KEYS[10], 'calls', 1)
  redis.call('HSET', KEYS[10], 'ttl', fmt(task.ttlMs))
  redis.call('HINCRBY', KEYS[11], task.fingerprint, 1)
  redis.call('PEXPIRE', KEYS[10], fmt(task.ttlMs))
  redis.call('PEXPIRE', KEYS[11], fmt(task.ttlMs))
end
if idem then
  redis.call('HSET', KEYS[12], 'state', 'inflight', 'bodyHash', idem.bodyHash, 'requestId', a.requestId, 'ttl', fmt(idem.ttlMs))
  redis.call('PEXPIRE', KEYS[12], fmt(idem.ttlMs))
end

local rate = arr(list_append(list_append({}, key_states), tenant_states))
return enc({ kind = 'admitted', reserved = reserved, outputTokens = granted, clamped = granted < a.maxOutputTokens,
  balanceAfter = balance_after, rate = rate })
`;
