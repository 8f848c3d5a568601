import { addCounters } from "./event-counters";
import { type Metrics, metrics } from "./metrics";
import type { Cell, Counters, Dimension, Dims } from "./types";

/** Keep only cells whose dimension is one of the listed values (per dimension; absent = any). */
export type Filters = Partial<Record<Dimension, readonly string[]>>;

export interface GroupRow extends Metrics {
  /** Bucket start (ms) — absent on whole-range rows. */
  start?: number;
  /** The group's dimension values, for each `group_by` dimension. */
  group: Partial<Dims>;
}

export interface Aggregated {
  /** One row per (bucket, group), oldest bucket first. */
  series: GroupRow[];
  /** One row per group over the whole range, most expensive first. */
  groups: GroupRow[];
  totals: Metrics;
}

export function matches(dims: Dims, filters: Filters): boolean {
  for (const [dim, allowed] of Object.entries(filters) as [Dimension, readonly string[]][]) {
    if (!allowed.includes(dims[dim])) return false;
  }
  return true;
}

function pick(dims: Dims, groupBy: readonly Dimension[]): Partial<Dims> {
  const out: Partial<Dims> = {};
  for (const d of groupBy) out[d] = dims[d];
  return out;
}

/** Sums the cells that pass the filters, by bucket and group and over the whole range. Pure. */
export function aggregate(cells: readonly Cell[], filters: Filters, groupBy: readonly Dimension[]): Aggregated {
  const series = new Map<string, { start: number; group: Partial<Dims>; c: Counters }>();
  const groups = new Map<string, { group: Partial<Dims>; c: Counters }>();
  const total: Counters = {};
  for (const cell of cells) {
    if (!matches(cell.dims, filters)) continue;
    const group = pick(cell.dims, groupBy);
    const gk = JSON.stringify(group);
    const sk = `${cell.start}|${gk}`;
    let s = series.get(sk);
    if (s === undefined) {
      s = { start: cell.start, group, c: {} };
      series.set(sk, s);
    }
    addCounters(s.c, cell.counters);
    let g = groups.get(gk);
    if (g === undefined) {
      g = { group, c: {} };
      groups.set(gk, g);
    }
    addCounters(g.c, cell.counters);
    addCounters(total, cell.counters);
  }
  return {
    series: [...series.values()]
      .sort((a, b) => a.start - b.start || compare(a.group, b.group))
      .map((s) => ({ start: s.start, group: s.group, ...metrics(s.c) })),
    groups: [...groups.values()]
      .map((g) => ({ group: g.group, ...metrics(g.c) }))
      .sort((a, b) => b.cost - a.cost || b.requests - a.requests || compare(a.group, b.group)),
    totals: metrics(total),
  };
}

function compare(a: Partial<Dims>, b: Partial<Dims>): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
