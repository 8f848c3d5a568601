import { LUA_COMMON } from "./common";

/**
 * settle and void: the hold resolves exactly once. The terminal marker is checked first and written in the same
 * script that deletes the hold, so a concurrent settle, void or sweep of the same hold sees one or the other.
 *
 * KEYS: 1 account, 2 holds, 3 terminal marker, 4 hold-expiry zset, 5 entries, 6 tenant usage, 7 key usage,
 *       8 task, 9 idempotency record.
 */
const LUA_OPEN_HOLD = `
local a = cjson.decode(ARGV[1])
local acct, holds, term, expiry, entries = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local done = redis.call('GET', term)
if done then return enc({ kind = 'already_resolved', terminal = done }) end
local raw = redis.call('HGET', holds, a.requestId)
if not raw then return enc({ kind = 'unknown_hold' }) end
local hold = cjson.decode(raw)
local now = now_ms()

local function close_hold(kind)
  redis.call('HDEL', holds, a.requestId)
  redis.call('ZREM', expiry, a.ek .. '|' .. a.requestId)
  redis.call('SET', term, kind, 'PX', fmt(a.termTtlMs))
end
`;

/**
 * ARGV[1]: JSON {ek, requestId, termTtlMs, cost (-1 = not a non-negative safe integer), flags, usage (event JSON
 * text without cost/flags), usageFlags, tokens, task?: {toolCalls}, idem?: {response (JSON text)}}
 */
export const SETTLE_SCRIPT = `${LUA_COMMON}${LUA_OPEN_HOLD}
local amount = hold.amount
local extra = {}
local charged = a.cost
if a.cost < 0 then
  charged = amount
  extra[1] = 'invalid_cost'
elseif a.cost > amount then
  charged = amount
  extra[1] = 'over_hold'
end
local released = amount - charged

close_hold('settled')
local balance_after = redis.call('HINCRBY', acct, 'balance', fmt(released))
redis.call('HINCRBY', acct, 'held', fmt(-amount))
redis.call('HINCRBY', acct, 'billed', fmt(charged))
local entry = { at = now, type = 'settle', requestId = a.requestId, amount = released, charged = charged, balanceAfter = balance_after }
local entry_flags = flag_list(a.flags, extra)
if #entry_flags > 0 then entry.flags = entry_flags end
account_entry(acct, entries, entry)
push_usage(KEYS[6], KEYS[7], usage_json(a.usage, charged, flag_list(a.usageFlags, a.flags, extra)))

if a.task then
  local ttl = hold.taskTtlMs or tonumber(redis.call('HGET', KEYS[8], 'ttl') or '') or 86400000
  redis.call('HINCRBY', KEYS[8], 'tokens', fmt(a.tokens))
  redis.call('HINCRBY', KEYS[8], 'cost', fmt(charged))
  redis.call('HINCRBY', KEYS[8], 'tool_calls', fmt(a.task.toolCalls))
  redis.call('HSET', KEYS[8], 'ttl', fmt(ttl))
  redis.call('PEXPIRE', KEYS[8], fmt(ttl))
end
if a.idem and redis.call('HGET', KEYS[9], 'requestId') == a.requestId then
  local ttl = tonumber(redis.call('HGET', KEYS[9], 'ttl') or '') or hold.idemTtlMs or 86400000
  redis.call('HSET', KEYS[9], 'state', 'done', 'response', a.idem.response)
  redis.call('PEXPIRE', KEYS[9], fmt(ttl))
end
return enc({ kind = 'settled', charged = charged, released = released, balanceAfter = balance_after })
`;

/**
 * ARGV[1]: JSON {ek, requestId, termTtlMs, usage (event JSON text without cost/flags), usageFlags, idem: bool}
 * The in-flight idempotency marker is deleted (only when it belongs to this request) so the client may retry.
 */
export const VOID_SCRIPT = `${LUA_COMMON}${LUA_OPEN_HOLD}
local amount = hold.amount
close_hold('voided')
local balance_after = redis.call('HINCRBY', acct, 'balance', fmt(amount))
redis.call('HINCRBY', acct, 'held', fmt(-amount))
account_entry(acct, entries, { at = now, type = 'void', requestId = a.requestId, amount = amount, charged = 0, balanceAfter = balance_after })
push_usage(KEYS[6], KEYS[7], usage_json(a.usage, 0, flag_list(a.usageFlags)))
if a.idem then
  local rec = redis.call('HMGET', KEYS[9], 'state', 'requestId')
  if rec[1] == 'inflight' and rec[2] == a.requestId then redis.call('DEL', KEYS[9]) end
end
return enc({ kind = 'voided', released = amount, balanceAfter = balance_after })
`;
