/** Admin API answers the recorder plays back in the CLI tests (shapes as in docs/admin-api.md). */

export const KEY_RECORD = {
  object: "api_key",
  key_id: "abcdefghij12",
  prefix: "gw_abcdefghij12_AbCd…",
  tenant: "acme",
  name: "ci",
  status: "active",
  created_at: "2026-01-01T00:00:00.000Z",
  expires_at: null,
  revoked_at: null,
  routes: null,
  scopes: [],
  tags: ["team-a"],
};
export const NEW_KEY = "gw_abcdefghij12_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
export const BALANCE = {
  object: "balance",
  account_id: "abcdefghij12",
  tenant: "acme",
  balance: 1_500_000,
  held: 0,
  open_holds: 0,
  credited: 2_000_000,
  billed: 500_000,
};
export const USAGE_EVENT = {
  at: "2026-01-01T00:00:00.000Z",
  key_id: "abcdefghij12",
  model: "small",
  provider: "openai",
  input_tokens: 12,
  output_tokens: 34,
  cost: 56,
  status: 200,
  request_id: "req_1",
};
export const CACHE_STATS = {
  object: "cache_stats",
  tenant: "acme",
  backend: "durable-object",
  entries: 7,
  counts: { hit: 3, miss: 9, shadow: 0, bypass: 1 },
  hit_rate: 0.25,
  shadow_hit_rate: 0,
  shadow_log: [] as unknown[],
};
