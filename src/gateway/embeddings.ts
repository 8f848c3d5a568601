import type { EmbeddingsRequest } from "../canonical/chat";
import { costOf } from "../ledger/pricing";
import type { StoredResponse } from "../ledger/types";
import { executePlan } from "../routing/execute";
import { planRoute } from "../routing/plan";
import { sleep } from "../routing/sleep";
import { estimateEmbeddingsTokens } from "../routing/token-estimate";
import { type Admission, admit } from "./billing/admission";
import { type Settlement, settleOp, voidOp } from "./billing/meter";
import { pricePlan, reservedPromptTokens } from "./billing/pricing";
import { usageEvent } from "./billing/usage-event";
import type { ChatContext } from "./chat";
import { applyEncodingFormat } from "./embedding-encoding";
import { type RouteMeta, routeMeta } from "./route-meta";
import { embeddingsAttempt } from "./upstream-call";

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
  const admitted = await admit({
    services,
    release: (req) => void ctx.submit({ kind: "void", req }),
    principal: ctx.principal,
    input: ctx.billing,
    pricing: { input_per_mtok: pricing.input_per_mtok, output_per_mtok: 0 },
    promptTokens: reservedPromptTokens(estimate),
    maxOutputTokens: 0,
  });
  if (admitted.kind === "replay") return { kind: "replay", response: admitted.response };
  const admission = admitted.admission;
  let meta: RouteMeta | undefined;
  const settlement: Settlement = {
    admission,
    promptEstimate: estimate,
    submit: ctx.submit,
    usage: (facts) =>
      usageEvent(
        ctx.principal,
        admission,
        meta,
        { ...facts, startedAt: ctx.startedAt, now: services.now() },
        services.policy.version,
      ),
  };
  const executed = await executePlan(plan, {
    attempt: embeddingsAttempt(services, req),
    breakers: services.breakers,
    now: services.now,
    random: services.random,
    sleep,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  if (!executed.ok) {
    void ctx.submit(voidOp(settlement, executed.error.status, ["upstream_failed"]));
    throw executed.error;
  }
  meta = routeMeta(plan, executed.attempt, executed.attempts, services.policy.version);
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
    : { inputTokens: estimate, outputTokens: 0, cost: admission.reserved, flags: ["usage_untrusted"] };
  const body = JSON.stringify(response);
  void ctx.submit(settleOp(settlement, bill, 200, { headers: { "content-type": "application/json" }, body }));
  return { kind: "json", body, meta, admission, cost: bill.cost };
}
