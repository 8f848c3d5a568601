import type { TierDecision } from "../routing/plan";

/**
 * Response headers for runtime tier decisions (documented in README "Response headers"): spillover, degradation,
 * the premium cap and the cascade. Absent decision, no headers.
 */
export function decisionHeaders(d: TierDecision | undefined): Record<string, string> {
  if (d === undefined) return {};
  const headers: Record<string, string> = { "x-gateway-decided-by": d.decidedBy };
  if (d.tier !== undefined) headers["x-gateway-tier"] = d.tier;
  if (d.spillover === true) headers["x-gateway-spillover"] = "1";
  if (d.decidedBy.startsWith("degrade:")) headers["x-gateway-degraded"] = d.decidedBy.slice("degrade:".length);
  return headers;
}
