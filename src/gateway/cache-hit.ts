import type { Found } from "../cache/lookup";
import type { ChatRequest, ChatResponse } from "../canonical/chat";
import type { ModelConfig } from "../policy/types";
import type { RoutePlan } from "../routing/plan";
import { estimatePromptTokens } from "../routing/token-estimate";
import { type Admission, admit } from "./billing/admission";
import type { Bill, Settlement } from "./billing/meter";
import { reservedPromptTokens } from "./billing/pricing";
import { chatSettlement } from "./billing/settlement";
import type { ChatCache } from "./cache";
import type { ChatContext, ChatOutcome } from "./chat";
import type { RouteMeta } from "./route-meta";

/**
 * A streamed request answered from the cache: admitted and priced, waiting to be replayed as SSE
 * (src/gateway/cache-respond.ts). A JSON request's hit is an ordinary `json` outcome instead.
 */
export interface CacheHit {
  response: ChatResponse;
  meta: RouteMeta;
  model: ModelConfig;
  admission: Admission;
  settlement: Settlement;
  bill: Bill;
  /** x-gateway-cache, score and age. */
  headers: Record<string, string>;
}

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
export async function admitHit(
  ctx: ChatContext,
  req: ChatRequest,
  plan: RoutePlan,
  found: Found,
  response: ChatResponse,
  hitPricePpm: number,
  cache: ChatCache,
): Promise<ChatOutcome> {
  const { services } = ctx;
  const price = hitPrice(found.entry.cost, hitPricePpm);
  const promptEstimate = estimatePromptTokens(req);
  const promptTokens = reservedPromptTokens(promptEstimate);
  const admitted = await admit({
    services,
    release: (r) => void ctx.submit({ kind: "void", req: r }),
    principal: ctx.principal,
    input: ctx.billing,
    pricing: { input_per_mtok: holdPricePerMtok(price, promptTokens), output_per_mtok: 0 },
    promptTokens,
    maxOutputTokens: 0,
  });
  if (admitted.kind === "replay") return { kind: "replay", response: admitted.response };
  const admission = admitted.admission;
  const meta: RouteMeta = {
    route: plan.route.name,
    alias: plan.alias,
    providerId: "cache",
    upstreamModel: response.model,
    attempts: 0,
    fallback: false,
    policyVersion: services.policy.version,
  };
  const settlement = chatSettlement(ctx, admission, promptEstimate, () => meta, "hit");
  const bill: Bill = { inputTokens: 0, outputTokens: 0, cost: price, flags: ["cache_hit"] };
  // A JSON hit settles like any JSON answer (respond-chat, tool loops); only a stream needs its own writer.
  if (req.stream !== true) return { kind: "json", response, meta, admission, bill, settlement, cache };
  return {
    kind: "cached",
    hit: { response, meta, model: plan.model, admission, settlement, bill, headers: cache.headers() },
  };
}
