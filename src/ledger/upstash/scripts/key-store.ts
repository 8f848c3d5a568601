import { LUA_COMMON } from "./common";

/**
 * create: SET NX of the record and the tenant index entry together, so a record never exists without its index entry.
 * KEYS: 1 record, 2 tenant index. ARGV: record JSON, keyId, createdAt. Returns 1 (created) or 0 (id taken).
 */
export const CREATE_KEY_SCRIPT = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
`;

/**
 * revoke: adds revokedAt unless one is already there (the first revocation wins). The record is extended as text
 * rather than decoded and re-encoded, which would turn `[]` into `{}` and round large numbers.
 * KEYS: 1 record. ARGV: at. Returns the record JSON, or false when there is none.
 */
export const REVOKE_KEY_SCRIPT = `${LUA_COMMON}
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local rec = cjson.decode(raw)
if rec.revokedAt ~= nil and rec.revokedAt ~= cjson.null then return raw end
local body = string.gsub(raw, '%s*}%s*$', '')
local sep = ','
if string.match(body, '{%s*$') then sep = '' end
local updated = body .. sep .. '"revokedAt":' .. fmt(tonumber(ARGV[1])) .. '}'
redis.call('SET', KEYS[1], updated)
return updated
`;
