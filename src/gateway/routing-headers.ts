import type { TierDecision } from "../routing/plan";

/**
 * Response headers for runtime tier decisions (documented in README "Response headers"): spillover, degradation,
 * the premium cap and the cascade. Absent decision, no headers.
 */
export function decisionHeaders(d: TierDecision | undefined): Record<string, string> {
  if (d === undefined) return {};
  const headers: Record<string, string> = { "x-gateway-decided-by": d.decidedBy };
  if (d.tier !== undefined) headers["x-gateway-tier"] = d.tier;
  // The learned router's verdict (also in shadow mode, where it did not decide).
  if (d.router !== undefined) {
    headers["x-gateway-router-tier"] = d.router.tier;
    headers["x-gateway-router-decided-by"] =
      d.router.shadow === true ? `shadow:${d.router.decidedBy}` : d.router.decidedBy;
    if (d.score !== undefined) headers["x-gateway-router-score"] = String(d.score);
  }
  if (d.spillover === true) headers["x-gateway-spillover"] = "1";
  if (d.decidedBy.startsWith("degrade:")) headers["x-gateway-degraded"] = d.decidedBy.slice("degrade:".length);
  return headers;
}
