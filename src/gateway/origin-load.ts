import type { Services } from "../context";
import type { Env } from "../env";
import type { CompiledPolicy } from "../policy/types";
import { resolveMetricsEndpoint, resolveProvider } from "../providers/resolve";
import { LoadMonitor } from "../routing/load/monitor";
import { spillPlan } from "../routing/load/spill-plan";
import type { RoutePlan } from "../routing/plan";

/**
 * Origin load in the request path: the isolate's LoadMonitor (built once, like the circuit breakers), and the
 * spill step that reorders a plan before it runs. The scrape a request may start runs in the background.
 */
export function createLoadMonitor(policy: CompiledPolicy, env: () => Env | undefined): LoadMonitor {
  return new LoadMonitor({
    fetch: (req) => fetch(req),
    now: () => Date.now(),
    config: (providerId) => policy.providers[providerId]?.load,
    metricsEndpoint: (providerId) => {
      const config = policy.providers[providerId];
      const current = env();
      if (config === undefined || current === undefined) return undefined;
      const lookup = (name: string) => current.secret(name);
      const resolved = resolveProvider(config, lookup);
      return resolved.ok ? resolveMetricsEndpoint(config, resolved.provider, lookup) : undefined;
    },
  });
}

/** The plan with spilling clusters' targets moved behind the rest; `spilled` names the cluster skipped first. */
export function spillover(
  services: Pick<Services, "load">,
  plan: RoutePlan,
  waitUntil?: (p: Promise<unknown>) => void,
): { plan: RoutePlan; spilled?: string } {
  const { load } = services;
  const spilling = new Set<string>();
  for (const providerId of new Set(plan.attempts.map((a) => a.providerId))) {
    if (!load.watches(providerId)) continue;
    const scrape = load.refresh(providerId);
    if (scrape !== undefined) waitUntil?.(scrape);
    if (load.decide(providerId).spilling) spilling.add(providerId);
  }
  const out = spillPlan(plan, spilling);
  const first = plan.attempts[0]?.providerId;
  return out.spilled && first !== undefined ? { plan: out.plan, spilled: first } : { plan: out.plan };
}
