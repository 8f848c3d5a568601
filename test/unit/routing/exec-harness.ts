import type { RouteConfig } from "../../../src/policy/types";
import { CircuitBreakers } from "../../../src/routing/circuit-breaker";
import { type AttemptRecord, type ExecuteResult, executePlan } from "../../../src/routing/execute";
import type { RoutePlan } from "../../../src/routing/plan";
import { planOf, type Step, scripted, sequence, VirtualClock } from "./helpers";

export interface ExecOptions {
  clock?: VirtualClock;
  breakers?: CircuitBreakers;
  random?: () => number;
  signal?: AbortSignal;
  discard?: (value: string) => void;
  onIdle?: () => void;
}

/** Runs one plan against a scripted upstream on virtual time. */
export async function exec(plan: RoutePlan, script: Record<string, Step<string>[]>, options: ExecOptions = {}) {
  const clock = options.clock ?? new VirtualClock();
  const breakers = options.breakers ?? new CircuitBreakers(clock.now);
  const upstream = scripted(clock, script);
  const result = await clock.run(
    executePlan(plan, {
      attempt: upstream.attempt,
      breakers,
      now: clock.now,
      sleep: clock.sleep,
      random: options.random ?? sequence(0.5),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.discard === undefined ? {} : { discard: options.discard }),
    }),
    options.onIdle,
  );
  return { result, calls: upstream.calls, clock, breakers };
}

export function plan(targets: string[], routeExtra: Partial<RouteConfig> = {}): RoutePlan {
  return planOf(targets, routeExtra);
}

/** `a/1 ok`, `a/1 503`, `a/1 timeout`: compact trails for table assertions. */
export function trailOf(result: ExecuteResult<string>): string[] {
  return result.trail.map((r: AttemptRecord) => `${r.targetKey} ${r.outcome === "status" ? r.status : r.outcome}`);
}

export function served(result: ExecuteResult<string>): string {
  return result.ok ? `${result.attempt.targetKey}=${result.value}` : `error:${result.error.code}`;
}
