import bundled from "./generated/policy.json";
import type { CompiledPolicy } from "./types";

export {
  DEFAULT_CACHE,
  DEFAULT_CREDITS,
  DEFAULT_TASK_TTL_S,
  DEFAULT_TOOL_LOOP,
  defaultTenantSettings,
} from "./defaults";
export type {
  CacheConfig,
  CacheMode,
  CompiledPolicy,
  CreditsConfig,
  EmbedderConfig,
  JsonSchema,
  JwtAlgorithm,
  JwtConfig,
  LimitsConfig,
  ModelConfig,
  ModelPricing,
  ModelTarget,
  PlanConfig,
  ProviderConfig,
  ProviderType,
  PublicJwk,
  RateLimitConfig,
  RouteConfig,
  RoutingRule,
  RuleCondition,
  TaskBudgetConfig,
  TenantConfig,
  ToolConfig,
  ToolHttpConfig,
  ToolHttpMethod,
  ToolLoopConfig,
  ToolResultConfig,
} from "./types";

// The Worker entry point of this folder: it must not import schema.ts or compile.ts, which would pull the YAML
// parser and the policy schema into the bundle. The JSON was validated by scripts/policy-build.ts.

let frozen: CompiledPolicy | undefined;

/** The policy compiled from `policies/` at build time. Deep-frozen: one isolate shares it across requests. */
export function loadBundledPolicy(): CompiledPolicy {
  frozen ??= deepFreeze(bundled as unknown as CompiledPolicy);
  return frozen;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
