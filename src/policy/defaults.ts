import type { CreditsConfig, TenantConfig } from "./types";

/**
 * Defaults for the limits sections, shared by the compiler (which fills them into every tenant) and runtime code
 * that needs a value when the policy configures none (e.g. the lifetime of a task id that has no budget).
 */
export const DEFAULT_CREDITS: Readonly<CreditsConfig> = Object.freeze({
  hold_ttl_s: 600,
  min_output_tokens: 16,
  idempotency_ttl_s: 86_400,
});

export const DEFAULT_TASK_TTL_S = 3600;

export const DEFAULT_JWT_CLOCK_TOLERANCE_S = 30;

/** The settings a tenant gets when neither it nor its plan configures any (handy for hand-built test policies). */
export function defaultTenantSettings(): Pick<TenantConfig, "limits" | "credits"> {
  return { limits: { key: {}, tenant: {} }, credits: { ...DEFAULT_CREDITS } };
}
