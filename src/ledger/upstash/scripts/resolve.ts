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
const SETTLE_BODY = `${LUA_OPEN_HOLD}
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

export const SETTLE_SCRIPT = `${LUA_COMMON}${SETTLE_BODY}`;

/**
 * ARGV[1]: JSON {ek, requestId, termTtlMs, usage (event JSON text without cost/flags), usageFlags, idem: bool}
 * The in-flight idempotency marker is deleted (only when it belongs to this request) so the client may retry.
 */
const VOID_BODY = `${LUA_OPEN_HOLD}
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

export const VOID_SCRIPT = `${LUA_COMMON}${VOID_BODY}`;

/** Keys per item of RESOLVE_BATCH_SCRIPT: the 9 of SETTLE_SCRIPT / VOID_SCRIPT, in the same order. */
export const RESOLVE_KEYS_PER_ITEM = 9;

/**
 * Group-committed settlements: many settles and voids in ONE script (one round trip, one atomic step). Each item runs
 * the very body of SETTLE_SCRIPT or VOID_SCRIPT as a function whose parameters shadow KEYS and ARGV, in order, under
 * pcall: an item that raises an error answers {"kind":"error"} and the others still run (like the single scripts,
 * a Redis script is not rolled back, so a failing item keeps what it wrote before the error — the bodies check
 * before they write).
 *
 * KEYS: RESOLVE_KEYS_PER_ITEM per item. ARGV: per item two values, "settle" | "void" and the item's JSON argument.
 * Returns a JSON array of the items' results, in order.
 */
export const RESOLVE_BATCH_SCRIPT = `${LUA_COMMON}
local function settle_one(KEYS, ARGV)
${SETTLE_BODY}
end
local function void_one(KEYS, ARGV)
${VOID_BODY}
end
local out = {}
local per = ${RESOLVE_KEYS_PER_ITEM}
for i = 1, #ARGV / 2 do
  local keys = {}
  for j = 1, per do keys[j] = KEYS[(i - 1) * per + j] end
  local fn = ARGV[2 * i - 1] == 'void' and void_one or settle_one
  local ok, res = pcall(fn, keys, { ARGV[2 * i] })
  if ok then
    out[i] = res
  else
    local msg = type(res) == 'table' and (res.err or 'error') or tostring(res)
    out[i] = '{"kind":"error","error":' .. cjson.encode(msg) .. '}'
  end
end
return '[' .. table.concat(out, ',') .. ']'
`;
