import { GatewayError } from "../errors";
import type { RoutePlan } from "./plan";

/**
 * The context-window check, before any credit is held: a prompt that cannot fit a model's context window is refused
 * with OpenAI's `context_length_exceeded`, instead of being reserved for and forwarded to a model that must refuse it.
 *
 * The prompt size is the chars/4 estimate (token-estimate.ts), which over-counts English and code; it is divided by
 * CONTEXT_ESTIMATE_MARGIN first, so only a prompt that is too large even by a generous reading is refused here (the
 * rest is the upstream's to judge). Attempts whose model is too small are dropped from the plan (a fallback alias with
 * a larger window may still serve); when none is left, the request is refused.
 */
export const CONTEXT_ESTIMATE_MARGIN = 1.25;

/** The fewest prompt tokens the estimate could stand for. */
export function promptTokensAtLeast(estimate: number): number {
  return Math.floor(estimate / CONTEXT_ESTIMATE_MARGIN);
}

export function fitContextWindow(
  plan: RoutePlan,
  promptEstimate: number,
): { ok: true; plan: RoutePlan } | { ok: false; error: GatewayError } {
  const atLeast = promptTokensAtLeast(promptEstimate);
  // At least one output token must fit too.
  const fits = plan.attempts.filter((a) => atLeast + 1 <= a.model.context_window);
  if (fits.length === plan.attempts.length) return { ok: true, plan };
  if (fits.length > 0) return { ok: true, plan: { ...plan, attempts: fits } };
  const window = Math.max(...plan.attempts.map((a) => a.model.context_window));
  return {
    ok: false,
    error: new GatewayError(
      "context_length_exceeded",
      `This model's maximum context length is ${window} tokens. However, your messages resulted in about ` +
        `${atLeast} tokens or more. Please reduce the length of the messages.`,
      { param: "messages" },
    ),
  };
}
