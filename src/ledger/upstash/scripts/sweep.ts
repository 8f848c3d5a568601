import { LUA_COMMON } from "./common";

/**
 * sweep: bills holds past their expiry at the full hold, flagged `expired`. Processes at most `batch` holds per run
 * (a script blocks Redis while it runs); the caller repeats while a full batch came back.
 *
 * The accounts touched are only known from the expiry set, so this script derives their key names itself — they
 * must match keys.ts: `acct:<ek>`, `holds:<ek>`, `term:<ek>|<requestId>`, `entries:<ek>`, `usage:<et>`,
 * `usage-key:<ek>`, `task:<et>|<taskId>`, `idem:<ek>|<idempotencyKey>`. (Fine on Upstash and single-node Redis; Redis Cluster would need hash
 * tags.) A hold settled or voided meanwhile is already gone from the expiry set, so it is never billed twice.
 *
 * KEYS: 1 hold-expiry zset. ARGV[1]: JSON {prefix, now? (ms; default Redis TIME), batch, termTtlMs}
 * Returns JSON {seen (members taken from the expiry set), expired (holds billed)}.
 * The usage event of an expired hold is dated at admission, like the gateway's own events.
 */
export const SWEEP_SCRIPT = `${LUA_COMMON}
local a = cjson.decode(ARGV[1])
local p = a.prefix
local now = a.now or now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now), 'LIMIT', 0, a.batch)
local count = 0
for _, member in ipairs(due) do
  local bar = string.find(member, '|', 1, true)
  local ek, rid = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
  local holds, term = p .. 'holds:' .. ek, p .. 'term:' .. ek .. '|' .. rid
  redis.call('ZREM', KEYS[1], member)
  local raw = redis.call('HGET', holds, rid)
  if raw and redis.call('EXISTS', term) == 0 then
    local hold = cjson.decode(raw)
    local amount = hold.amount
    local acct = p .. 'acct:' .. ek
    redis.call('HDEL', holds, rid)
    redis.call('SET', term, 'expired', 'PX', fmt(a.termTtlMs))
    redis.call('HINCRBY', acct, 'held', fmt(-amount))
    redis.call('HINCRBY', acct, 'billed', fmt(amount))
    local balance = hnum(acct, 'balance')
    local flags = arr({ 'expired' })
    account_entry(acct, p .. 'entries:' .. ek, { at = now, type = 'expire', requestId = rid, amount = 0, charged = amount, balanceAfter = balance, flags = flags })
    local usage = { requestId = rid, at = hold.at or now, tenantId = hold.tenantId, keyId = hold.keyId, inputTokens = 0, outputTokens = 0,
      cost = amount, cache = 'none', latencyMs = 0, status = 0, policyVersion = '', flags = flags }
    if hold.task then usage.taskId = hold.task end
    push_usage(p .. 'usage:' .. hold.et, p .. 'usage-key:' .. ek, enc(usage))
    if hold.idem then
      -- Like void: this hold's own in-flight marker goes, so an expired hold does not lock its key for the idem TTL.
      local idem = p .. 'idem:' .. ek .. '|' .. hold.idem
      local rec = redis.call('HMGET', idem, 'state', 'requestId')
      if rec[1] == 'inflight' and rec[2] == rid then redis.call('DEL', idem) end
    end
    if hold.task then
      local task = p .. 'task:' .. hold.et .. '|' .. hold.task
      if redis.call('EXISTS', task) == 1 then
        redis.call('HINCRBY', task, 'cost', fmt(amount))
      end
    end
    count = count + 1
  end
end
return '{"seen":' .. fmt(#due) .. ',"expired":' .. fmt(count) .. '}'
`;
