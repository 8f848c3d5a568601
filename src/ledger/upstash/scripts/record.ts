/**
 * record: a standalone usage event (a request refused at or before admission). The dedupe marker is set first with
 * NX, in the same script as the two list pushes, so one request id is recorded once however often it is retried.
 * The marker lives as long as a terminal marker (TERMINAL_TTL_MS); request ids are gateway UUIDs, never reused.
 *
 * KEYS: 1 dedupe marker, 2 tenant usage, 3 key usage. ARGV: 1 event JSON (stored as given), 2 marker TTL (ms).
 * Returns 1 (recorded) or 0 (duplicate).
 */
export const RECORD_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[1])
return 1
`;
