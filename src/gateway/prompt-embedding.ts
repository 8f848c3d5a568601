import type { CacheConfig, EmbedderConfig, RouteConfig } from "../policy/types";
import type { RoutePlan } from "../routing/plan";
import { embedderFor } from "./policy-embedder";
import type { ChatContext } from "./types";

/**
 * One prompt embedding per request, shared by the learned router (before planning settles) and the response cache
 * (lookup and store): memoised per request context, embedder and text, so the embedder is never called twice.
 */
const perRequest = new WeakMap<ChatContext, Map<string, Promise<number[] | undefined>>>();

/**
 * The request's embedding of `prompt` by `config`, computed at most once per request. A failing embedder is not an
 * error for the request: undefined (the cache skips its semantic lookup, the router follows `without_embedding`).
 */
export function promptEmbedding(
  ctx: ChatContext,
  config: EmbedderConfig | undefined,
  route: RouteConfig,
  prompt: string,
): (() => Promise<number[] | undefined>) | undefined {
  if (prompt === "") return undefined;
  const embedder = embedderFor(ctx.services, config, route);
  if (embedder === undefined) return undefined;
  const key = `${embedder.id}\u0000${prompt}`;
  return () => {
    let memo = perRequest.get(ctx);
    if (memo === undefined) {
      memo = new Map();
      perRequest.set(ctx, memo);
    }
    let once = memo.get(key);
    if (once === undefined) {
      once = embedder.embed(prompt, ctx.signal).then((result) => {
        if (result.ok) return result.vector;
        console.warn(`[${ctx.billing.requestId}] prompt embedder ${embedder.id}: ${result.reason}; not used`);
        return undefined;
      });
      memo.set(key, once);
    }
    return once;
  };
}

/** The cache's view: the lookup asks for the embedding after an exact miss; the store reuses it. */
export function cacheEmbedding(
  ctx: ChatContext,
  cfg: CacheConfig,
  plan: RoutePlan,
  prompt: string,
): (() => Promise<number[] | undefined>) | undefined {
  return promptEmbedding(ctx, cfg.embedder, plan.route, prompt);
}
