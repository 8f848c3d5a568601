import type { RouterArtifact, VerifierArtifact } from "./artifact-types";
import type { ProviderType } from "./provider-types";

/**
 * The compiled policy: what `scripts/policy-build.ts` produces from `policies/*.yaml` and what the Worker reads at
 * runtime. Everything here is already validated and cross-referenced (every alias, provider and route exists), so
 * runtime code never re-checks it. The YAML schema (with field docs) lives in `schema.ts`.
 */

export type { ProviderType };

/** Cloud providers' settings (validated per type by schema-cloud.ts); absent for every other type. */
export interface CloudSettings {
  region?: string;
  project?: string;
  resource?: string;
  api_version?: string;
  /** Azure: target model -> deployment name. */
  deployments?: Record<string, string>;
  access_key_id_secret?: string;
  session_token_secret?: string;
}

export interface ProviderConfig extends CloudSettings {
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
  /** Origins only: load watching and spill thresholds. */
  load?: OriginLoadConfig;
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
  /** Micro-credits per million prompt tokens read from the provider's prompt cache; absent: `input_per_mtok`. */
  cached_input_per_mtok?: number;
  /** Micro-credits per million prompt tokens written to the provider's prompt cache; absent: `input_per_mtok`. */
  cache_write_per_mtok?: number;
  /** Batch API items pay every price less this many parts per million; absent: the interactive price. */
  batch_discount_ppm?: number;
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
  /** Response cache for chat requests on this route (tenants may override fields, see `TenantConfig.cache`). */
  cache: CacheConfig;
  /** Which aliases are the cheap and the premium tier (needed by cascade, premium_cap and degrade). */
  tiers?: RouteTiers;
  cascade?: CascadeConfig;
  premium_cap?: PremiumCapConfig;
  degrade?: DegradeConfig;
  /** The learned router (and the cascade's verifier); artifacts live in `CompiledPolicy.artifacts`. */
  router?: RouterConfig;
  /** Batch API settings for items on this route; absent: the defaults (no deferral, 4 at once per tenant). */
  batch?: RouteBatchConfig;
}

export interface RouteBatchConfig {
  completion_window: "24h";
  max_concurrency: number;
  /** UTC hours; the window may wrap past midnight. */
  off_peak?: { start_hour: number; end_hour: number };
  origin_idle: boolean;
  /** `provider`: the batch goes to the provider's own batch API (types with `batchApi` in provider-types.ts). */
  via: "gateway" | "provider";
  poll_interval_s: number;
  retry_delay_s: number;
}

/** Load levels of an origin cluster; each gauge optional. */
export interface LoadLevels {
  waiting?: number;
  running?: number;
  kv_cache_usage?: number;
  in_flight?: number;
  ttft_ms?: number;
}

/** An origin provider's load watching, compiled from the policy (`providers.<id>.load`). */
export interface OriginLoadConfig {
  /** Scraping of the cluster's Prometheus endpoint; absent: only passive signals and ORCA headers are used. */
  metrics?: {
    /** Absolute URL (may contain `${VAR}`), or a path resolved against the origin of the provider's `base_url`. */
    url: string;
    /** At most one scrape per isolate per interval. */
    interval_ms: number;
    timeout_ms: number;
  };
  /** A sample (scraped or from an ORCA header) older than this is ignored. */
  stale_ms: number;
  /** Half-life of the time-to-first-token average. */
  ttft_half_life_ms: number;
  spill_at: LoadLevels;
  resume_at: LoadLevels;
}

export interface RouteTiers {
  cheap: string;
  /** The first is the cascade's escalation target. */
  premium: string[];
}

export interface CascadeConfig {
  enabled: boolean;
  escalate_below: number;
  /** Present: judge by token probabilities (thresholds default to `escalate_below`; `min_below` unset = unchecked). */
  logprobs?: { mean_below?: number; min_below?: number };
  /** Present: judge by the route's learned verifier. */
  verifier?: { below?: number };
  checks: { empty: boolean; refusal: boolean; length: boolean; json: boolean };
  min_remaining_ms: number;
}

export interface PremiumCapConfig {
  max_share: number;
  window_s: number;
  per: "tenant" | "route";
  min_requests: number;
  keep_above: number;
}

export interface DegradeConfig {
  balance: boolean;
  deadline: boolean;
  premium_ms?: number;
}

export interface RouterConfig {
  /** Key into `CompiledPolicy.artifacts` (the file's path under `policies/`). */
  artifact?: string;
  verifier?: string;
  tiers: { cheap: string; premium: string };
  mode: "on" | "shadow";
  /** Overrides the artifact's calibrated threshold. */
  threshold?: number;
  without_embedding: "cheap" | "premium";
}

/** Whether the cache serves hits (`on`), only records what it would have served (`shadow`), or is skipped. */
export type CacheMode = "off" | "shadow" | "on";

