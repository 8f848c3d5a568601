/**
 * When does an origin cluster spill? Pure: each configured gauge has a level at which spilling starts (`spill_at`)
 * and a lower one at which it stops (`resume_at`). Spilling starts when ANY gauge reaches its spill level, and stops
 * only when EVERY gauge is at or below its resume level, so a cluster hovering around one level does not flap
 * between origin and hosted fallback on every request.
 */

import type { LoadLevels } from "../../policy/types";

export interface LoadView {
  /** Requests waiting for a slot, from `/metrics` or the ORCA header. */
  waiting?: number;
  /** Requests running, from `/metrics` or the ORCA header. */
  running?: number;
  /** KV-cache fill, 0..1. */
  kvCacheUsage?: number;
  /** Requests this isolate has in flight to the cluster right now. */
  inFlight: number;
  /** EWMA of the time to first token of this isolate's streams to the cluster, in ms. */
  ttftMs?: number;
}

export type { LoadLevels };

export interface SpillThresholds {
  spill_at: LoadLevels;
  resume_at: LoadLevels;
}

const GAUGES = [
  ["waiting", "waiting"],
  ["running", "running"],
  ["kv_cache_usage", "kvCacheUsage"],
  ["in_flight", "inFlight"],
  ["ttft_ms", "ttftMs"],
] as const satisfies readonly (readonly [keyof LoadLevels, keyof LoadView])[];

export type GaugeName = (typeof GAUGES)[number][0];

export interface SpillDecision {
  spilling: boolean;
  /** The gauge that started (or keeps) the spill, when spilling. */
  gauge?: GaugeName;
}

/** A gauge the view does not have (no sample yet, no stream yet) neither starts a spill nor holds one. */
export function nextSpillState(spilling: boolean, view: LoadView, t: SpillThresholds): SpillDecision {
  for (const [level, gauge] of GAUGES) {
    const at = t.spill_at[level];
    const value = view[gauge];
    if (at !== undefined && value !== undefined && value >= at) return { spilling: true, gauge: level };
  }
  if (!spilling) return { spilling: false };
  // Every gauge is below its spill level here; one still above its resume level holds the spill.
  for (const [level, gauge] of GAUGES) {
    const resume = t.resume_at[level];
    const value = view[gauge];
    if (resume !== undefined && value !== undefined && value > resume) return { spilling: true, gauge: level };
  }
  return { spilling: false };
}
