import type { PlannedAttempt, RoutePlan, TierDecision } from "../routing/plan";
import { decisionHeaders } from "./routing-headers";

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
  /** How the tier was decided beyond the named alias (usage event `routing`). */
  routing?: TierDecision;
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
    ...(plan.decision === undefined ? {} : { routing: plan.decision }),
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
    ...decisionHeaders(meta.routing),
  };
}
