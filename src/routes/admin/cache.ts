import type { Context } from "hono";
import { z } from "zod";
import { type CacheStats, CacheUnavailableError, type SemanticCache, type ShadowRecord } from "../../cache/types";
import type { AppEnv, Services } from "../../context";
import { GatewayError } from "../../errors";
import { tenantOr404 } from "./keys";
import { parseJsonBody } from "./parse";

/**
 * The response cache's admin endpoints, per tenant: invalidate (everything, or one model alias) and stats (hit, miss,
 * shadow and bypass counts, entries stored, and the latest shadow observations for judging false hits).
 */

const InvalidateBody = z.strictObject({ model: z.string().min(1).max(128).optional() });

function tenantCache(services: Services, tenantId: string): { tenant: string; cache: SemanticCache; backend: string } {
  const tenant = tenantOr404(services, tenantId);
  const store = services.cache?.store;
  if (store === undefined) {
    throw new GatewayError("store_unavailable", "No response cache backend is configured for this deployment.");
  }
  return { tenant: tenant.id, cache: store.forTenant(tenant.id), backend: store.name };
}

async function fromCache<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CacheUnavailableError) {
      throw new GatewayError("store_unavailable", "The cache store is unreachable; try again shortly.", {
        headers: { "retry-after": "1" },
        cause: err,
      });
    }
    throw err;
  }
}

/** POST /admin/tenants/:id/cache/invalidate `{ "model"?: alias }`; an empty body invalidates everything. */
export async function invalidateCacheHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const { tenant, cache } = tenantCache(services, c.req.param("id") ?? "");
  const raw = c.var.rawBody ?? "";
  const body = raw.trim() === "" ? {} : parseJsonBody(InvalidateBody, raw, c.req.header("content-type"));
  if (body.model !== undefined && !Object.hasOwn(services.policy.models, body.model)) {
    throw new GatewayError("not_found", `No model "${body.model}" in the policy.`, { param: "model" });
  }
  const deleted = await fromCache(() => cache.invalidate(body.model === undefined ? {} : { model: body.model }));
  return c.json({ object: "cache_invalidation", tenant, model: body.model ?? null, deleted });
}

function shadowJson(r: ShadowRecord) {
  return {
    at: new Date(r.at).toISOString(),
    request_id: r.requestId,
    model: r.model,
    kind: r.kind,
    entry_id: r.entryId,
    entry_age_ms: r.entryAgeMs,
    cosine: r.cosine,
    score: r.score,
    prompt: r.prompt,
    entry_prompt: r.entryPrompt,
  };
}

function cacheStatsJson(tenant: string, backend: string, stats: CacheStats) {
  const { hit, miss, shadow, bypass } = stats.counts;
  const looked = hit + miss + shadow;
  return {
    object: "cache_stats" as const,
    tenant,
    backend,
    entries: stats.entries,
    counts: { hit, miss, shadow, bypass },
    /** Served hits per lookup; in shadow mode, `shadow` counts the lookups that WOULD have been hits. */
    hit_rate: looked === 0 ? null : hit / looked,
    shadow_hit_rate: looked === 0 ? null : shadow / looked,
    shadow_log: stats.shadow.map(shadowJson),
  };
}

/** GET /admin/tenants/:id/cache/stats */
export async function cacheStatsHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const { tenant, cache, backend } = tenantCache(services, c.req.param("id") ?? "");
  const stats = await fromCache(() => cache.stats(services.now()));
  return c.json(cacheStatsJson(tenant, backend, stats));
}