/** Where prompt embeddings for the semantic cache come from. */
export type EmbedderConfig =
  /** An `embeddings` model alias of this policy, called through its provider (OpenAI-compatible `/embeddings`). */
  | { kind: "model"; model: string; multilingual?: true }
  /** The Workers AI binding (`[ai]` in wrangler.toml) with this model name, e.g. `@cf/baai/bge-base-en-v1.5`. */
  | { kind: "workers-ai"; model: string; binding: string; multilingual?: true };

export interface CacheConfig {
  mode: CacheMode;
  /** Exact-match cache (hash of the normalised request) in front of the semantic one. */
  exact: boolean;
  /** Semantic (nearest-neighbour) lookup after an exact miss; needs `embedder`. */
  semantic: boolean;
  /** Plain cosine similarity a semantic hit must reach; absent: the gateway's calibrated decision. */
  threshold?: number;
  ttl_s: number;
  /** Per tenant; the least recently used entries are evicted beyond it. */
  max_entries: number;
  /** What a hit costs, in parts per million of what the original answer was billed (0 = free, 1000000 = full). */
  hit_price_ppm: number;
  /** Requests with a higher temperature are neither served from nor written to the cache. */
  max_temperature: number;
  /** Whether answers that contain tool calls may be cached. */
  cache_tool_calls: boolean;
  embedder?: EmbedderConfig;
}

/** An HTTP method a tool may use. */
export type ToolHttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A JSON Schema (the subset tools may use, validated at build time). */
export type JsonSchema = { [key: string]: unknown };

export interface ToolHttpConfig {
  kind: "http";
  method: ToolHttpMethod;
  /**
   * URL template, e.g. `https://api.example.com/v1/items/{id}?q={query}`. Slots are argument names; values are
   * percent-encoded into the path or query. A slot in the host is allowed only when `allowed_hosts` lists the
   * hosts it may take. May contain `${VAR}` placeholders (Worker vars/secrets), filled before the slots.
   */
  url: string;
  /**
   * Hosts a request (and every redirect hop) may go to: exact, lowercase, punycode; `host` or `host:port` (the port
   * then is the only one allowed for that host). May contain `${VAR}` placeholders filled from Worker vars.
   */
  allowed_hosts: string[];
  /**
   * Ports allowed for entries of `allowed_hosts` that name no port. Default: [443] for an https template, [80] for
   * http, [443, 80] when a leading `${VAR}` supplies the scheme.
   */
  allowed_ports: number[];
  /** Headers sent to the tool; values may contain `${VAR}` placeholders (Worker secrets), never shown to callers. */
  headers: Record<string, string>;
  /** Arguments not used by the URL template are sent as a JSON body (`json`) or dropped (`none`). */
  body: "json" | "none";
  /** Response bytes read at most (after decompression); larger responses fail the call. */
  max_response_bytes: number;
  timeout_ms: number;
  /** Redirect hops followed (each re-checked against the allowlists); 0 refuses redirects. */
  max_redirects: number;
  /** How the response is handed back to the model. */
  result: ToolResultConfig;
  /** Present (true) only when the admin opted in: link-local / cloud-metadata hosts may be allowlisted. */
  dangerously_allow_cloud_metadata?: true;
}

export interface ToolResultConfig {
  /** `text`: the body as text; `json`: the body parsed as JSON and reduced to `fields`. */
  format: "text" | "json";
  /** For `json`: dot paths kept from the response (e.g. `current.temp_c`); absent: the whole document. */
  fields?: string[];
  /** The result is truncated to this many characters (marked as truncated). */
  max_chars: number;
}

export interface ToolConfig {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: JsonSchema;
  /** Largest argument JSON accepted, in bytes. */
  max_argument_bytes: number;
  implementation: ToolHttpConfig;
  /** Per task; absent: only the task budget's max_tool_calls applies. */
  max_calls_per_task?: number;
  /** Micro-credits charged per executed call. */
  price_per_call: number;
  /** When non-empty, only API keys carrying one of these tags may use the tool. */
  key_tags: string[];
}

/** Bounds for the gateway-executed tool loop of one chat request. */
export interface ToolLoopConfig {
  /** Model calls per request, the first included. */
  max_turns: number;
  /** Tool executions per request. */
  max_tool_calls: number;
  /** Wall time of the whole loop. */
  max_wall_ms: number;
}

/** Signature algorithms a tenant JWT may use. Asymmetric only: no `HS*` (shared secrets), never `none`. */
export type JwtAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "EdDSA";

