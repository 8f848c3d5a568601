import { ATTR } from "./attributes";
import type { AttrValue, FinishedSpan } from "./span";

/** Explicit bucket boundaries the GenAI conventions give for each histogram. */
const TOKEN_BOUNDS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BOUNDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Micro-credits: 1 µ¢ to 100 credits, ×4 steps like the token buckets. */
const COST_BOUNDS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

export interface MetricDef {
  name: string;
  unit: string;
  description: string;
  bounds: readonly number[];
}

export const METRICS = {
  tokens: {
    name: "gen_ai.client.token.usage",
    unit: "{token}",
    description: "Number of input and output tokens used (billed).",
    bounds: TOKEN_BOUNDS,
  },
  duration: {
    name: "gen_ai.client.operation.duration",
    unit: "s",
    description: "GenAI operation duration.",
    bounds: DURATION_BOUNDS,
  },
  cost: {
    name: "gateway.cost",
    unit: "{microcredit}",
    description: "What the gateway billed for a request, in micro-credits.",
    bounds: COST_BOUNDS,
  },
} as const satisfies Record<string, MetricDef>;

export interface HistogramPoint {
  attributes: Record<string, AttrValue>;
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}

/** Attributes the metrics keep (low cardinality: never the request id, tenant or task). */
const METRIC_ATTRS = [
  ATTR.operationName,
  ATTR.providerName,
  ATTR.requestModel,
  ATTR.responseModel,
  ATTR.errorType,
  ATTR.route,
] as const;

/**
 * Delta histograms per isolate: what was recorded since the last export. Each request adds one duration, its input and
 * output tokens and its cost, read from its root span, so metrics need no plumbing of their own.
 */
export class Histograms {
  private readonly points = new Map<string, { def: MetricDef; point: HistogramPoint }>();
  startMs: number;

  constructor(now: number) {
    this.startMs = now;
  }

  get size(): number {
    return this.points.size;
  }

  recordRoot(root: FinishedSpan): void {
    const a = root.attributes;
    if (a[ATTR.operationName] === undefined) return;
    const base: Record<string, AttrValue> = {};
    for (const key of METRIC_ATTRS) {
      const value = a[key];
      if (value !== undefined) base[key] = value;
    }
    this.add(METRICS.duration, base, (root.endMs - root.startMs) / 1000);
    const input = a[ATTR.inputTokens];
    const output = a[ATTR.outputTokens];
    if (typeof input === "number") this.add(METRICS.tokens, { ...base, [ATTR.tokenType]: "input" }, input);
    if (typeof output === "number") this.add(METRICS.tokens, { ...base, [ATTR.tokenType]: "output" }, output);
    const cost = a[ATTR.cost];
    if (typeof cost === "number") this.add(METRICS.cost, base, cost);
  }

  add(def: MetricDef, attributes: Record<string, AttrValue>, value: number): void {
    const key = `${def.name}\u0000${JSON.stringify(attributes)}`;
    let entry = this.points.get(key);
    if (entry === undefined) {
      const point = { attributes, count: 0, sum: 0, min: value, max: value, buckets: def.bounds.map(() => 0) };
      point.buckets.push(0);
      entry = { def, point };
      this.points.set(key, entry);
    }
    const p = entry.point;
    p.count++;
    p.sum += value;
    p.min = Math.min(p.min, value);
    p.max = Math.max(p.max, value);
    // Bucket i holds (bounds[i-1], bounds[i]]; the last one everything above the last bound.
    let i = def.bounds.findIndex((b) => value <= b);
    if (i === -1) i = def.bounds.length;
    p.buckets[i] = (p.buckets[i] ?? 0) + 1;
  }

  /** Takes what was recorded and starts a new delta window at `now`. */
  drain(now: number): { startMs: number; entries: { def: MetricDef; point: HistogramPoint }[] } {
    const out = { startMs: this.startMs, entries: [...this.points.values()] };
    this.points.clear();
    this.startMs = now;
    return out;
  }
}
