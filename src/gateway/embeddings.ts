import type { EmbeddingsRequest } from "../canonical/chat";
import { costOf } from "../ledger/pricing";
import type { StoredResponse } from "../ledger/types";
import { executePlan } from "../routing/execute";
import { planRoute } from "../routing/plan";
import { estimateEmbeddingsTokens } from "../routing/token-estimate";
import { billedCall, type Charge } from "./billed-call";
import { pricePlan } from "./billing/pricing";
import type { Admission } from "./billing/types";
import { applyEncodingFormat } from "./embedding-encoding";
import { type RouteMeta, routeMeta } from "./route-meta";
import type { ChatContext } from "./types";
import { embeddingsAttempt, executorDeps } from "./upstream-call";

export type EmbeddingsOutcome =
  | { kind: "json"; body: string; meta: RouteMeta; admission: Admission; cost: number }
  | { kind: "replay"; response: StoredResponse };

/** Embeddings are billed like chat: input tokens only, reserved up front, settled with the upstream's count. */
export async function runEmbeddings(ctx: ChatContext, req: EmbeddingsRequest): Promise<EmbeddingsOutcome> {
  const { services } = ctx;
  const estimate = estimateEmbeddingsTokens(req);
  const result = planRoute({
    policy: services.policy,
    tenant: ctx.principal.tenant,
    model: req.model,
    kind: "embeddings",
    attributes: { promptTokens: estimate, hasTools: false },
    unsupportedParams: () => [],
    isAvailable: (key) => services.breakers.isAvailable(key),
    random: services.random,
  });
  if (!result.ok) throw result.error;
  const { plan, pricing } = pricePlan(result.plan);
  const charge: Charge = {
    pricing: { input_per_mtok: pricing.input_per_mtok, output_per_mtok: 0 },
    promptEstimate: estimate,
    maxOutputTokens: 0,
    cache: "none",
  };
  const billed = await billedCall(ctx, charge, async ({ hold, signal }): Promise<EmbeddingsOutcome> => {
    const held = await hold;
    const executed = await executePlan(plan, {
      ...executorDeps(services, signal),
      attempt: embeddingsAttempt(services, req),
    });
    if (!executed.ok) {
      void held.release(executed.error.status, ["upstream_failed"]);
      throw executed.error;
    }
    const meta = routeMeta(plan, executed.attempt, executed.attempts, services.policy.version);
    held.served(meta);
    const response = applyEncodingFormat(executed.value, req.encoding_format);
    const reported = response.usage.prompt_tokens;
    const trusted =
      Number.isSafeInteger(reported) && reported >= 0 && reported <= executed.attempt.model.context_window * 2048;
    const servedPricing = executed.attempt.model.pricing ?? pricing;
    const bill = trusted
      ? {
          inputTokens: reported,
          outputTokens: 0,
          cost: costOf({ inputTokens: reported, outputTokens: 0 }, servedPricing),
          flags: [],
        }
      : { inputTokens: estimate, outputTokens: 0, cost: held.admission.reserved, flags: ["usage_untrusted"] };
    const body = JSON.stringify(response);
    void held.settle(bill, 200, { headers: { "content-type": "application/json" }, body });
    return { kind: "json", body, meta, admission: held.admission, cost: bill.cost };
  });
  return billed.kind === "replay" ? billed : billed.value;
}
