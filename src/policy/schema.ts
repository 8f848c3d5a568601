import { z } from "zod";
import { JwtSchema } from "./schema-auth";
import { BatchWebhookSchema } from "./schema-batch-webhook";
import { CacheOverrideSchema } from "./schema-cache";
import { CLOUD_SETTINGS, checkCloudSettings } from "./schema-cloud";
import {
  AliasSchema,
  BaseUrlSchema,
  CountSchema,
  HeaderNameSchema,
  HeadersSchema,
  IdSchema,
  PROVIDER_TYPES,
  ProviderTypeSchema,
  SecretNameSchema,
  uniqueList,
} from "./schema-fields";
import { CreditsSchema, LimitsSchema, TaskBudgetSchema } from "./schema-limits";
import { OriginLoadSchema } from "./schema-origin-load";
import { RouteSchema } from "./schema-route";
import { TelemetrySchema } from "./schema-telemetry";
import { ToolLoopSchema, ToolNameSchema, ToolSchema } from "./schema-tools";

/**
 * The schema of ONE policy file. Every file in `policies/` may hold any of the sections below; the compiler merges
 * them (ids must be unique across files) and then checks references between sections. The `describe()` texts are
 * written for admins: `npm run policy:docs` turns them into docs/policy-reference.md.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: this is the placeholder syntax admins write, shown in docs.
const VAR_PLACEHOLDER = "`${VAR}`";

export const ProviderSchema = z
  .strictObject({
    type: ProviderTypeSchema.describe(
      "Which API the provider speaks and which defaults (address, credential header) apply. Self-hosted origins: " +
        "`vllm`, `tgi`, `sglang`, `llamacpp`, `openai-compatible`. Cloud providers (`azure-openai`, `bedrock`, " +
        "`vertex`, `vertex-anthropic`) take the settings below.",
    ),
    base_url: BaseUrlSchema.optional().describe(
      "Address of the API, up to the version segment (e.g. `http://10.0.0.5:8000/v1`). May contain " +
        `${VAR_PLACEHOLDER} placeholders filled from Worker vars or secrets at request time. ` +
        "Required for origins; hosted providers default to their public address. A trailing `/` is ignored.",
    ),
    api_key_secret: SecretNameSchema.optional().describe(
      "Name of the Worker secret that holds the credential (set it with `wrangler secret put NAME`, or in " +
        "`.dev.vars` locally). Default: the provider type's usual name, e.g. `OPENAI_API_KEY`; origins may have none.",
    ),
    auth_header: HeaderNameSchema.optional().describe(
      "Header that carries the credential. Default: the provider type's usual header. `authorization` values are " +
        "sent as `Bearer <secret>`.",
    ),
    headers: HeadersSchema.default({}).describe(
      'Static headers sent on every request to this provider. Values are strings (quote numbers: `"503"`) and may ' +
        `contain ${VAR_PLACEHOLDER} placeholders. Never write a credential here; use \`api_key_secret\`.`,
    ),
    load: OriginLoadSchema.optional(),
    ...CLOUD_SETTINGS,
  })
  .superRefine((provider, ctx) => {
    checkCloudSettings(provider, ctx);
    if (PROVIDER_TYPES[provider.type].origin && provider.base_url === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["base_url"],
        message: `is required for type "${provider.type}" (a self-hosted origin has no default address), e.g. "\${LOCAL_ORIGIN_URL}" or "http://10.0.0.5:8000/v1"`,
      });
    }
    if (!PROVIDER_TYPES[provider.type].origin && provider.load !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["load"],
        message: `only applies to self-hosted origins (vllm, tgi, sglang, llamacpp, openai-compatible), not "${provider.type}"`,
      });
    }
  })
  .describe("An upstream API: a hosted provider or a self-hosted GPU cluster (origin).");

const TargetSchema = z
  .strictObject({
    provider: IdSchema.describe("Id of a provider defined under `providers`."),
    model: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(256)
      .describe("The model name the upstream expects (e.g. `gpt-4o-mini`, or the name an origin serves)."),
    priority: CountSchema.optional().describe(
      "Lower tiers are tried first; targets with the same priority share load by weight. Default: the target's " +
        "position in the list (0, 1, 2, ...), i.e. plain failover in list order.",
    ),
    weight: z
      .int()
      .min(1, { error: "must be between 1 and 1000" })
      .max(1000, { error: "must be between 1 and 1000" })
      .default(1)
      .describe("Share of traffic among targets of the same priority."),
  })
  .describe("One place an alias can be served from.");

const PriceSchema = z
  .strictObject({
    input_per_mtok: CountSchema.describe("Micro-credits charged per million input (prompt) tokens. A whole number."),
    output_per_mtok: CountSchema.describe(
      "Micro-credits charged per million output (completion) tokens. A whole number.",
    ),
    cached_input_per_mtok: CountSchema.optional().describe(
      "Micro-credits per million prompt tokens the upstream reports as read from its prompt cache (OpenAI " +
        "`cached_tokens`, Anthropic `cache_read_input_tokens`, Gemini `cachedContentTokenCount`). Omitted: " +
        "`input_per_mtok`.",
    ),
    cache_write_per_mtok: CountSchema.optional().describe(
      "Micro-credits per million prompt tokens the upstream reports as written to its prompt cache (Anthropic " +
        "`cache_creation_input_tokens`). Omitted: `input_per_mtok`. Reservations use the highest of the input prices.",
    ),
    batch_discount_ppm: CountSchema.max(1_000_000, { error: "must be at most 1000000 (free)" })
      .optional()
      .describe(
        "Discount on every price above for items of a Batch API job, in parts per million (500000 = half price). " +
          "Omitted: batch items pay the interactive price.",
      ),
  })
  .describe("What callers are charged. Credits are whole micro-credits: no fractions anywhere.");

export const ModelSchema = z
  .strictObject({
    description: z.string().min(1).max(500).optional().describe("Free text for humans; shown in model listings."),
    kind: z
      .enum(["chat", "embeddings"])
      .default("chat")
      .describe("`chat` serves chat/messages endpoints; `embeddings` serves `/v1/embeddings`."),
    targets: z
      .array(TargetSchema)
      .min(1, { error: "must list at least one target" })
      .describe("Where the alias is served from, in failover order unless priorities say otherwise."),
    context_window: z
      .int()
      .min(1, { error: "must be at least 1" })
      .max(100_000_000)
      .describe("Largest prompt plus output, in tokens, that every target accepts."),
    max_output_tokens: z
      .int()
      .min(1, { error: "must be at least 1" })
      .optional()
      .describe(
        "Ceiling for generated tokens; caps `max_tokens` and bounds the credit reservation. At most " +
          "`context_window`. Default: `context_window` for chat models, 0 for embeddings models.",
      ),
    price: PriceSchema.nullable()
      .optional()
      .describe(
        "Price per million tokens. Omitted or `null`: unpriced, and the gateway refuses to serve it to callers " +
          "that pay with credits (fail closed).",
      ),
  })
  .superRefine((model, ctx) => {
    if (model.max_output_tokens !== undefined && model.max_output_tokens > model.context_window) {
      ctx.addIssue({
        code: "custom",
        path: ["max_output_tokens"],
        message: `is ${model.max_output_tokens}, above context_window ${model.context_window}`,
      });
    }
    const seen = new Set<string>();
    model.targets.forEach((target, index) => {
      const key = `${target.provider}\u0000${target.model}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["targets", index],
          message: `repeats provider "${target.provider}" with model "${target.model}"; use weight to share load`,
        });
      }
      seen.add(key);
    });
  })
  .describe("A model alias: the name callers put in `model`, mapped to one or more upstream targets.");

export const PlanSchema = z
  .strictObject({
    routes: uniqueList(IdSchema, "route")
      .min(1, { error: "must list at least one route" })
      .describe("Routes every tenant on this plan may use."),
    limits: LimitsSchema.optional().describe("Rate limits for every tenant on this plan. Absent: unlimited."),
    task_budget: TaskBudgetSchema.optional().describe("Task budget for every tenant on this plan. Absent: none."),
    credits: CreditsSchema.optional().describe("Credit settings for every tenant on this plan."),
    tools: uniqueList(ToolNameSchema, "tool")
      .optional()
      .describe("Tools (names under `tools`) every tenant on this plan may use."),
    tool_loop: ToolLoopSchema.optional().describe("Tool-loop bounds for every tenant on this plan."),
    cache: CacheOverrideSchema.optional().describe(
      "Cache settings that override those of the plan's tenants' routes (e.g. a cheaper `hit_price_ppm`).",
    ),
    telemetry: TelemetrySchema.optional().describe(
      "Trace content for every tenant on this plan. Absent: no prompt or answer text in traces.",
    ),
  })
  .describe("A bundle of routes, limits and budgets that tenants subscribe to.");

export const TenantSchema = z
  .strictObject({
    plan: IdSchema.describe("Id of the tenant's plan (under `plans`)."),
    routes: uniqueList(IdSchema, "route")
      .optional()
      .describe("Extra routes for this tenant only, on top of the plan's (the tenant's own come first)."),
    jwt: JwtSchema.optional().describe(
      "Accept JWTs signed by this tenant's identity provider (in addition to the tenant's API keys).",
    ),
    limits: LimitsSchema.optional().describe("Rate limits; each field given overrides the plan's."),
    task_budget: TaskBudgetSchema.optional().describe("Task budget; each field given overrides the plan's."),
    credits: CreditsSchema.optional().describe("Credit settings; each field given overrides the plan's."),
    tools: uniqueList(ToolNameSchema, "tool")
      .optional()
      .describe("Extra tools for this tenant only, on top of the plan's."),
    tool_loop: ToolLoopSchema.optional().describe("Tool-loop bounds; each field given overrides the plan's."),
    cache: CacheOverrideSchema.optional().describe(
      "Cache settings for this tenant's requests on every route; each field given overrides the plan's, then the route's.",
    ),
    telemetry: TelemetrySchema.optional().describe("Trace content; each field given overrides the plan's."),
    batch_webhook: BatchWebhookSchema.optional().describe(
      "Signed webhook sent when one of this tenant's batches ends (completed, failed, cancelled, expired).",
    ),
  })
  .describe("A customer of the gateway. The tenant id comes from authentication (API key or JWT), never the request.");

export { RouteSchema };

// `null` is accepted so that a section whose entries are all commented out is not an error.
function section<T extends z.ZodType>(key: z.ZodType<string>, value: T, description: string) {
  return z.record(key, value).nullable().optional().describe(description);
}

export const PolicyFileSchema = z
  .strictObject({
    providers: section(IdSchema, ProviderSchema, "Upstream APIs, keyed by provider id."),
    models: section(AliasSchema, ModelSchema, "Model aliases callers can name, keyed by alias."),
    routes: section(
      IdSchema,
      RouteSchema,
      "Routes, keyed by name. Route names and model aliases share one namespace: a request's `model` may name either.",
    ),
    plans: section(IdSchema, PlanSchema, "Plans, keyed by name."),
    tenants: section(IdSchema, TenantSchema, "Tenants, keyed by tenant id."),
    tools: section(
      ToolNameSchema,
      ToolSchema,
      "Tools the gateway executes itself, keyed by the name models call them by. Plans and tenants list the ones " +
        "their callers may use.",
    ),
  })
  .describe("One policy file. All files in the policy directory are merged.");

export type PolicyFile = z.output<typeof PolicyFileSchema>;
export type PolicyFileInput = z.input<typeof PolicyFileSchema>;
export const POLICY_SECTIONS = ["providers", "models", "routes", "plans", "tenants", "tools"] as const;
export type PolicySection = (typeof POLICY_SECTIONS)[number];
