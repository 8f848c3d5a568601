import { z } from "zod";
import { AliasSchema } from "./schema-fields";

/** A route's learned router and verifier: artifact files under `policies/`, written by `npm run router:train`. */

const ArtifactPathSchema = z.string().regex(/^(?!.*\.\.)[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*\.json$/, {
  error: 'must be a .json path inside the policies directory, e.g. "routers/auto.json"',
});

const TiersSchema = z
  .strictObject({
    cheap: AliasSchema.describe("The alias a request goes to when the router scores it below the threshold."),
    premium: AliasSchema.describe("The alias a request goes to when the router scores it at or above the threshold."),
  })
  .describe("Which of the route's aliases the router chooses between.");

export const RouteRouterSchema = z
  .strictObject({
    artifact: ArtifactPathSchema.optional().describe(
      "The learned router (`kind: router`), relative to the policies directory, e.g. `routers/auto.json`. It scores " +
        "each request that names the route and matches no rule; its content is part of the policy version. Its " +
        "`embedder` must be the route's `cache.embedder` (the one prompt embedding serves the cache and the router).",
    ),
    verifier: ArtifactPathSchema.optional().describe(
      "The learned verifier (`kind: verifier`) a cascade judges cheap answers with, e.g. `verifiers/gsm8k.json`.",
    ),
    tiers: TiersSchema,
    mode: z
      .enum(["on", "shadow"])
      .default("on")
      .describe(
        "`on`: the router's tier serves the request; `shadow`: the router scores and reports (headers, usage event) " +
          "but the route's rules and `default_model` still decide, to measure it on real traffic first.",
      ),
    threshold: z
      .number({ error: "must be a number between 0 and 1" })
      .min(0, { error: "must be between 0 and 1" })
      .max(1, { error: "must be between 0 and 1" })
      .optional()
      .describe(
        "Score at or above which a request goes premium. Default: the artifact's calibrated threshold (for the " +
          "quality target it was trained for); lower sends more to premium.",
      ),
    without_embedding: z
      .enum(["cheap", "premium"])
      .default("premium")
      .describe(
        "Tier for a request the router cannot score because its prompt could not be embedded (embedder down, empty " +
          "prompt). Default premium: quality first when the router is blind.",
      ),
  })
  .superRefine((router, ctx) => {
    if (router.artifact === undefined && router.verifier === undefined) {
      ctx.addIssue({ code: "custom", message: "needs `artifact` (a learned router), `verifier`, or both" });
    }
    if (router.tiers.cheap === router.tiers.premium) {
      ctx.addIssue({ code: "custom", path: ["tiers", "premium"], message: "must differ from tiers.cheap" });
    }
  })
  .describe(
    "A learned router: before any call, a small model over the prompt embedding and cheap lexical features scores " +
      "whether the request needs the premium tier. Rules still come first; the router replaces `default_model`.",
  );

export type RouteRouterValue = z.output<typeof RouteRouterSchema>;
