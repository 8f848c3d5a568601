import type { ChatRequest } from "../canonical/chat";
import { getAdapter } from "../providers";
import type { TierDecision } from "../routing/plan";
import { estimatePromptTokens } from "../routing/token-estimate";
import { type ChatContext, planChatRouted } from "./chat";
import { spillover } from "./origin-load";
import { resolveCached } from "./upstream-call";

export interface TokenCount {
  inputTokens: number;
  /** `exact`: the upstream's own count; `estimate`: the gateway's script-aware estimate (src/routing/token-estimate). */
  source: "exact" | "estimate";
  /** The model alias the count is for: the one a chat request with this body would be routed to. */
  alias: string;
  /** How the tier was decided (rules, learned router, premium cap, spillover), as a chat would report it. */
  decision?: TierDecision;
}

const COUNT_TIMEOUT_MS = 10_000;

/**
 * Counts the prompt tokens of `req` for the target that would serve it: the upstream's own count when its wire format
 * has a count endpoint (Anthropic's is free), else — or when that call fails — the gateway's estimate. Nothing is
 * reserved or billed: counting generates nothing.
 *
 * The target is the one chat would pick for the same body: rules, the learned router (which embeds the prompt with
 * the route's cache embedder, as chat does; that embedding is gateway infrastructure and not billed), the premium
 * cap as it stands (read, not counted: a count is not a served request) and origin spillover. Different tiers may
 * tokenize differently, so a count for another target than the one that serves would mislead.
 */
export async function countPromptTokens(ctx: ChatContext, req: ChatRequest): Promise<TokenCount> {
  const plan = spillover(ctx.services, await planChatRouted(ctx, req, false), ctx.waitUntil).plan;
  const decided = plan.decision === undefined ? {} : { decision: plan.decision };
  const estimate = {
    inputTokens: estimatePromptTokens(req),
    source: "estimate" as const,
    alias: plan.alias,
    ...decided,
  };
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
    return { inputTokens, source: "exact", alias: plan.alias, ...decided };
  } catch (err) {
    console.warn(
      `count_tokens: ${first.providerId} failed (${err instanceof Error ? err.message : "error"}); using the estimate`,
    );
    return estimate;
  }
}
