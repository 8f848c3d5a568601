import { decidedByRule, type RoutePlan } from "../plan";

/**
 * Moves the attempts of spilling origin clusters behind every other attempt of the plan (the alias's other targets,
 * then its `model_fallbacks`), so the request goes to the hosted fallback before the cluster queues it. A plan with
 * nothing else to try keeps its order: queueing on the origin beats failing. Pure.
 */
export function spillPlan(plan: RoutePlan, spilling: ReadonlySet<string>): { plan: RoutePlan; spilled: boolean } {
  if (spilling.size === 0) return { plan, spilled: false };
  const kept = plan.attempts.filter((a) => !spilling.has(a.providerId));
  if (kept.length === 0 || kept.length === plan.attempts.length) return { plan, spilled: false };
  const moved = plan.attempts.filter((a) => spilling.has(a.providerId));
  const attempts = [...kept, ...moved];
  const spilled = attempts[0] !== plan.attempts[0];
  if (!spilled) return { plan: { ...plan, attempts }, spilled };
  const decision = { ...(plan.decision ?? { decidedBy: decidedByRule(plan) }), spillover: true };
  return { plan: { ...plan, attempts, decision }, spilled };
}
