import { GatewayError } from "../../errors";
import { maxInputPrice } from "../../ledger/pricing";
import type { ModelPricing } from "../../policy/types";
import type { RoutePlan } from "../../routing/plan";

/**
 * Prices a plan for reservation. Billing fails closed: the requested model must be priced, and fallback targets of
 * unpriced models are dropped from the plan (they could serve the request but could not be billed). The hold uses
 * the highest input (any prompt-cache tier) and output prices among the remaining targets, so whichever target answers, the hold covers it.
 */
export function pricePlan(plan: RoutePlan): { plan: RoutePlan; pricing: ModelPricing } {
  if (plan.model.pricing === null) {
    throw new GatewayError(
      "model_unpriced",
      `Model "${plan.alias}" has no price in the policy, so it cannot be billed; ask an admin to set one.`,
      { param: "model" },
    );
  }
  const attempts = plan.attempts.filter((a) => a.model.pricing !== null);
  let input = 0;
  let output = 0;
  for (const a of attempts) {
    const p = a.model.pricing;
    if (p === null) continue;
    // A prompt-cache write may cost more than a plain prompt token (Anthropic: 1.25x or 2x): the hold assumes it.
    input = Math.max(input, maxInputPrice(p));
    output = Math.max(output, p.output_per_mtok);
  }
  return { plan: { ...plan, attempts }, pricing: { input_per_mtok: input, output_per_mtok: output } };
}

/**
 * Prompt tokens counted for the hold: the estimate plus a margin, because the estimate (≈ chars/4) can fall short
 * of the upstream's tokenizer. A real prompt above this is billed at the hold (flagged `over_hold`), never more.
 */
export function reservedPromptTokens(estimate: number): number {
  return Math.ceil(estimate * 1.25) + 16;
}
