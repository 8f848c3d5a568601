import type { ChatRequest } from "../canonical/chat";
import { getAdapter } from "../providers";
import { estimatePromptTokens } from "../routing/token-estimate";
import { type ChatContext, planChat } from "./chat";
import { resolveCached } from "./upstream-call";

export interface TokenCount {
  inputTokens: number;
  /** `exact`: the upstream's own count; `estimate`: the gateway's script-aware estimate (src/routing/token-estimate). */
  source: "exact" | "estimate";
  /** The model alias the count is for (after route rules). */
  alias: string;
}

const COUNT_TIMEOUT_MS = 10_000;

/**
 * Counts the prompt tokens of `req` for the target that would serve it: the upstream's own count when its wire format
 * has a count endpoint (Anthropic's is free), else — or when that call fails — the gateway's estimate. Nothing is
 * reserved or billed: counting generates nothing.
 */
export async function countPromptTokens(ctx: ChatContext, req: ChatRequest): Promise<TokenCount> {
  const plan = planChat(ctx, req);
  const estimate = { inputTokens: estimatePromptTokens(req), source: "estimate" as const, alias: plan.alias };
  const first = plan.attempts[0];
  if (first === undefined) return estimate;
  const config = ctx.services.policy.providers[first.providerId];
  const resolved = resolveCached(ctx.services, first.providerId);
  if (config === undefined || resolved === undefined || !resolved.ok) return estimate;
  const adapter = getAdapter(config.type);
  if (adapter.countTokensRequest === undefined || adapter.parseCountTokens === undefined) return estimate;
  const signals = [AbortSignal.timeout(COUNT_TIMEOUT_MS), ...(ctx.signal === undefined ? [] : [ctx.signal])];
  try {
    const request = adapter.countTokensRequest(resolved.provider, first.upstreamModel, req, AbortSignal.any(signals));
    const res = await ctx.services.fetch(request);
    if (!res.ok) {
      await res.body?.cancel();
      console.warn(`count_tokens: ${first.providerId} answered ${res.status}; using the estimate`);
      return estimate;
    }
    const inputTokens = adapter.parseCountTokens(await res.json());
    return { inputTokens, source: "exact", alias: plan.alias };
  } catch (err) {
    console.warn(
      `count_tokens: ${first.providerId} failed (${err instanceof Error ? err.message : "error"}); using the estimate`,
    );
    return estimate;
  }
}
