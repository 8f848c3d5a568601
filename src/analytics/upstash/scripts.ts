/**
 * Lua scripts of the Upstash analytics backend. Keys are built inside the scripts under the prefix passed in ARGV
 * (like the ledger's sweep: fine on Upstash and single-node Redis; Redis Cluster would need hash tags). Lua numbers
 * are doubles that `tostring` prints in exponent form past 1e14, so integers are formatted with `%.0f`.
 *
 * Layout under `<prefix><encoded tenant>:`
 * | key | type | content | lifetime |
 * |---|---|---|---|
 * | `c:<interval>:<start>` | hash | `<dims JSON>|<counter>` -> integer | the interval's retention after the bucket |
 * | `t:<taskId>` | hash | calls, tools, cost, first, last, lrid, lstat, budget, feature, key, outcome? | 62 days |
 * | `tasks` | zset | task id, score = first call time | trimmed to 62 days |
 * | `b:<batch id>` | string | applied-batch marker | 1 day |
 */

const COMMON = `
local function int(n) return string.format('%.0f', n) end
local TASK_TTL = 62 * 86400000
local function task_first(key, tasks, id, at, feature, k)
  local cur = redis.call('HMGET', key, 'first', 'feature', 'key')
  local first = tonumber(cur[1])
  if first == nil or at < first or (at == first and (feature .. '\\0' .. k) < (cur[2] .. '\\0' .. cur[3])) then
    redis.call('HSET', key, 'first', int(at), 'feature', feature, 'key', k)
    redis.call('ZADD', tasks, 'LT', int(at), id)
  end
end
`;

/** ARGV: 1 tenant prefix, 2 batch JSON, 3 now (ms), 4 retention JSON {interval: ms}. Returns 1 applied, 0 seen. */
export const APPLY = `${COMMON}
local p = ARGV[1]
local b = cjson.decode(ARGV[2])
local now = tonumber(ARGV[3])
local keep = cjson.decode(ARGV[4])
if not redis.call('SET', p .. 'b:' .. b.id, '1', 'NX', 'PX', 86400000) then return 0 end
for _, c in ipairs(b.cells) do
  local key = p .. 'c:' .. c.interval .. ':' .. int(c.start)
  for name, v in pairs(c.counters) do redis.call('HINCRBY', key, c.dimsKey .. '|' .. name, int(v)) end
  redis.call('PEXPIREAT', key, int(c.start + keep[c.interval]))
end
local tasks = p .. 'tasks'
for _, t in ipairs(b.tasks) do
  local key = p .. 't:' .. t.taskId
  redis.call('HINCRBY', key, 'calls', int(t.calls))
  redis.call('HINCRBY', key, 'tools', int(t.toolCalls))
  redis.call('HINCRBY', key, 'cost', int(t.cost))
  task_first(key, tasks, t.taskId, t.firstAt, t.feature, t.key)
  local last = redis.call('HMGET', key, 'last', 'lrid')
  local la = tonumber(last[1])
  if la == nil or t.lastAt > la or (t.lastAt == la and t.lastRequestId > last[2]) then
    redis.call('HSET', key, 'last', int(t.lastAt), 'lrid', t.lastRequestId, 'lstat', int(t.lastStatus))
  end
  if t.budgetStopped then redis.call('HSET', key, 'budget', '1') end
  redis.call('PEXPIRE', key, TASK_TTL)
end
redis.call('ZREMRANGEBYSCORE', tasks, '-inf', '(' .. int(now - TASK_TTL))
return 1
`;

/** ARGV: 1 tenant prefix, 2 task id, 3 outcome, 4 at. */
export const MARK = `${COMMON}
local p = ARGV[1]
local key = p .. 't:' .. ARGV[2]
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'calls', '0', 'tools', '0', 'cost', '0', 'last', '-9007199254740991', 'lrid', '', 'lstat', '0')
  task_first(key, p .. 'tasks', ARGV[2], tonumber(ARGV[4]), '', '')
end
redis.call('HSET', key, 'outcome', ARGV[3])
redis.call('PEXPIRE', key, TASK_TTL)
return 1
`;

/** ARGV: 1 tenant prefix, 2 interval, 3.. bucket starts. Returns JSON: one flat HGETALL array per start. */
export const CELLS = `
local p = ARGV[1]
local out = {}
for i = 3, #ARGV do out[#out + 1] = redis.call('HGETALL', p .. 'c:' .. ARGV[2] .. ':' .. ARGV[i]) end
return cjson.encode(out)
`;

/** ARGV: 1 tenant prefix, 2 from, 3 to (exclusive), 4 limit. Returns JSON: [[task id, flat HGETALL], ...]. */
export const TASKS = `
local p = ARGV[1]
local ids = redis.call('ZREVRANGEBYSCORE', p .. 'tasks', '(' .. ARGV[3], ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do out[#out + 1] = { id, redis.call('HGETALL', p .. 't:' .. id) } end
return cjson.encode(out)
`;
