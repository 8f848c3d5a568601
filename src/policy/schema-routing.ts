import { z } from "zod";
import { AliasSchema, uniqueList } from "./schema-fields";

/**
 * Route options that decide the tier at runtime: which aliases are the cheap and premium tiers, the confidence
 * cascade, the premium-share cap, and degradation to the cheap tier before a 402 or a missed deadline.
 */

const probability = (what: string) =>
  z
    .number({ error: `${what}: must be a number between 0 and 1` })
    .min(0, { error: "must be between 0 and 1" })
    .max(1, { error: "must be between 0 and 1" });

export const TiersSchema = z
  .strictObject({
    cheap: AliasSchema.describe("The cheap tier: the alias a cascade calls first and degradation falls back to."),
    premium: uniqueList(AliasSchema, "premium alias")
      .min(1, { error: "must list at least one alias" })
      .describe(
        "The premium tier's aliases. The first is what a cascade escalates to; all count against `premium_cap`.",
      ),
  })
  .describe(
    "Which of the route's aliases are the cheap and the premium tier. Needed by `cascade`, `premium_cap`, `degrade`.",
  );

const LogprobSignalSchema = z
  .strictObject({
    mean_below: probability("mean_below")
      .optional()
      .describe(
        "Escalate when the answer's mean token probability (exp of the mean token logprob) is below this. " +
          "Default: `escalate_below`.",
      ),
    min_below: probability("min_below")
      .optional()
      .describe("Escalate when the least likely token's probability is below this. Default: not checked."),
  })
  .describe(
    "Judge the cheap answer by its token log-probabilities. The gateway asks upstreams that support `logprobs` for " +
      "them (and strips them from the answer unless the client asked too); an upstream that returns none gives no signal.",
  );

const VerifierSignalSchema = z
  .strictObject({
    below: probability("below")
      .optional()
      .describe(
        "Escalate when the verifier's score for (prompt, cheap answer) is below this. Default: `escalate_below`.",
      ),
  })
  .describe(
    "Judge the cheap answer with the route's learned verifier (see the router artifact); no verifier, no signal.",
  );

const ChecksSchema = z
  .strictObject({
    empty: z.boolean().default(true).describe("Escalate an answer with no text and no tool call."),
    refusal: z
      .boolean()
      .default(true)
      .describe("Escalate a refusal (the `refusal` field, or a stock refusal sentence)."),
    length: z
      .boolean()
      .default(true)
      .describe("Escalate an answer cut off by the output limit (`finish_reason: length`)."),
    json: z
      .boolean()
      .default(true)
      .describe(
        "With `response_format` json_object/json_schema: escalate an answer that is not JSON or fails the schema.",
      ),
  })
  .describe("Deterministic checks of the cheap answer; a failed check escalates whatever the scores say.");

export const CascadeSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Turn the cascade off without deleting its settings."),
    escalate_below: probability("escalate_below")
      .default(0.72)
      .describe("Default threshold of every confidence signal: a score below it escalates."),
    logprobs: LogprobSignalSchema.optional(),
    verifier: VerifierSignalSchema.optional(),
    checks: ChecksSchema.prefault({}),
    min_remaining_ms: z
      .int()
      .min(0, { error: "must not be negative" })
      .max(600_000)
      .default(1000)
      .describe(
        "Escalate only when at least this much of the route's deadline is left after the cheap call; otherwise the " +
          "cheap answer is served (`x-gateway-degraded: deadline`).",
      ),
  })
  .describe(
    "Call the cheap tier first, judge its answer, and call the premium tier only when confidence is low. Applies " +
      "to requests that name the route and would be served by the cheap tier. Both calls are billed; the client " +
      "gets one answer.",
  );

export const PremiumCapSchema = z
  .strictObject({
    max_share: probability("max_share").describe(
      "Largest share of requests the premium tier may serve over the window (e.g. 0.15).",
    ),
    window_s: z
      .int()
      .min(10, { error: "must be between 10 and 86400" })
      .max(86_400, { error: "must be between 10 and 86400" })
      .default(600)
      .describe("Length of the sliding window, in seconds."),
    per: z
      .enum(["tenant", "route"])
      .default("tenant")
      .describe("One window per tenant on this route, or one for the route."),
    min_requests: z
      .int()
      .min(0, { error: "must not be negative" })
      .max(1_000_000)
      .default(20)
      .describe("The cap applies once the window holds this many requests (a share of few requests is noise)."),
    keep_above: probability("keep_above")
      .default(0.9)
      .describe(
        "At the cap, a request the learned router scores at or above this keeps the premium tier; lower scores, " +
          "rule decisions and score-based cascade escalations stay on the cheap tier. Failed checks still escalate.",
      ),
  })
  .describe(
    "Caps the premium tier's share of a route's requests. Counted per isolate (approximate; see README), so the " +
      "cap holds per isolate rather than exactly across the whole deployment.",
  );

export const DegradeSchema = z
  .strictObject({
    balance: z
      .boolean()
      .default(true)
      .describe("When the caller cannot afford the premium tier but can afford the cheap one, serve the cheap one."),
    deadline: z
      .boolean()
      .default(true)
      .describe(
        "When the premium tier would not fit the route's remaining deadline, serve the cheap one: checked before the " +
          "premium call (less than `premium_ms` left) and before a cascade's escalation (`cascade.min_remaining_ms`).",
      ),
    premium_ms: z
      .int()
      .min(1, { error: "must be positive" })
      .max(600_000)
      .optional()
      .describe(
        "The time the premium tier needs to answer (e.g. its p95). A request routed premium with less than this left " +
          "of the route's `deadline_ms` (time spent authenticating, embedding for the router, looking up the cache) " +
          "is served by the cheap tier (`x-gateway-degraded: deadline`). Unset: no check before the premium call.",
      ),
  })
  .describe("Serve the cheap tier (`x-gateway-degraded` says why) rather than refuse with 402 or miss the deadline.");
