import type { CacheConfig, CreditsConfig, TenantConfig, ToolLoopConfig } from "./types";

/**
 * Defaults for the limits sections, shared by the compiler (which fills them into every tenant) and runtime code
 * that needs a value when the policy configures none (e.g. the lifetime of a task id that has no budget).
 */
export const DEFAULT_CREDITS: Readonly<CreditsConfig> = Object.freeze({
  hold_ttl_s: 600,
  min_output_tokens: 16,
  idempotency_ttl_s: 86_400,
  overlap_admission: false,
  ledger_shards: 1,
});

export const DEFAULT_TASK_TTL_S = 3600;

export const DEFAULT_JWT_CLOCK_TOLERANCE_S = 30;
/** `typ` values a tenant JWT may carry unless its policy says otherwise: a plain JWT or an OAuth access token. */
export const DEFAULT_JWT_TOKEN_TYPES = ["JWT", "at+jwt"] as const;

/** Bounds of the gateway-executed tool loop when neither the tenant nor its plan sets them. */
export const DEFAULT_TOOL_LOOP: Readonly<ToolLoopConfig> = Object.freeze({
  max_turns: 5,
  max_tool_calls: 10,
  max_wall_ms: 60_000,
});

/**
 * A route's cache when the policy writes none: off. `max_temperature` 1.0 admits the default sampling of every
 * provider (OpenAI's default temperature is 1), so turning the cache on caches ordinary traffic; set it lower to
 * keep creative (high-temperature) answers out.
 */
export const DEFAULT_CACHE: Readonly<CacheConfig> = Object.freeze({
  mode: "off",
  exact: true,
  semantic: false,
  ttl_s: 86_400,
  max_entries: 10_000,
  hit_price_ppm: 0,
  max_temperature: 1,
  cache_tool_calls: false,
});

/** The settings a tenant gets when neither it nor its plan configures any (handy for hand-built test policies). */
export function defaultTenantSettings(): Pick<TenantConfig, "limits" | "credits" | "tools" | "tool_loop" | "cache"> {
  return {
    limits: { key: {}, tenant: {} },
    credits: { ...DEFAULT_CREDITS },
    tools: [],
    tool_loop: { ...DEFAULT_TOOL_LOOP },
    cache: {},
  };
}
