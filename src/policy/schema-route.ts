import { z } from "zod";
import { RouteBatchSchema } from "./schema-batch";
import { RouteCacheSchema } from "./schema-cache";
import { AliasSchema, CountSchema, IdSchema, uniqueList } from "./schema-fields";
import { RouteRouterSchema } from "./schema-router";
import { CascadeSchema, DegradeSchema, PremiumCapSchema, TiersSchema } from "./schema-routing";

const RuleConditionSchema = z
  .strictObject({
    task_types: uniqueList(IdSchema, "task type")
      .min(1)
      .optional()
      .describe(
        "Matches when the request's task type (sent by the caller, e.g. `reasoning`, `code`, `chat`) is one of these.",
      ),
    min_prompt_tokens: CountSchema.optional().describe(
      "Matches when the prompt is estimated at this many tokens or more.",
    ),
    max_prompt_tokens: CountSchema.optional().describe(
      "Matches when the prompt is estimated at this many tokens or fewer.",
    ),
    has_tools: z
      .boolean()
      .optional()
      .describe("`true`: matches requests that offer tools to the model; `false`: matches requests that offer none."),
    plans: uniqueList(IdSchema, "plan")
      .min(1)
      .optional()
      .describe("Matches when the calling tenant is on one of these plans."),
  })
  .superRefine((when, ctx) => {
    if (Object.values(when).every((value) => value === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          "needs at least one condition (task_types, min_prompt_tokens, max_prompt_tokens, has_tools or plans); " +
          "to change what runs when nothing matches, set default_model instead",
      });
    }
    const { min_prompt_tokens: min, max_prompt_tokens: max } = when;
    if (min !== undefined && max !== undefined && min > max) {
      ctx.addIssue({
        code: "custom",
        path: ["max_prompt_tokens"],
        message: `is ${max}, below min_prompt_tokens ${min}: the rule could never match`,
      });
    }
  })
  .describe("All conditions given must hold for the rule to match.");

const RuleSchema = z
  .strictObject({
    when: RuleConditionSchema,
    use: AliasSchema.describe("The model alias to use when the rule matches. Must be one of the route's `models`."),
  })
  .describe("A routing rule. Rules are tried in order; the first that matches picks the model.");

const FallbackOnSchema = z
  .strictObject({
    statuses: uniqueList(
      z.int().min(400, { error: "must be an HTTP error status (400-599)" }).max(599, {
        error: "must be an HTTP error status (400-599)",
      }),
      "status",
    )
      .default([408, 409, 429, 500, 502, 503, 504])
      .describe("Upstream HTTP statuses that move on to the next target. Other errors are returned to the caller."),
    timeout: z.boolean().default(true).describe("Move on when an attempt times out (`timeouts.attempt_ms`)."),
    connection_error: z
      .boolean()
      .default(true)
      .describe("Move on when the upstream cannot be reached (DNS, refused or reset connection, TLS)."),
  })
  .describe(
    "Which failures make the router try the next target or fallback model instead of answering with the error.",
  );

const RetrySchema = z
  .strictObject({
    max_retries: z
      .int()
      .min(0, { error: "must be between 0 and 5" })
      .max(5, { error: "must be between 0 and 5" })
      .default(1)
      .describe("Extra attempts on the same target after a retryable failure, before moving on."),
    base_backoff_ms: CountSchema.max(60_000)
      .default(100)
      .describe("Wait before the first retry, in milliseconds; later waits grow exponentially up to `max_backoff_ms`."),
    max_backoff_ms: CountSchema.max(60_000)
      .default(2000)
      .describe("Upper bound for the wait between retries, in milliseconds."),
  })
  .superRefine((retry, ctx) => {
    if (retry.max_backoff_ms < retry.base_backoff_ms) {
      ctx.addIssue({
        code: "custom",
        path: ["max_backoff_ms"],
        message: `is ${retry.max_backoff_ms}, below base_backoff_ms ${retry.base_backoff_ms}`,
      });
    }
  })
  .describe("Retries of one target. Retries stop early when the request deadline would be passed.");

const TimeoutsSchema = z
  .strictObject({
    attempt_ms: z
      .int()
      .min(1, { error: "must be at least 1" })
      .max(600_000, { error: "must be at most 600000 (10 minutes)" })
      .default(30_000)
      .describe("Longest wait for one upstream attempt, in milliseconds; a slower attempt counts as a timeout."),
    deadline_ms: z
      .int()
      .min(1, { error: "must be at least 1" })
      .max(600_000, { error: "must be at most 600000 (10 minutes)" })
      .default(60_000)
      .describe(
        "Time budget for the whole request across retries and fallbacks, in milliseconds. Must be at least attempt_ms.",
      ),
  })
  .superRefine((timeouts, ctx) => {
    if (timeouts.deadline_ms < timeouts.attempt_ms) {
      ctx.addIssue({
        code: "custom",
        path: ["deadline_ms"],
        message: `is ${timeouts.deadline_ms}, below attempt_ms ${timeouts.attempt_ms}: not even one attempt would fit`,
      });
    }
  })
  .describe("Time limits for upstream calls.");

