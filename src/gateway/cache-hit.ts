import type { ChatRequest } from "../canonical/chat";
import type { RoutePlan } from "../routing/plan";
import { estimatePromptTokens } from "../routing/token-estimate";
import { billedCall, type Charge } from "./billed-call";
import type { Bill } from "./billing/meter";
import { reservedPromptTokens } from "./billing/pricing";
import type { CacheHitFound } from "./cache";
import type { RouteMeta } from "./route-meta";
import type { CacheHit, ChatContext, ChatOutcome } from "./types";

export type { CacheHit };

const PPM = 1_000_000n;

/** What a hit costs: `hit_price_ppm` parts per million of what the original answer was billed, rounded up. */
export function hitPrice(originalCost: number, ppm: number): number {
  if (!Number.isSafeInteger(originalCost) || originalCost <= 0 || ppm <= 0) return 0;
  const price = (BigInt(originalCost) * BigInt(ppm) + PPM - 1n) / PPM;
  return Number(price);
}

/**
 * An input price (per million tokens) at which `tokens` prompt tokens cost at least `price`: admission reserves
 * `ceil(tokens * perMtok / 1e6)`, so this makes the hold cover the hit price exactly or by a micro-credit or so, and
 * settlement then bills the price itself.
 */
export function holdPricePerMtok(price: number, tokens: number): number {
  if (price <= 0 || tokens <= 0) return 0;
  return Number((BigInt(price) * PPM + BigInt(tokens) - 1n) / BigInt(tokens));
}

/**
 * Bills a hit through the ledger like any request (idempotency, rate limits, task budget, credit hold), at the
 * policy's hit price of the stored original cost. A hit has no upstream tokens: the usage event records 0 tokens,
 * the hit price, `cache: "hit"` and the flag `cache_hit`.
 */
export async function billHit(
  ctx: ChatContext,
  req: ChatRequest,
  plan: RoutePlan,
  hit: CacheHitFound,
): Promise<ChatOutcome> {
  const { response, cache } = hit;
  const price = hitPrice(hit.originalCost, hit.hitPricePpm);
  const promptEstimate = estimatePromptTokens(req);
  const promptTokens = reservedPromptTokens(promptEstimate);
  const charge: Charge = {
    pricing: { input_per_mtok: holdPricePerMtok(price, promptTokens), output_per_mtok: 0 },
    promptEstimate,
    promptTokens,
    maxOutputTokens: 0,
    cache: "hit",
  };
  const billed = await billedCall(ctx, charge, async ({ hold }): Promise<ChatOutcome> => {
    const held = await hold;
    const { admission, settlement } = held;
    const meta: RouteMeta = {
      route: plan.route.name,
      alias: plan.alias,
      providerId: "cache",
      upstreamModel: response.model,
      attempts: 0,
      policyVersion: ctx.services.policy.version,
    };
    held.served(meta);
    const bill: Bill = { inputTokens: 0, outputTokens: 0, cost: price, flags: ["cache_hit"] };
    // A JSON hit settles like any JSON answer (respond-chat, tool loops); only a stream needs its own writer.
    if (req.stream !== true) return { kind: "json", response, meta, admission, bill, settlement, cache };
    return {
      kind: "cached",
      hit: { response, meta, model: plan.model, admission, settlement, bill, headers: cache.headers() },
    };
  });
  return billed.kind === "replay" ? billed : billed.value;
}
