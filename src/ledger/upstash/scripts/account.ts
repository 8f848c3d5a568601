import { LUA_COMMON } from "./common";

/** Balance snapshot as JSON text (shared by credit and the balance read). */
const LUA_SNAPSHOT = `
local function snapshot(acct, holds)
  local v = redis.call('HMGET', acct, 'balance', 'held', 'credited', 'billed')
  return enc({ balance = tonumber(v[1] or '0'), held = tonumber(v[2] or '0'), credited = tonumber(v[3] or '0'),
    billed = tonumber(v[4] or '0'), openHolds = redis.call('HLEN', holds) })
end
`;

/**
 * credit: idempotent per (key, reference) through the reference set; a negative amount takes at most the available
 * balance, and the entry records what was really applied.
 *
 * KEYS: 1 account, 2 holds, 3 credit references, 4 entries.
 * ARGV[1]: JSON {tenantId, amount, reference, type}. Returns the balance snapshot.
 */
export const CREDIT_SCRIPT = `${LUA_COMMON}${LUA_SNAPSHOT}
local a = cjson.decode(ARGV[1])
local acct = KEYS[1]
if redis.call('SADD', KEYS[3], a.reference) == 0 then return snapshot(acct, KEYS[2]) end
local applied = a.amount
if applied < 0 then applied = -math.min(-applied, hnum(acct, 'balance')) end
redis.call('HSETNX', acct, 'tenantId', a.tenantId)
local balance = redis.call('HINCRBY', acct, 'balance', fmt(applied))
redis.call('HINCRBY', acct, 'credited', fmt(applied))
account_entry(acct, KEYS[4], { at = now_ms(), type = a.type, amount = applied, balanceAfter = balance, reference = a.reference })
return snapshot(acct, KEYS[2])
`;

/** balance: a read-only script so the snapshot and the open-hold count are one consistent view. KEYS: 1 account, 2 holds. */
export const BALANCE_SCRIPT = `${LUA_COMMON}${LUA_SNAPSHOT}
return snapshot(KEYS[1], KEYS[2])
`;

/**
 * entries page, newest first. The list is oldest-first (index = seq - 1), so a `beforeSeq` page is a fixed index
 * range however many entries arrive meanwhile.
 * KEYS: 1 entries. ARGV: limit, beforeSeq (0 = newest). Returns the JSON texts newest first.
 */
export const ENTRIES_SCRIPT = `
local limit, before = tonumber(ARGV[1]), tonumber(ARGV[2])
local len = redis.call('LLEN', KEYS[1])
local stop = len - 1
if before > 0 and before - 2 < stop then stop = before - 2 end
if stop < 0 then return {} end
local start = math.max(0, stop - limit + 1)
local page = redis.call('LRANGE', KEYS[1], start, stop)
local out = {}
for i = #page, 1, -1 do out[#out + 1] = page[i] end
return out
`;

/**
 * recordToolCall: one more tool call unless max_tool_calls is reached. The task's ttl is the one admit stored
 * (default 1 day when the task was never admitted).
 * KEYS: 1 task. ARGV[1]: JSON {max?}. Returns 1 (recorded) or 0 (refused).
 */
export const TOOL_CALL_SCRIPT = `${LUA_COMMON}
local a = cjson.decode(ARGV[1])
local used = hnum(KEYS[1], 'tool_calls')
if a.max and used >= a.max then return 0 end
local ttl = tonumber(redis.call('HGET', KEYS[1], 'ttl') or '') or 86400000
redis.call('HINCRBY', KEYS[1], 'tool_calls', 1)
redis.call('HSET', KEYS[1], 'ttl', fmt(ttl))
redis.call('PEXPIRE', KEYS[1], fmt(ttl))
return 1
`;
