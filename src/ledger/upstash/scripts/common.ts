/**
 * Lua shared by the ledger scripts (prepended to each). Lua numbers are doubles, so:
 * - amounts stay integers below 2^53, and every number leaves a script through `fmt` (`%d`), never through
 *   `tostring` or `cjson.encode` (both print 14 significant digits and would round large balances);
 * - products that can pass 2^53 (`tokens * price`, `budget * 1e6`) are split so every intermediate stays exact;
 * - `math.fmod` is exact on doubles, so quotients are computed as `(a - fmod(a, b)) / b`.
 * Arguments come in as one JSON document (cjson.decode parses integers below 2^53 exactly).
 */
export const LUA_COMMON = `
local ARR = {}
local function arr(t) return setmetatable(t or {}, ARR) end

local function fmt(n)
  if type(n) ~= 'number' or n ~= n or n ~= math.floor(n) or math.abs(n) > 9007199254740991 then
    error('ledger: not a safe integer: ' .. tostring(n))
  end
  return string.format('%d', n)
end

-- A small JSON encoder: integers via fmt, strings via cjson, arrays only when wrapped with arr().
local function enc(v)
  local tv = type(v)
  if tv == 'number' then return fmt(v) end
  if tv == 'string' then return cjson.encode(v) end
  if tv == 'boolean' then return v and 'true' or 'false' end
  if tv ~= 'table' then error('ledger: cannot encode ' .. tv) end
  local parts = {}
  if getmetatable(v) == ARR then
    for i = 1, #v do parts[i] = enc(v[i]) end
    return '[' .. table.concat(parts, ',') .. ']'
  end
  local names = {}
  for k in pairs(v) do names[#names + 1] = k end
  table.sort(names)
  for i, k in ipairs(names) do parts[i] = cjson.encode(k) .. ':' .. enc(v[k]) end
  return '{' .. table.concat(parts, ',') .. '}'
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function hnum(key, field)
  return tonumber(redis.call('HGET', key, field) or '0') or 0
end

-- Exact floor(a / b) for integers 0 <= a < 2^53, 0 < b.
local function idiv(a, b)
  return (a - math.fmod(a, b)) / b
end

-- ceil(tokens * price / 1e6) without forming tokens * price: with tokens = t1 * 1e6 + t0 and price = hi * 1e6 + lo,
-- it is t1 * price + t0 * hi + ceil(t0 * lo / 1e6), each term exact while the result is below 2^53.
local function output_cost(tokens, price)
  local t0 = math.fmod(tokens, 1000000)
  local t1 = (tokens - t0) / 1000000
  local lo = math.fmod(price, 1000000)
  local hi = (price - lo) / 1000000
  local x = t0 * lo
  local r = math.fmod(x, 1000000)
  local c = (x - r) / 1000000
  if r > 0 then c = c + 1 end
  return t1 * price + t0 * hi + c
end

-- floor(budget * 1e6 / price), capped at cap, by long division: six decimal digits after floor(budget / price).
local function affordable(budget, price, cap)
  local r = math.fmod(budget, price)
  local q = (budget - r) / price
  for _ = 1, 6 do
    if q >= cap then return cap end
    local x = r * 10
    r = math.fmod(x, price)
    q = q * 10 + (x - r) / price
  end
  if q > cap then return cap end
  return q
end

local function list_append(t, items)
  for _, v in ipairs(items or {}) do t[#t + 1] = v end
  return t
end

-- Flags in first-seen order without repeats, as a JSON array.
local function flag_list(...)
  local seen, out = {}, arr()
  for _, group in ipairs({...}) do
    for _, f in ipairs(group) do
      if not seen[f] then seen[f] = true; out[#out + 1] = f end
    end
  end
  return out
end

-- A usage event: the caller's fields (JSON text without cost/flags) plus the cost and flags decided here.
local function usage_json(rest, cost, flags)
  local tail = string.sub(rest, 2)
  if tail ~= '}' then tail = ',' .. tail end
  return '{"cost":' .. fmt(cost) .. ',"flags":' .. enc(flags) .. tail
end

local function push_usage(tenant_list, key_list, json)
  redis.call('LPUSH', tenant_list, json)
  redis.call('LPUSH', key_list, json)
end

local function account_entry(acct, entries, e)
  e.seq = redis.call('HINCRBY', acct, 'seq', 1)
  redis.call('RPUSH', entries, enc(e))
  return e.seq
end
`;
