import { asFreshResponse, hasToolCalls, parseAnswer, serialiseAnswer } from "../cache/answer";
import { StreamAssembler } from "../cache/assemble";
import { decisionConfigFor, effectiveCacheConfig } from "../cache/config";
import { bypassReason } from "../cache/eligibility";
import { type Found, lookup } from "../cache/lookup";
import { type CacheKeys, cacheKeys } from "../cache/scope";
import { CacheUnavailableError, type SemanticCache } from "../cache/types";
import type { ChatRequest, ChatResponse, ChunkEvent } from "../canonical/chat";
import type { CacheConfig } from "../policy/types";
import type { RoutePlan } from "../routing/plan";
import { billFor, responseChars } from "./billing/meter";
import type { Admission } from "./billing/types";
import { cacheEmbedding } from "./cache-embedding";
import type { RouteMeta } from "./route-meta";
import type { CacheStatus, ChatCache, ChatContext, StreamFacts } from "./types";

export type { CacheStatus, ChatCache, StreamFacts };

/**
 * A hit the cache may serve (mode `on`): the fresh answer and what it costs. The caller bills it (admission at the
 * hit price); `served()` counts and touches the entry once the hit was admitted.
 */
export interface CacheHitFound {
  response: ChatResponse;
  /** What the original answer was billed (the hit price is a share of it). */
  originalCost: number;
  hitPricePpm: number;
  /** The request's cache (status `hit`, nothing to store). */
  cache: ChatCache;
  served(): void;
}

const NO_CACHE: ChatCache = {
  status: undefined,
  usageStatus: "none",
  headers: () => ({}),
  storeJson: () => undefined,
  tap: (events) => events,
  embedding: undefined,
};

function statusHeaders(status: CacheStatus, found?: Found, now?: number): Record<string, string> {
  const headers: Record<string, string> = { "x-gateway-cache": status };
  if (found !== undefined && now !== undefined) {
    headers["x-gateway-cache-score"] = found.score.toFixed(4);
    headers["x-gateway-cache-age"] = String(Math.max(0, Math.floor((now - found.entry.createdAt) / 1000)));
  }
  return headers;
}

interface Session {
  ctx: ChatContext;
  plan: RoutePlan;
  cfg: CacheConfig;
  cache: SemanticCache;
  keys: CacheKeys;
  vector: number[] | undefined;
}

