import type { CacheConfig } from "../policy/types";
import type { RoutePlan } from "../routing/plan";
import { embedderFor } from "./cache-embedder";
import type { ChatContext } from "./types";

/**
 * The request's prompt embedding, computed at most once (the lookup asks for it after an exact miss; the store
 * reuses it). A failing embedder is not an error for the request: the semantic lookup is skipped, logged.
 */
export function cacheEmbedding(
  ctx: ChatContext,
  cfg: CacheConfig,
  plan: RoutePlan,
  prompt: string,
): (() => Promise<number[] | undefined>) | undefined {
  if (prompt === "") return undefined;
  const embedder = embedderFor(ctx.services, cfg.embedder, plan.route);
  if (embedder === undefined) return undefined;
  let once: Promise<number[] | undefined> | undefined;
  return () => {
    once ??= embedder.embed(prompt, ctx.signal).then((result) => {
      if (result.ok) return result.vector;
      console.warn(
        `[${ctx.billing.requestId}] cache embedder ${embedder.id}: ${result.reason}; semantic lookup skipped`,
      );
      return undefined;
    });
    return once;
  };
}