/** A public signing key written into the policy (JWK members as in RFC 7517/7518/8037; no private members). */
export interface PublicJwk {
  kty: "RSA" | "EC" | "OKP";
  kid?: string;
  alg?: JwtAlgorithm;
  use?: "sig";
  /** EC: `P-256` or `P-384`; OKP: `Ed25519`. */
  crv?: "P-256" | "P-384" | "Ed25519";
  /** RSA modulus and exponent (base64url). */
  n?: string;
  e?: string;
  /** EC/OKP public coordinates (base64url). */
  x?: string;
  y?: string;
}

/** How a tenant's JWTs are verified. Exactly one of `jwks_url` and `keys` is set. */
export interface JwtConfig {
  /** The `iss` value; unique across tenants, so it selects the tenant. */
  issuer: string;
  /** Accepted `aud` values; the token must name at least one. */
  audience: string[];
  /** JWKS endpoint; may contain `${VAR}` placeholders. After filling: https, or http to a loopback host only. */
  jwks_url?: string;
  keys?: PublicJwk[];
  algorithms: JwtAlgorithm[];
  clock_tolerance_s: number;
  /** The claim that names the budget subject (end user). */
  subject_claim: string;
  /** Claim -> value it must equal (or, for a list claim, contain). Empty when none. */
  required_claims: Record<string, string | number | boolean>;
  /** When set, `iat` is required and must be at most this many seconds old. */
  max_token_age_s?: number;
  /** Accepted `typ` header values, normalised (lower case, no `application/` prefix). */
  token_types: string[];
  /** Whether a token without `typ` is refused. */
  require_typ: boolean;
}

/** Per-minute rate limits; an absent field is unlimited. Same shape as the ledger's `RateLimit`. */
export interface RateLimitConfig {
  requests_per_minute?: number;
  tokens_per_minute?: number;
}

export interface LimitsConfig {
  /** Applies to each API key (or JWT subject) of the tenant separately. */
  key: RateLimitConfig;
  /** Applies to the tenant as a whole. */
  tenant: RateLimitConfig;
}

/** Limits shared by the requests that carry one task id; absent fields are unlimited. */
export interface TaskBudgetConfig {
  max_calls?: number;
  max_tokens?: number;
  /** Micro-credits. */
  max_cost?: number;
  max_tool_calls?: number;
  max_identical_calls?: number;
  /** How long a task's counters live after its first request. */
  ttl_s: number;
}

export interface CreditsConfig {
  /** Lifetime of an unresolved credit hold before the sweeper bills it. */
  hold_ttl_s: number;
  /** Fewest output tokens worth serving when clamping max_tokens to the balance; fewer affordable -> 402. */
  min_output_tokens: number;
  /** How long Idempotency-Key results are kept. */
  idempotency_ttl_s: number;
  /** Start the upstream call while the credit reservation is on its way, when the account was recently well funded. */
  overlap_admission: boolean;
  /** Durable Object ledger objects the tenant's accounts are spread over (placed by key id); 1 = one per tenant. */
  ledger_shards: number;
}

export interface TenantConfig {
  id: string;
  plan: string;
  /** Effective routes: the tenant's own plus its plan's, in that order. */
  routes: string[];
  /** Present when the tenant's callers may authenticate with JWTs. */
  jwt?: JwtConfig;
  /** Effective limits: each field from the tenant, else its plan, else unlimited. */
  limits: LimitsConfig;
  /** Effective task budget (tenant fields over plan fields); absent when neither configures one. */
  task_budget?: TaskBudgetConfig;
  /** Effective credit settings (tenant over plan over defaults). */
  credits: CreditsConfig;
  /** Tools (names under `tools`) this tenant's callers may use: the tenant's own plus its plan's. */
  tools: string[];
  /** Effective tool-loop bounds (tenant over plan over defaults). */
  tool_loop: ToolLoopConfig;
  /** Cache fields that override the route's for this tenant (tenant over plan); empty when none. */
  cache: Partial<CacheConfig>;
  /** Present only when the policy opts in to prompt and answer text in traces (tenant over plan). */
  telemetry?: TelemetryContentConfig;
  /** Where a signed event goes when one of the tenant's batches ends; absent: none is sent. */
  batch_webhook?: BatchWebhookConfig;
}

/** A tenant's batch completion webhook (schema-batch-webhook.ts). */
export interface BatchWebhookConfig {
  /** May hold `${VAR}` placeholders, filled at send time. */
  url: string;
  allowed_hosts: string[];
  /** Name of the Worker secret holding the signing secret (`whsec_` + base64). */
  secret: string;
}

export interface TelemetryContentConfig {
  capture_content: true;
  /** Longest text exported per message; longer text is cut and marked. */
  max_content_chars: number;
}

export interface PlanConfig {
  name: string;
  routes: string[];
  tools: string[];
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
  tools: Record<string, ToolConfig>;
  /** Router and verifier artifacts routes name, by path under `policies/` (validated and hashed by the build). */
  artifacts?: Record<string, RouterArtifact | VerifierArtifact>;
}
