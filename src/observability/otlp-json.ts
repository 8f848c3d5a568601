import type { HistogramPoint, MetricDef } from "./metrics";
import type { AttrValue, FinishedSpan } from "./span";

/**
 * OTLP/HTTP JSON encoding (opentelemetry-proto's JSON mapping): ids as hex strings, 64-bit integers as decimal
 * strings, enums as numbers.
 */
type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } };

export interface KeyValue {
  key: string;
  value: AnyValue;
}

function anyValue(v: AttrValue): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
}

export function keyValues(attrs: Record<string, AttrValue>): KeyValue[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** Milliseconds (what a Worker's clock gives) as a nanosecond decimal string. */
function nanos(ms: number): string {
  return `${Math.round(ms * 1000)}000`;
}

export interface Resource {
  attributes: KeyValue[];
}

export const SCOPE = { name: "edge-inference-router", version: "1" };

export function encodeSpans(resource: Resource, spans: readonly FinishedSpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource,
        scopeSpans: [
          {
            scope: SCOPE,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: keyValues(s.attributes),
              status:
                s.error === undefined
                  ? { code: 0 }
                  : { code: 2, ...(s.error.message === undefined ? {} : { message: s.error.message }) },
            })),
          },
        ],
      },
    ],
  });
}

/** Delta temporality (1): each isolate exports what it saw since its last export. */
const DELTA = 1;

export function encodeHistograms(
  resource: Resource,
  window: { startMs: number; endMs: number; entries: { def: MetricDef; point: HistogramPoint }[] },
): string {
  const byMetric = new Map<MetricDef, HistogramPoint[]>();
  for (const { def, point } of window.entries) {
    const list = byMetric.get(def) ?? [];
    list.push(point);
    byMetric.set(def, list);
  }
  const metrics = [...byMetric].map(([def, points]) => ({
    name: def.name,
    unit: def.unit,
    description: def.description,
    histogram: {
      aggregationTemporality: DELTA,
      dataPoints: points.map((p) => ({
        attributes: keyValues(p.attributes),
        startTimeUnixNano: nanos(window.startMs),
        timeUnixNano: nanos(window.endMs),
        count: String(p.count),
        sum: p.sum,
        min: p.min,
        max: p.max,
        bucketCounts: p.buckets.map(String),
        explicitBounds: def.bounds,
      })),
    },
  }));
  return JSON.stringify({ resourceMetrics: [{ resource, scopeMetrics: [{ scope: SCOPE, metrics }] }] });
}
