/**
 * Sliding-log rate limiting (exact, not the two-bucket approximation): each admitted request is a member of a
 * per-scope sorted set scored by its admit time; a request counts while `at > now - 60 s`. The members carry their
 * token count, and a companion counter keeps the window's token sum so a check costs O(log n) plus the entries that
 * fell out since the last admit (each entry is trimmed exactly once). Checks are read-only; the trim and the new
 * entry are written only when the request is admitted, so a refused admit changes nothing.
 */
export const LUA_RATE = `
local WINDOW = 60000

local function member_tokens(m)
  return tonumber(string.match(m, '^(%d+)|')) or 0
end

-- Requests and tokens in the window ending at now, without writing.
local function rate_window(log, sum, now)
  local cutoff = now - WINDOW
  local count = redis.call('ZCOUNT', log, '(' .. fmt(cutoff), '+inf')
  local total = 0
  local stored = redis.call('GET', sum)
  if stored and count > 0 then
    total = tonumber(stored)
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', log, '-inf', fmt(cutoff))) do total = total - member_tokens(m) end
  elseif count > 0 then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', log, '(' .. fmt(cutoff), '+inf')) do total = total + member_tokens(m) end
  end
  return count, total
end

-- When the entry that must leave the window for the request to fit does leave; WINDOW if nothing helps.
local function leave_time(score, now)
  local ms = tonumber(score) + WINDOW - now
  if ms < 1 then ms = 1 end
  return ms
end

local function requests_retry(log, now, count, max)
  local k = count + 1 - max
  if k < 1 or k > count then return WINDOW end
  local hit = redis.call('ZRANGEBYSCORE', log, '(' .. fmt(now - WINDOW), '+inf', 'WITHSCORES', 'LIMIT', k - 1, 1)
  if not hit[2] then return WINDOW end
  return leave_time(hit[2], now)
end

local function tokens_retry(log, now, total, tokens, max)
  if tokens > max then return WINDOW end
  local over = total + tokens - max
  local hit = redis.call('ZRANGEBYSCORE', log, '(' .. fmt(now - WINDOW), '+inf', 'WITHSCORES')
  for i = 1, #hit, 2 do
    over = over - member_tokens(hit[i])
    if over <= 0 then return leave_time(hit[i + 1], now) end
  end
  return WINDOW
end

-- Time until the oldest entry still counted (the new one included) leaves the window.
local function oldest_leave(log, now, count)
  if count == 0 then return WINDOW end
  local hit = redis.call('ZRANGEBYSCORE', log, '(' .. fmt(now - WINDOW), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if not hit[2] then return WINDOW end
  return leave_time(hit[2], now)
end

-- Checks one scope. Returns (refusal, states): refusal = {state, retry} or nil; states = RateState list on success.
local function rate_check(scope, lim, log, sum, now, tokens)
  local states = {}
  if not lim then return nil, states end
  local count, total = rate_window(log, sum, now)
  local rpm = lim.requests_per_minute
  local tpm = lim.tokens_per_minute
  if rpm then
    if count + 1 > rpm then
      local retry = requests_retry(log, now, count, rpm)
      return { state = { scope = scope, limit = 'requests', max = rpm, remaining = math.max(0, rpm - count), resetMs = retry }, retry = retry }, states
    end
  end
  if tpm then
    if total + tokens > tpm then
      local retry = tokens_retry(log, now, total, tokens, tpm)
      return { state = { scope = scope, limit = 'tokens', max = tpm, remaining = math.max(0, tpm - total), resetMs = retry }, retry = retry }, states
    end
  end
  local reset = oldest_leave(log, now, count)
  if rpm then states[#states + 1] = { scope = scope, limit = 'requests', max = rpm, remaining = rpm - count - 1, resetMs = reset } end
  if tpm then states[#states + 1] = { scope = scope, limit = 'tokens', max = tpm, remaining = tpm - total - tokens, resetMs = reset } end
  return nil, states
end

-- Admitted: drop what left the window, add this request, keep the sum in step, and let idle windows expire.
local function rate_record(lim, log, sum, now, member, tokens)
  if not lim then return end
  local count, total = rate_window(log, sum, now)
  redis.call('ZREMRANGEBYSCORE', log, '-inf', fmt(now - WINDOW))
  redis.call('ZADD', log, fmt(now), member)
  redis.call('SET', sum, fmt(total + tokens), 'PX', fmt(WINDOW + 1000))
  redis.call('PEXPIRE', log, fmt(WINDOW + 1000))
end
`;
