import { cachePrompt } from "../cache/scope";
import type { ChatRequest } from "../canonical/chat";
import type { RouterArtifact, VerifierArtifact } from "../policy/artifact-types";
import type { CompiledPolicy, RouterConfig } from "../policy/types";
import { decidedByRule, type PlanInput, planTier, type RoutePlan, type TierDecision, tierOf } from "../routing/plan";
import type { RouterRequestFacts } from "../routing/router/features";
import { decideTier } from "../routing/router/score";
import { scoreVerifier } from "../routing/router/verifier";
import { promptEmbedding } from "./prompt-embedding";
import type { ChatContext } from "./types";

/**
 * The learned router in the request path: for a request that named a route with `router.artifact` and matched no
 * rule, the prompt embedding (the same one the response cache then uses: prompt-embedding.ts) and the request's
 * lexical facts are scored (src/routing/router/score.ts). Mode `on` re-plans onto the chosen tier's alias; `shadow`
 * records the verdict (headers, usage event) and keeps the rule/default plan.
 */

function routerArtifact(policy: CompiledPolicy, path: string | undefined): RouterArtifact | undefined {
  const a = path === undefined ? undefined : policy.artifacts?.[path];
  return a?.kind === "router" ? a : undefined;
}

function verifierArtifact(policy: CompiledPolicy, path: string | undefined): VerifierArtifact | undefined {
  const a = path === undefined ? undefined : policy.artifacts?.[path];
  return a?.kind === "verifier" ? a : undefined;
}

function factsOf(req: ChatRequest, input: PlanInput, text: string): RouterRequestFacts {
  return {
    text,
    estimatedTokens: input.attributes.promptTokens,
    turns: req.messages.length,
    hasTools: input.attributes.hasTools,
    hasResponseFormat: req.response_format != null && req.response_format.type !== "text",
  };
}

/** The plan after the learned router (unchanged when the route has none, a rule decided, or the alias was named). */
export async function routeByRouter(
  ctx: ChatContext,
  req: ChatRequest,
  input: PlanInput,
  plan: RoutePlan,
): Promise<RoutePlan> {
  const router: RouterConfig | undefined = plan.route.router;
  const artifact = routerArtifact(ctx.services.policy, router?.artifact);
  if (router === undefined || artifact === undefined || plan.viaRoute !== true || plan.rule !== undefined) return plan;
  const text = cachePrompt(req);
  const embed = artifact.features.embedding
    ? promptEmbedding(ctx, plan.route.cache.embedder, plan.route, text)
    : undefined;
  const embedding = embed === undefined ? undefined : await embed();
  const verdict = decideTier(artifact, factsOf(req, input, text), embedding, router.without_embedding);
  const tier =
    router.threshold !== undefined && verdict.score !== undefined
      ? verdict.score >= router.threshold
        ? "premium"
        : "cheap"
      : verdict.tier;
  const score = verdict.score === undefined ? {} : { score: verdict.score };
  if (router.mode === "shadow") {
    // The route's default still decides; the router's verdict is reported beside it.
    const served = tierOf(plan.route, plan.alias);
    const decision: TierDecision = {
      decidedBy: decidedByRule(plan),
      ...(served === undefined ? {} : { tier: served }),
      ...score,
      router: { tier, decidedBy: verdict.decidedBy, shadow: true },
    };
    return { ...plan, decision };
  }
  const decision: TierDecision = {
    decidedBy: verdict.decidedBy,
    tier,
    ...score,
    router: { tier, decidedBy: verdict.decidedBy },
  };
  const replanned = planTier(input, plan, router.tiers[tier], decision);
  return replanned.ok ? replanned.plan : plan;
}

/** The cascade's verifier hook for a route whose `router.verifier` names an artifact (undefined: no verifier). */
export function routeVerifier(
  ctx: ChatContext,
  req: ChatRequest,
  plan: RoutePlan,
): ((answer: string) => Promise<number | undefined>) | undefined {
  const router = plan.route.router;
  const artifact = verifierArtifact(ctx.services.policy, router?.verifier);
  if (router === undefined || artifact === undefined) return undefined;
  const prompt = cachePrompt(req);
  const embed = artifact.features.embedding
    ? promptEmbedding(ctx, plan.route.cache.embedder, plan.route, prompt)
    : undefined;
  return async (answer) => {
    const embedding = embed === undefined ? undefined : await embed();
    return scoreVerifier(artifact, { prompt, answer }, embedding).confidence;
  };
}
