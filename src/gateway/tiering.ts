import type { Services } from "../context";
import type { PremiumCapConfig, RouteConfig } from "../policy/types";
import { decidedByRule, type PlanInput, planTier, type RoutePlan, type TierDecision, tierOf } from "../routing/plan";
import { premiumAllowed, recordTier, type ShareWindow, upgradeToPremium } from "../routing/premium-share";

/**
 * The premium-share cap in the request path. The window lives in the isolate (Services.premiumShares): each isolate
 * caps its own share of the traffic it serves, which tracks the deployment-wide share when traffic spreads evenly
 * over isolates and is exact for one isolate; a Durable Object window would be exact everywhere but put a round trip
 * in front of every routed request.
 */

function capWindow(services: Services, route: RouteConfig, cap: PremiumCapConfig, tenantId: string): ShareWindow {
  const key = cap.per === "tenant" ? `${route.name}\u0000${tenantId}` : route.name;
  return services.premiumShares.window(key, cap.window_s * 1000);
}

/** The learned router's score and verdict, kept when a later step (the cap) changes the tier. */
function routerOf(plan: RoutePlan): Pick<TierDecision, "score" | "router"> {
  const d = plan.decision;
  if (d?.router === undefined) return {};
  return { router: d.router, ...(d.score === undefined ? {} : { score: d.score }) };
}

/**
 * Records the planned tier in the cap's window, and keeps a borderline premium request on the cheap tier when the
 * window is at the cap. Only requests that named the route are moved (one that named the premium alias asked for
 * it); a learned-router score at or above `keep_above` keeps the premium tier.
 */
export function capPremium(
  services: Services,
  tenantId: string,
  input: PlanInput,
  plan: RoutePlan,
  score?: number,
  /** false: decide as a request would, but leave the window untouched (count_tokens asks, it is not served). */
  record = true,
): RoutePlan {
  const { route } = plan;
  const tier = tierOf(route, plan.alias);
  if (tier === undefined || plan.viaRoute !== true) return plan;
  const decided: RoutePlan = { ...plan, decision: plan.decision ?? { decidedBy: decidedByRule(plan), tier } };
  const cap = route.premium_cap;
  if (cap === undefined || route.tiers === undefined) return decided;
  const w = capWindow(services, route, cap, tenantId);
  const now = services.now();
  const borderline = score === undefined || score < cap.keep_above;
  if (tier === "premium" && borderline && !premiumAllowed(w, now, cap.max_share, cap.min_requests)) {
    const cheap = planTier(input, plan, route.tiers.cheap, {
      decidedBy: "premium_cap",
      tier: "cheap",
      ...routerOf(decided),
    });
    if (cheap.ok) {
      if (record) recordTier(w, now, false);
      return cheap.plan;
    }
  }
  if (record) recordTier(w, now, tier === "premium");
  return decided;
}

/**
 * Deadline degradation before the premium call: a request routed premium (by a rule, the router or the default)
 * with less than the premium tier's stated time (`degrade.premium_ms`) left of the route's
 * deadline is served by the cheap tier. Checked while planning, before the premium cap counts the request.
 */
export function degradeForDeadline(
  services: Services,
  input: PlanInput,
  plan: RoutePlan,
  startedAt: number,
): RoutePlan {
  const { route } = plan;
  const degrade = route.degrade;
  if (degrade?.deadline !== true || route.tiers === undefined || plan.viaRoute !== true) return plan;
  if (tierOf(route, plan.alias) !== "premium") return plan;
  const needed = degrade.premium_ms;
  if (needed === undefined) return plan;
  const remaining = route.timeouts.deadline_ms - (services.now() - startedAt);
  if (remaining >= needed) return plan;
  const cheap = planTier(input, plan, route.tiers.cheap, {
    decidedBy: "degrade:deadline",
    tier: "cheap",
    ...routerOf(plan),
  });
  return cheap.ok ? cheap.plan : plan;
}

/** At the cap, score-based cascade escalations are held back (failed checks still escalate). */
export function atPremiumCap(services: Services, tenantId: string, route: RouteConfig): boolean {
  const cap = route.premium_cap;
  if (cap === undefined) return false;
  return !premiumAllowed(capWindow(services, route, cap, tenantId), services.now(), cap.max_share, cap.min_requests);
}

/** A cascade escalated: the request counted as cheap now counts as premium. */
export function countEscalation(services: Services, tenantId: string, route: RouteConfig): void {
  const cap = route.premium_cap;
  if (cap !== undefined) upgradeToPremium(capWindow(services, route, cap, tenantId), services.now());
}