const CircuitBreakerSchema = z
  .strictObject({
    failure_threshold: z
      .int()
      .min(1, { error: "must be at least 1" })
      .max(1000)
      .default(5)
      .describe("Consecutive failures of a target after which it is skipped."),
    cooldown_ms: CountSchema.max(3_600_000)
      .default(30_000)
      .describe("How long a tripped target is skipped before one trial request is let through, in milliseconds."),
  })
  .describe("Skips a target that keeps failing, so requests do not wait on a dead upstream.");

export const RouteSchema = z
  .strictObject({
    models: uniqueList(AliasSchema, "model")
      .min(1, { error: "must list at least one model alias" })
      .describe(
        "Model aliases callable through this route. A request may name any of them, or the route itself " +
          "(then the rules pick one).",
      ),
    default_model: AliasSchema.optional().describe(
      "Model used when a request names the route and no rule matches. Must be in `models`. Default: the first of `models`.",
    ),
    rules: z
      .array(RuleSchema)
      .default([])
      .describe("Applied in order when a request names the route; the first matching rule picks the model."),
    model_fallbacks: z
      .record(AliasSchema, uniqueList(AliasSchema, "fallback").min(1))
      .default({})
      .describe(
        "alias -> aliases tried in order once every target of the alias has failed. All must be in `models`; " +
          "an alias cannot fall back to itself.",
      ),
    fallback_on: FallbackOnSchema.prefault({}),
    retry: RetrySchema.prefault({}),
    timeouts: TimeoutsSchema.prefault({}),
    circuit_breaker: CircuitBreakerSchema.prefault({}),
    cache: RouteCacheSchema.prefault({}),
    tiers: TiersSchema.optional(),
    cascade: CascadeSchema.optional(),
    premium_cap: PremiumCapSchema.optional(),
    degrade: DegradeSchema.optional(),
    router: RouteRouterSchema.optional(),
    batch: RouteBatchSchema.optional(),
  })
  .superRefine(checkTiers)
  .superRefine((route, ctx) => {
    const allowed = new Set(route.models);
    const outside = (alias: string) => `"${alias}" is not in this route's models (${route.models.join(", ")})`;
    if (route.default_model !== undefined && !allowed.has(route.default_model)) {
      ctx.addIssue({ code: "custom", path: ["default_model"], message: outside(route.default_model) });
    }
    route.rules.forEach((rule, index) => {
      if (!allowed.has(rule.use))
        ctx.addIssue({ code: "custom", path: ["rules", index, "use"], message: outside(rule.use) });
    });
    for (const tier of ["cheap", "premium"] as const) {
      const alias = route.router?.tiers[tier];
      if (alias !== undefined && !allowed.has(alias))
        ctx.addIssue({ code: "custom", path: ["router", "tiers", tier], message: outside(alias) });
    }
    for (const [alias, fallbacks] of Object.entries(route.model_fallbacks)) {
      if (!allowed.has(alias))
        ctx.addIssue({ code: "custom", path: ["model_fallbacks", alias], message: outside(alias) });
      fallbacks.forEach((fallback, index) => {
        const path = ["model_fallbacks", alias, index];
        if (fallback === alias)
          ctx.addIssue({ code: "custom", path, message: `"${alias}" cannot fall back to itself` });
        else if (!allowed.has(fallback)) ctx.addIssue({ code: "custom", path, message: outside(fallback) });
      });
    }
  })
  .describe(
    "A route is a set of models a tenant may call, plus how to choose among them and how to survive upstream failures.",
  );

type TieredRoute = Pick<z.infer<z.ZodObject<{ models: z.ZodArray<z.ZodString> }>>, "models"> & {
  tiers?: z.infer<typeof TiersSchema> | undefined;
  cascade?: unknown;
  premium_cap?: unknown;
  degrade?: unknown;
};

/** The tiers name the route's own aliases, and every option that moves requests between tiers has them. */
function checkTiers(route: TieredRoute, ctx: z.RefinementCtx): void {
  const { tiers } = route;
  if (tiers === undefined) {
    for (const option of ["cascade", "premium_cap", "degrade"] as const) {
      if (route[option] !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [option],
          message: "needs `tiers` (which alias is cheap, which premium)",
        });
    }
    return;
  }
  const allowed = new Set(route.models);
  const outside = (alias: string) => `"${alias}" is not in this route's models (${route.models.join(", ")})`;
  if (!allowed.has(tiers.cheap))
    ctx.addIssue({ code: "custom", path: ["tiers", "cheap"], message: outside(tiers.cheap) });
  tiers.premium.forEach((alias, index) => {
    const path = ["tiers", "premium", index];
    if (alias === tiers.cheap) ctx.addIssue({ code: "custom", path, message: `"${alias}" is also the cheap tier` });
    else if (!allowed.has(alias)) ctx.addIssue({ code: "custom", path, message: outside(alias) });
  });
}