function background(ctx: ChatContext, what: string, work: Promise<unknown>): void {
  const guarded = work.catch((err: unknown) => {
    console.warn(`[${ctx.billing.requestId}] cache ${what}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (ctx.waitUntil !== undefined) ctx.waitUntil(guarded);
}

/**
 * Files an answer when the cache may keep it: not an error (never reaches here), not cut short (streams call this
 * only on completion, and every choice must have finished), not shortened by a credit clamp, served by the requested
 * alias itself (not a fallback), no tool calls unless the policy allows them, and small enough to store.
 */
function store(
  s: Session,
  response: ChatResponse,
  meta: RouteMeta,
  admission: Admission,
  cost: number,
  delivered: Promise<boolean> = Promise.resolve(true),
): void {
  if (admission.clamped || meta.alias !== s.plan.alias) return;
  // A choice without a finish reason never finished: an OpenAI-compatible stream that closes early but cleanly (no
  // `[DONE]`) ends without an error, and replaying it would present the cut answer as complete.
  if (response.choices.some((c) => c.finish_reason == null)) return;
  if (!s.cfg.cache_tool_calls && hasToolCalls(response)) return;
  const answer = serialiseAnswer(response);
  if (answer === undefined) return;
  const now = s.ctx.services.now();
  const entry = {
    id: s.keys.exact,
    scope: s.keys.scope,
    model: s.plan.alias,
    prompt: s.keys.prompt,
    answer,
    cost: Math.max(0, Math.min(cost, admission.reserved)),
    createdAt: now,
    expiresAt: now + s.cfg.ttl_s * 1000,
  };
  const put =
    s.vector === undefined
      ? { entry, maxEntries: s.cfg.max_entries }
      : { entry, vector: s.vector, maxEntries: s.cfg.max_entries };
  background(
    s.ctx,
    "store",
    delivered.then((yes) => (yes ? s.cache.put(put, now) : undefined)),
  );
}

async function* tapStream(
  s: Session,
  events: AsyncIterable<ChunkEvent>,
  facts: StreamFacts,
  delivered: Promise<boolean>,
): AsyncGenerator<ChunkEvent> {
  const assembler = new StreamAssembler();
  for await (const ev of events) {
    assembler.add(ev.chunk);
    yield ev;
  }
  // Reached only when the upstream stream ended normally (a cut or a failure never gets here); `delivered` then says
  // whether the client stayed to the end.
  const response = assembler.response();
  if (response === undefined) return;
  const bill = billFor(facts.settlement, facts.model, response.usage, responseChars(response), []);
  store(s, response, facts.meta, facts.admission, bill.cost, delivered);
}

function session(s: Session, status: CacheStatus, headers: Record<string, string>): ChatCache {
  return {
    status,
    usageStatus: status,
    headers: () => headers,
    storeJson: (response, meta, admission, cost) => store(s, response, meta, admission, cost),
    tap: (events, facts, delivered) => tapStream(s, events, facts, delivered),
    embedding: s.vector,
  };
}

function bypass(ctx: ChatContext, cache: SemanticCache | undefined): ChatCache {
  if (cache !== undefined) background(ctx, "count", cache.count("bypass", ctx.services.now()));
  return { ...NO_CACHE, status: "bypass", usageStatus: "bypass", headers: () => statusHeaders("bypass") };
}

/**
 * The cache step of a chat request, after authentication and planning and before admission: exact, then semantic
 * lookup in the tenant's own partition. Mode `on` returns a hit (`hit`: the caller bills it at the hit price);
 * mode `shadow` records what it would have served and lets the request go on. A store that cannot be reached is a
 * bypass: the request is served, uncached.
 */
export async function openChatCache(
  ctx: ChatContext,
  req: ChatRequest,
  plan: RoutePlan,
): Promise<{ cache: ChatCache; hit?: CacheHitFound }> {
  const cfg = ctx.skipCache === true ? undefined : effectiveCacheConfig(plan.route, ctx.principal.tenant);
  if (cfg === undefined) return { cache: NO_CACHE };
  const { services } = ctx;
  const tenantId = ctx.principal.tenant.id;
  const cache = services.cache?.store?.forTenant(tenantId);
  if (cache === undefined || bypassReason(req, ctx.requestHeaders, cfg) !== undefined) {
    return { cache: bypass(ctx, cache) };
  }
  const keys = await cacheKeys(tenantId, plan.alias, req, embedderId(cfg));
  const now = services.now();
  const embed = cfg.semantic ? cacheEmbedding(ctx, cfg, plan, keys.prompt) : undefined;
  let found: Awaited<ReturnType<typeof lookup>>;
  try {
    found = await lookup({ cache, keys, exact: cfg.exact, embed, decision: decisionConfigFor(cfg), now });
  } catch (err) {
    if (!(err instanceof CacheUnavailableError)) throw err;
    console.warn(`[${ctx.billing.requestId}] cache bypassed: ${err.message}`);
    return { cache: bypass(ctx, cache) };
  }
  const s: Session = { ctx, plan, cfg, cache, keys, vector: found.vector };
  const hit = found.hit;
  const answer = hit === undefined ? undefined : parseAnswer(hit.entry.answer, plan.alias);
  if (hit === undefined || answer === undefined) {
    background(ctx, "count", cache.count("miss", now));
    return { cache: session(s, "miss", statusHeaders("miss")) };
  }
  if (cfg.mode === "shadow") {
    background(ctx, "count", cache.count("shadow", now));
    background(
      ctx,
      "shadow log",
      cache.recordShadow({
        at: now,
        requestId: ctx.billing.requestId,
        model: plan.alias,
        kind: hit.how,
        entryId: hit.entry.id,
        entryAgeMs: Math.max(0, now - hit.entry.createdAt),
        cosine: hit.cosine,
        score: hit.score,
        prompt: keys.prompt,
        entryPrompt: hit.entry.prompt,
      }),
    );
    const shadowed = session(s, "shadow", statusHeaders("shadow", hit, now));
    // An exact would-be hit: the entry for this very request is stored already (with its embedding, which this
    // lookup never computed), so it is left as it is.
    if (hit.how === "exact") return { cache: { ...shadowed, storeJson: () => undefined, tap: (events) => events } };
    return { cache: shadowed };
  }
  const response = asFreshResponse(answer, `chatcmpl-${ctx.billing.requestId}`, Math.floor(now / 1000));
  // Nothing to store after a hit: the answer came from the store.
  const served: ChatCache = { ...session(s, "hit", statusHeaders("hit", hit, now)), storeJson: () => undefined };
  const offer: CacheHitFound = {
    response,
    originalCost: hit.entry.cost,
    hitPricePpm: cfg.hit_price_ppm,
    cache: served,
    served: () => {
      background(ctx, "count", cache.count("hit", now));
      background(ctx, "touch", cache.touch(hit.entry.id, now));
    },
  };
  return { cache: served, hit: offer };
}

/** The embedder's identity in the cache scope (empty when the route caches exact matches only). */
function embedderId(cfg: CacheConfig): string {
  const e = cfg.embedder;
  if (!cfg.semantic || e === undefined) return "";
  return e.kind === "model" ? `model:${e.model}` : `workers-ai:${e.binding}:${e.model}`;
}
