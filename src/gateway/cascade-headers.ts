import type { Admission } from "./billing/types";
import type { CascadeReport } from "./types";

/**
 * A cascade's verdict, its weakest signal and confidence, and the request's whole cost: when the premium answer is
 * served, `x-gateway-cost` is both calls (the cheap one's charge plus the premium one's), with each part alongside.
 */
export function cascadeHeaders(
  report: CascadeReport | undefined,
  admission: Admission,
  /** The served call's cost; unknown when a stream starts (then only the cheap call's charge is reported). */
  cost?: number,
): Record<string, string> {
  if (report === undefined) return {};
  const headers: Record<string, string> = { "x-gateway-cascade": report.verdict };
  if (report.signal !== undefined) headers["x-gateway-cascade-signal"] = report.signal;
  if (report.confidence !== undefined) headers["x-gateway-confidence"] = report.confidence.toFixed(4);
  if (report.verdict === "escalated" && cost === undefined) headers["x-gateway-cost-cheap"] = String(report.cheapCost);
  if (report.verdict === "escalated" && cost !== undefined) {
    const premium = Math.min(cost, admission.reserved);
    headers["x-gateway-cost"] = String(premium + report.cheapCost);
    headers["x-gateway-cost-cheap"] = String(report.cheapCost);
    headers["x-gateway-cost-premium"] = String(premium);
  }
  return headers;
}
