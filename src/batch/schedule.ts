import type { CompiledPolicy, RouteBatchConfig, RouteConfig, TenantConfig } from "../policy/types";

/** A route's batch settings when its policy gives none: no deferral, four items of a tenant at once. */
export const DEFAULT_BATCH: RouteBatchConfig = {
  completion_window: "24h",
  max_concurrency: 4,
  origin_idle: false,
  via: "gateway",
  poll_interval_s: 60,
  retry_delay_s: 30,
};

/** In the last hour of the completion window, deferred items run whatever the window or the load. */
export const FINAL_HOUR_MS = 3_600_000;

/** The route an item's `model` resolves to for this tenant (the planner's own order), or undefined. */
export function routeFor(policy: CompiledPolicy, tenant: TenantConfig, model: string): RouteConfig | undefined {
  if (tenant.routes.includes(model)) return policy.routes[model];
  for (const name of tenant.routes) {
    const route = policy.routes[name];
    if (route?.models.includes(model)) return route;
  }
  return undefined;
}

export type StartDecision = { run: true } | { run: false; delaySeconds: number; reason: "off_peak" | "origin_busy" };

export interface StartFacts {
  nowMs: number;
  expiresAtMs: number;
  /** Some origin cluster of the route is spilling (its load is above the provider's thresholds). */
  originBusy: boolean;
}

function inWindow(hour: number, w: { start_hour: number; end_hour: number }): boolean {
  return w.start_hour < w.end_hour
    ? hour >= w.start_hour && hour < w.end_hour
    : hour >= w.start_hour || hour < w.end_hour;
}

/**
 * Whether a batch item may start now (pure). Off-peak windows and busy origins defer it; in the last hour of the
 * completion window nothing defers, so the window is kept. A deferral never sleeps past that last hour.
 */
export function startDecision(config: RouteBatchConfig, facts: StartFacts): StartDecision {
  const untilFinalHour = facts.expiresAtMs - FINAL_HOUR_MS - facts.nowMs;
  if (untilFinalHour <= 0) return { run: true };
  // Queues delay a message by at most 12 hours; a longer wait is taken in steps.
  const cap = (seconds: number) => Math.max(1, Math.min(seconds, 43_200, Math.ceil(untilFinalHour / 1000)));
  const window = config.off_peak;
  if (window !== undefined) {
    const now = new Date(facts.nowMs);
    if (!inWindow(now.getUTCHours(), window)) {
      const opens = new Date(facts.nowMs);
      opens.setUTCHours(window.start_hour, 0, 0, 0);
      if (opens.getTime() <= facts.nowMs) opens.setUTCDate(opens.getUTCDate() + 1);
      return { run: false, delaySeconds: cap(Math.ceil((opens.getTime() - facts.nowMs) / 1000)), reason: "off_peak" };
    }
  }
  if (config.origin_idle && facts.originBusy) {
    return { run: false, delaySeconds: cap(Math.max(1, config.retry_delay_s)), reason: "origin_busy" };
  }
  return { run: true };
}
