import type { UsageEvent } from "../ledger/types";
import { latencyBucket } from "./latency";
import type { Counters, Dims } from "./types";

/** Refusal codes that mean a budget stopped the call: the task budget, the loop guard, the credits. */
export const BUDGET_STOP_CODES = new Set(["task_budget_exceeded", "task_loop_detected", "insufficient_credits"]);

/** The gateway error code of a refused request (`refused:<code>` flag), if it was refused. */
export function refusalCode(event: UsageEvent): string | undefined {
  for (const flag of event.flags) if (flag.startsWith("refused:")) return flag.slice("refused:".length);
  return undefined;
}

/** The code an error is counted under: the refusal's code, else `http_<status>` (e.g. an upstream failure). */
export function errorCode(event: UsageEvent): string | undefined {
  if (event.status < 400) return undefined;
  return refusalCode(event) ?? `http_${event.status}`;
}

export function eventDims(event: UsageEvent): Dims {
  return {
    feature: event.feature ?? "",
    route: event.route ?? "",
    model: event.model ?? "",
    provider: event.provider ?? "",
    key: event.keyId,
  };
}

export function isToolEvent(event: UsageEvent): boolean {
  return event.tool !== undefined;
}

export function isBudgetStop(event: UsageEvent): boolean {
  const code = refusalCode(event);
  return code !== undefined && BUDGET_STOP_CODES.has(code);
}

function add(c: Counters, name: string, n: number): void {
  if (n !== 0) c[name] = (c[name] ?? 0) + n;
}

const nonNegativeInt = (n: number | undefined) => (n !== undefined && Number.isSafeInteger(n) && n > 0 ? n : 0);

/**
 * What one usage event adds to its cell. Model calls count as `requests`; a tool call's audit event counts as a
 * `tool_calls` (its cost is in `cost`, its latency is not in the model latency histogram).
 */
export function eventCounters(event: UsageEvent): Counters {
  const c: Counters = {};
  add(c, "cost", nonNegativeInt(event.cost));
  if (event.tool !== undefined) {
    add(c, "tool_calls", 1);
    if (event.tool.decision !== "executed") add(c, `tool_${event.tool.decision}`, 1);
    return c;
  }
  add(c, "requests", 1);
  const code = errorCode(event);
  if (code === undefined) add(c, "successes", 1);
  else {
    add(c, "errors", 1);
    add(c, `err.${code}`, 1);
  }
  const refused = refusalCode(event);
  if (refused !== undefined) {
    add(c, "refusals", 1);
    if (event.status === 402) add(c, "refused_402", 1);
    if (event.status === 429) add(c, "refused_429", 1);
    if (BUDGET_STOP_CODES.has(refused)) add(c, "budget_stops", 1);
  }
  add(c, "input_tokens", nonNegativeInt(event.inputTokens));
  add(c, "output_tokens", nonNegativeInt(event.outputTokens));
  add(c, "cached_tokens", nonNegativeInt(event.cachedTokens));
  if (event.cache === "hit") add(c, "cache_hits", 1);
  if (event.cache === "shadow") add(c, "cache_shadow_hits", 1);
  if (event.cache === "miss") add(c, "cache_misses", 1);
  if (event.fallback === true) add(c, "fallbacks", 1);
  const attempts = nonNegativeInt(event.attempts);
  if (attempts > 1) {
    add(c, "retried", 1);
    add(c, "extra_attempts", attempts - 1);
  }
  const routing = event.routing;
  if (routing?.tier !== undefined) {
    add(c, "tiered", 1);
    if (routing.tier === "premium") add(c, "premium", 1);
  }
  if (routing?.escalated === true) add(c, "escalations", 1);
  if (routing?.spillover === true) add(c, "spillovers", 1);
  // The learned router chose the tier (also when a cascade or the cap acted after it: the record keeps its verdict).
  if (routing?.router !== undefined && routing.router.shadow !== true) add(c, "routed_by_router", 1);
  if (event.mode === "batch") add(c, "batch", 1);
  if (refused === undefined) add(c, `lat.${latencyBucket(event.latencyMs)}`, 1);
  return c;
}

export function addCounters(into: Counters, from: Counters): Counters {
  for (const [name, n] of Object.entries(from)) add(into, name, n);
  return into;
}
