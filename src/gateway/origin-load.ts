import type { Services } from "../context";
import { resolveMetricsEndpoint } from "../providers/resolve";
import type { MetricsEndpoint } from "../routing/load/monitor";
import { spillPlan } from "../routing/load/spill-plan";
import type { RoutePlan } from "../routing/plan";
import { resolveCached } from "./upstream-call";

/**
 * Origin load in the request path: the spill step that reorders a plan before it runs (the isolate's LoadMonitor
 * lives in Services). A scrape a request starts runs in the background, kept alive by `waitUntil`.
 */

function metricsEndpoint(services: Services, providerId: string): MetricsEndpoint | undefined {
  const config = services.policy.providers[providerId];
  const resolved = resolveCached(services, providerId);
  if (config === undefined || resolved === undefined || !resolved.ok) return undefined;
  return resolveMetricsEndpoint(config, resolved.provider, (name) => services.env.secret(name));
}

/** The plan with spilling clusters' targets moved behind the rest (its decision records `spillover`). */
export function spillover(
  services: Services,
  plan: RoutePlan,
  waitUntil?: (p: Promise<unknown>) => void,
): { plan: RoutePlan; spilled: boolean } {
  const { load } = services;
  const spilling = new Set<string>();
  for (const providerId of new Set(plan.attempts.map((a) => a.providerId))) {
    const config = services.policy.providers[providerId]?.load;
    if (config === undefined) continue;
    const scrape = load.refresh(providerId, config, () => metricsEndpoint(services, providerId));
    if (scrape !== undefined) waitUntil?.(scrape);
    if (load.decide(providerId, config).spilling) spilling.add(providerId);
  }
  return spillPlan(plan, spilling);
}

/** Whether any origin cluster among these providers is spilling now (batch items wait for idle capacity). */
export function originsBusy(
  services: Services,
  providerIds: Iterable<string>,
  waitUntil?: (p: Promise<unknown>) => void,
): boolean {
  const { load } = services;
  let busy = false;
  for (const providerId of new Set(providerIds)) {
    const config = services.policy.providers[providerId]?.load;
    if (config === undefined) continue;
    const scrape = load.refresh(providerId, config, () => metricsEndpoint(services, providerId));
    if (scrape !== undefined) waitUntil?.(scrape);
    if (load.decide(providerId, config).spilling) busy = true;
  }
  return busy;
}
