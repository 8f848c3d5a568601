/**
 * The compiled policy: what `scripts/policy-build.ts` produces from `policies/*.yaml` and what the Worker reads at
 * runtime. Everything here is already validated and cross-referenced (every alias, provider and route exists), so
 * runtime code never re-checks it. The YAML schema (with field docs) lives in `schema.ts`.
 */

/** Which adapter speaks to a provider, and which preset supplies its defaults (base URL, auth, quirks). */
export type ProviderType =
  | "openai"
  | "groq"
  | "together"
  | "mistral"
  | "deepseek"
  | "fireworks"
  | "openai-compatible"
  | "vllm"
  | "tgi"
  | "sglang"
  | "llamacpp"
  | "anthropic"
  | "gemini";

export interface ProviderConfig {
  id: string;
  type: ProviderType;
  /** May contain `${VAR}` placeholders filled from Worker vars/secrets at request time. Absent: the preset default. */
  base_url?: string;
  /** Name of the Worker secret holding the credential. Absent: the preset default (e.g. OPENAI_API_KEY), if any. */
  api_key_secret?: string;
  /** Header that carries the credential (default from the preset, e.g. `authorization` with `Bearer `). */
  auth_header?: string;
  /** Static extra headers; values may contain `${VAR}` placeholders. */
  headers: Record<string, string>;
}

export interface ModelTarget {
  provider: string;
  /** The model name the upstream expects. */
  model: string;
  /** Lower tiers are tried first; targets in one tier share load by weight. */
  priority: number;
  weight: number;
}

export interface ModelPricing {
  /** Micro-credits per million input tokens. */
  input_per_mtok: number;
  /** Micro-credits per million output tokens. */
  output_per_mtok: number;
}

export interface ModelConfig {
  alias: string;
  description?: string;
  targets: ModelTarget[];
  context_window: number;
  max_output_tokens: number;
  /** `null`: unpriced. The credits layer refuses unpriced models (fail closed). */
  pricing: ModelPricing | null;
  /** Whether this alias serves `/v1/embeddings` rather than chat. */
  kind: "chat" | "embeddings";
}

export interface RuleCondition {
  task_types?: string[];
  min_prompt_tokens?: number;
  max_prompt_tokens?: number;
  has_tools?: boolean;
  plans?: string[];
}

export interface RoutingRule {
  when: RuleCondition;
  use: string;
}

export interface RouteConfig {
  name: string;
  /** Aliases callable through this route. */
  models: string[];
  /** Used when the request names the route itself and no rule matches. */
  default_model: string;
  rules: RoutingRule[];
  /** alias -> aliases tried (in order) after every target of the alias failed. */
  model_fallbacks: Record<string, string[]>;
  fallback_on: { statuses: number[]; timeout: boolean; connection_error: boolean };
  retry: { max_retries: number; base_backoff_ms: number; max_backoff_ms: number };
  timeouts: { attempt_ms: number; deadline_ms: number };
  circuit_breaker: { failure_threshold: number; cooldown_ms: number };
}

export interface TenantConfig {
  id: string;
  plan: string;
  /** Effective routes: the tenant's own plus its plan's, in that order. */
  routes: string[];
}

export interface PlanConfig {
  name: string;
  routes: string[];
}

export interface CompiledPolicy {
  /** Content hash of the source files: the policy version reported in headers and usage events. */
  version: string;
  sources: string[];
  providers: Record<string, ProviderConfig>;
  models: Record<string, ModelConfig>;
  routes: Record<string, RouteConfig>;
  plans: Record<string, PlanConfig>;
  tenants: Record<string, TenantConfig>;
}
