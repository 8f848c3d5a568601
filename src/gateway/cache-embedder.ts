import {
  type Embedder,
  type EmbeddingsCall,
  isWorkersAiBinding,
  modelEmbedder,
  workersAiEmbedder,
} from "../cache/embedder";
import type { Services } from "../context";
import type { EmbedderConfig, RouteConfig } from "../policy/types";
import { executePlan } from "../routing/execute";
import { type RoutePlan, targetKeyOf } from "../routing/plan";
import { orderTargets } from "../routing/weighted-order";
import { embeddingsAttempt, executorDeps } from "./upstream-call";

/** An embedding is worth waiting for only briefly: past this the request goes on with the exact cache alone. */
const EMBED_ATTEMPT_MS = 2000;
const EMBED_DEADLINE_MS = 3000;

/**
 * Calls a policy's embeddings alias through the same provider resolution, adapters, breakers and target order as
 * `/v1/embeddings`, with tight timeouts and no retries. The alias need not be one the tenant may call: the embedder
 * is gateway infrastructure chosen by the admin, and its cost is not billed to the tenant.
 */
function policyEmbeddingsCall(services: Services, alias: string, route: RouteConfig): EmbeddingsCall {
  return async (text, signal) => {
    const model = services.policy.models[alias];
    if (model === undefined || model.kind !== "embeddings") {
      return { ok: false, reason: `cache embedder "${alias}" is not an embeddings model of the policy` };
    }
    const plan: RoutePlan = {
      route: {
        ...route,
        model_fallbacks: {},
        retry: { ...route.retry, max_retries: 0 },
        timeouts: {
          attempt_ms: Math.min(route.timeouts.attempt_ms, EMBED_ATTEMPT_MS),
          deadline_ms: Math.min(route.timeouts.deadline_ms, EMBED_DEADLINE_MS),
        },
      },
      alias,
      model,
      attempts: orderTargets(model.targets, services.random).map((t) => ({
        alias,
        model,
        providerId: t.provider,
        upstreamModel: t.model,
        targetKey: targetKeyOf(t.provider, t.model),
      })),
    };
    const result = await executePlan(plan, {
      attempt: embeddingsAttempt(services, { model: alias, input: text, encoding_format: "float" }),
      ...executorDeps(services, signal),
    });
    return result.ok ? { ok: true, response: result.value } : { ok: false, reason: result.error.message };
  };
}

/** The embedder a cache policy names; undefined when it names none or its binding is missing. */
export function embedderFor(
  services: Services,
  config: EmbedderConfig | undefined,
  route: RouteConfig,
): Embedder | undefined {
  if (config === undefined) return undefined;
  if (config.kind === "model") return modelEmbedder(config.model, policyEmbeddingsCall(services, config.model, route));
  const binding = services.cache?.binding(config.binding);
  if (!isWorkersAiBinding(binding)) {
    console.warn(`cache embedder: no Workers AI binding named ${config.binding}; semantic cache skipped`);
    return undefined;
  }
  return workersAiEmbedder(binding, config.model);
}
