import type { Merged } from "./merge";
import { originLoad, routeTiering } from "./normalize-routing";
import { tenantSettings } from "./normalize-tenant";
import { routeCache, toolConfig } from "./normalize-tools";
import type { RouteRouterValue } from "./schema-router";
import type {
  CompiledPolicy,
  ModelConfig,
  PlanConfig,
  ProviderConfig,
  RouteConfig,
  RouterConfig,
  RoutingRule,
  TenantConfig,
  ToolConfig,
} from "./types";

export type CompiledSections = Omit<CompiledPolicy, "version" | "sources">;

/**
 * Fills in every default so the runtime never has to: target priorities, default models, effective tenant routes.
 * Runs only on merged files that passed the schema; references are checked separately (cross-check.ts).
 */
export function normalize(merged: Merged): CompiledSections {
  const providers: Record<string, ProviderConfig> = {};
  for (const { id, value } of merged.providers.values()) {
    providers[id] = {
      id,
      type: value.type,
      ...(value.base_url === undefined ? {} : { base_url: value.base_url }),
      ...(value.api_key_secret === undefined ? {} : { api_key_secret: value.api_key_secret }),
      ...(value.auth_header === undefined ? {} : { auth_header: value.auth_header }),
      headers: value.headers,
      ...(value.load === undefined ? {} : { load: originLoad(value.load) }),
    };
  }

  const models: Record<string, ModelConfig> = {};
  for (const { id, value } of merged.models.values()) {
    models[id] = {
      alias: id,
      ...(value.description === undefined ? {} : { description: value.description }),
      kind: value.kind,
      targets: value.targets.map((t, index) => ({
        provider: t.provider,
        model: t.model,
        priority: t.priority ?? index,
        weight: t.weight,
      })),
      context_window: value.context_window,
      max_output_tokens: value.max_output_tokens ?? (value.kind === "embeddings" ? 0 : value.context_window),
      pricing: value.price ?? null,
    };
  }

  const routes: Record<string, RouteConfig> = {};
  for (const { id, value } of merged.routes.values()) {
    const first = value.models[0];
    if (first === undefined) throw new Error(`route ${id} has no models; the schema should have refused it`);
    routes[id] = {
      name: id,
      models: value.models,
      default_model: value.default_model ?? first,
      rules: value.rules.map((rule): RoutingRule => ({ when: stripUndefined(rule.when), use: rule.use })),
      model_fallbacks: value.model_fallbacks,
      fallback_on: value.fallback_on,
      retry: value.retry,
      timeouts: value.timeouts,
      circuit_breaker: value.circuit_breaker,
      cache: routeCache(value.cache),
      ...routeTiering(value),
      ...(value.router === undefined ? {} : { router: routerConfig(value.router) }),
      ...(value.batch === undefined ? {} : { batch: value.batch }),
    };
  }

  const plans: Record<string, PlanConfig> = {};
  for (const { id, value } of merged.plans.values()) {
    plans[id] = { name: id, routes: value.routes, tools: value.tools ?? [] };
  }

  const tenants: Record<string, TenantConfig> = {};
  for (const { id, value } of merged.tenants.values()) {
    const own = value.routes ?? [];
    const fromPlan = plans[value.plan]?.routes ?? [];
    tenants[id] = {
      id,
      plan: value.plan,
      routes: [...new Set([...own, ...fromPlan])],
      ...tenantSettings(value, merged.plans.get(value.plan)?.value),
    };
  }

  const tools: Record<string, ToolConfig> = {};
  for (const { id, value } of merged.tools.values()) tools[id] = toolConfig(id, value);

  return { providers, models, routes, plans, tenants, tools };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function routerConfig(value: RouteRouterValue): RouterConfig {
  const { artifact, verifier, threshold, ...rest } = value;
  return {
    ...rest,
    ...(artifact === undefined ? {} : { artifact }),
    ...(verifier === undefined ? {} : { verifier }),
    ...(threshold === undefined ? {} : { threshold }),
  };
}
