import type { PlannedAttempt, RoutePlan } from "../routing/plan";

/** What served a routed request; reported in response headers and (later) usage events. */
export interface RouteMeta {
  route: string;
  alias: string;
  providerId: string;
  upstreamModel: string;
  attempts: number;
  /** The answer came from a target other than the plan's first choice. */
  fallback: boolean;
  policyVersion: string;
}

export function routeMeta(plan: RoutePlan, served: PlannedAttempt, attempts: number, policyVersion: string): RouteMeta {
  return {
    route: plan.route.name,
    alias: served.alias,
    providerId: served.providerId,
    upstreamModel: served.upstreamModel,
    attempts,
    fallback: plan.attempts[0]?.targetKey !== served.targetKey,
    policyVersion,
  };
}

/** Response headers we add to routed responses; documented in README "Response headers". */
export function routeHeaders(meta: RouteMeta): Record<string, string> {
  return {
    "x-gateway-route": meta.route,
    "x-gateway-model": meta.alias,
    "x-gateway-provider": meta.providerId,
    "x-gateway-upstream-model": meta.upstreamModel,
    "x-gateway-attempts": String(meta.attempts),
    "x-gateway-policy-version": meta.policyVersion,
  };
}
