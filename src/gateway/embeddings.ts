import type { EmbeddingsRequest, EmbeddingsResponse } from "../canonical/chat";
import { executePlan } from "../routing/execute";
import { planRoute } from "../routing/plan";
import { sleep } from "../routing/sleep";
import { estimateEmbeddingsTokens } from "../routing/token-estimate";
import type { ChatContext } from "./chat";
import { applyEncodingFormat } from "./embedding-encoding";
import { type RouteMeta, routeMeta } from "./route-meta";
import { embeddingsAttempt } from "./upstream-call";

export async function runEmbeddings(
  ctx: ChatContext,
  req: EmbeddingsRequest,
): Promise<{ response: EmbeddingsResponse; meta: RouteMeta }> {
  const { services } = ctx;
  const result = planRoute({
    policy: services.policy,
    tenant: ctx.principal.tenant,
    model: req.model,
    kind: "embeddings",
    attributes: { promptTokens: estimateEmbeddingsTokens(req), hasTools: false },
    unsupportedParams: () => [],
    isAvailable: (key) => services.breakers.isAvailable(key),
    random: services.random,
  });
  if (!result.ok) throw result.error;
  const plan = result.plan;
  const executed = await executePlan(plan, {
    attempt: embeddingsAttempt(services, req),
    breakers: services.breakers,
    now: services.now,
    random: services.random,
    sleep,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  if (!executed.ok) throw executed.error;
  return {
    response: applyEncodingFormat(executed.value, req.encoding_format),
    meta: routeMeta(plan, executed.attempt, executed.attempts, services.policy.version),
  };
}
