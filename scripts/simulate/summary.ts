import type { UsageEvent } from "../../src/ledger/types";
import type { CompiledPolicy } from "../../src/policy/types";
import type { Replayed } from "./replay";

/** The figures one policy produces over the recorded traffic. */
export interface PolicyFigures {
  version: string;
  /** Micro-credits: served requests at the policy's prices plus passthrough events at their recorded cost. */
  totalCost: number;
  costByFeature: Record<string, number>;
  served: number;
  premium: number;
  /** Served requests per model alias. */
  choices: Record<string, number>;
  refused: Record<string, number>;
}

export function figures(policy: CompiledPolicy, results: readonly Replayed[]): PolicyFigures {
  const f: PolicyFigures = {
    version: policy.version,
    totalCost: 0,
    costByFeature: {},
    served: 0,
    premium: 0,
    choices: {},
    refused: {},
  };
  for (const r of results) {
    if (r.kind === "refused") {
      f.refused[r.reason] = (f.refused[r.reason] ?? 0) + 1;
      continue;
    }
    f.totalCost += r.cost;
    f.costByFeature[r.feature] = (f.costByFeature[r.feature] ?? 0) + r.cost;
    if (r.kind === "served") {
      f.served++;
      if (r.premium) f.premium++;
      f.choices[r.alias] = (f.choices[r.alias] ?? 0) + 1;
    }
  }
  return f;
}

/** Aliases the traffic used (as recorded) that the candidate no longer has, or has without a price. */
export function staleModels(events: readonly UsageEvent[], candidate: CompiledPolicy): Record<string, string> {
  const counts = new Map<string, number>();
  for (const e of events)
    if (e.model !== undefined && e.tool === undefined) counts.set(e.model, (counts.get(e.model) ?? 0) + 1);
  const out: Record<string, string> = {};
  for (const [alias, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    const model = candidate.models[alias];
    if (model === undefined) out[alias] = `removed (${n} recorded request${n === 1 ? "" : "s"})`;
    else if (model.pricing === null) out[alias] = `unpriced (${n} recorded request${n === 1 ? "" : "s"})`;
  }
  return out;
}

export interface Comparison {
  events: number;
  replayed: number;
  approximate: number;
  passthrough: Record<string, number>;
  recordedCost: number;
  current: PolicyFigures;
  candidate: PolicyFigures;
  /** Candidate over current, as a fraction (0.05 = 5% more); null when the current cost is 0. */
  costChange: number | null;
  staleModels: Record<string, string>;
}

export function compare(
  events: readonly UsageEvent[],
  current: { policy: CompiledPolicy; results: readonly Replayed[] },
  candidate: { policy: CompiledPolicy; results: readonly Replayed[] },
): Comparison {
  const passthrough: Record<string, number> = {};
  let approximate = 0;
  for (const r of candidate.results) {
    if (r.kind === "passthrough") passthrough[r.why] = (passthrough[r.why] ?? 0) + 1;
    if (r.kind === "served" && r.approximate) approximate++;
  }
  const cur = figures(current.policy, current.results);
  const cand = figures(candidate.policy, candidate.results);
  const passed = Object.values(passthrough).reduce((a, b) => a + b, 0);
  return {
    events: events.length,
    replayed: events.length - passed,
    approximate,
    passthrough,
    recordedCost: events.reduce((a, e) => a + e.cost, 0),
    current: cur,
    candidate: cand,
    costChange: cur.totalCost === 0 ? null : (cand.totalCost - cur.totalCost) / cur.totalCost,
    staleModels: staleModels(events, candidate.policy),
  };
}

/** The CI gate: does the candidate cost more than `maxIncrease` (a fraction) over the current policy? */
export function exceeds(c: Comparison, maxIncrease: number): boolean {
  return c.candidate.totalCost > c.current.totalCost * (1 + maxIncrease);
}
