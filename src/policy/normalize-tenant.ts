import { DEFAULT_CREDITS, DEFAULT_TASK_TTL_S, DEFAULT_TOOL_LOOP } from "./defaults";
import type { SectionEntry } from "./merge";
import { cacheOverride } from "./normalize-tools";
import { DEFAULT_MAX_CONTENT_CHARS } from "./schema-telemetry";
import { normalizeTokenType } from "./token-type";
import type {
  CreditsConfig,
  JwtConfig,
  LimitsConfig,
  RateLimitConfig,
  TaskBudgetConfig,
  TenantConfig,
  ToolLoopConfig,
} from "./types";

type PlanValue = SectionEntry<"plans">;
type TenantValue = SectionEntry<"tenants">;
type JwtValue = NonNullable<TenantValue["jwt"]>;

/** `primary`'s defined fields over `fallback`'s, with undefined fields dropped (the JSON stays minimal). */
export function overlay<T extends object>(primary: T | undefined, fallback: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  for (const source of [fallback, primary]) {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (value !== undefined) (out as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

function rateLimits(tenant: RateLimitConfig | undefined, plan: RateLimitConfig | undefined): RateLimitConfig {
  return overlay(tenant, plan);
}

/**
 * The tenant's effective jwt, limits, task budget, credits, tools, tool loop and cache overrides: tenant fields,
 * else plan fields, else defaults. Tools are the tenant's own then the plan's.
 */
export function tenantSettings(
  tenant: TenantValue,
  plan: PlanValue | undefined,
): Pick<
  TenantConfig,
  "jwt" | "limits" | "task_budget" | "credits" | "tools" | "tool_loop" | "cache" | "telemetry" | "batch_webhook"
> {
  const limits: LimitsConfig = {
    key: rateLimits(tenant.limits?.key, plan?.limits?.key),
    tenant: rateLimits(tenant.limits?.tenant, plan?.limits?.tenant),
  };
  const credits: CreditsConfig = { ...DEFAULT_CREDITS, ...overlay(tenant.credits, plan?.credits) };
  const budget = tenant.task_budget === undefined && plan?.task_budget === undefined;
  const task_budget: TaskBudgetConfig | undefined = budget
    ? undefined
    : { ttl_s: DEFAULT_TASK_TTL_S, ...overlay(tenant.task_budget, plan?.task_budget) };
  const tool_loop: ToolLoopConfig = { ...DEFAULT_TOOL_LOOP, ...overlay(tenant.tool_loop, plan?.tool_loop) };
  const telemetry = overlay(tenant.telemetry, plan?.telemetry);
  return {
    ...(tenant.jwt === undefined ? {} : { jwt: jwtConfig(tenant.jwt) }),
    limits,
    ...(task_budget === undefined ? {} : { task_budget }),
    credits,
    tools: [...new Set([...(tenant.tools ?? []), ...(plan?.tools ?? [])])],
    tool_loop,
    cache: cacheOverride(overlay(tenant.cache, plan?.cache)),
    ...(tenant.batch_webhook === undefined ? {} : { batch_webhook: tenant.batch_webhook }),
    // Only an explicit opt-in is compiled in: absent means no text in traces.
    ...(telemetry.capture_content === true
      ? {
          telemetry: {
            capture_content: true,
            max_content_chars: telemetry.max_content_chars ?? DEFAULT_MAX_CONTENT_CHARS,
          },
        }
      : {}),
  };
}

function jwtConfig(jwt: JwtValue): JwtConfig {
  return {
    issuer: jwt.issuer,
    audience: typeof jwt.audience === "string" ? [jwt.audience] : jwt.audience,
    ...(jwt.jwks_url === undefined ? {} : { jwks_url: jwt.jwks_url }),
    ...(jwt.keys === undefined ? {} : { keys: jwt.keys.map((key) => overlay(key, undefined) as typeof key) }),
    algorithms: jwt.algorithms,
    clock_tolerance_s: jwt.clock_tolerance_s,
    subject_claim: jwt.subject_claim,
    required_claims: jwt.required_claims ?? {},
    ...(jwt.max_token_age_s === undefined ? {} : { max_token_age_s: jwt.max_token_age_s }),
    token_types: [...new Set(jwt.token_types.map(normalizeTokenType))],
    require_typ: jwt.require_typ,
  };
}
