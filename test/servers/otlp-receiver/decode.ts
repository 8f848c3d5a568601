import { z } from "zod";

/**
 * Strict decoding of OTLP/HTTP JSON (opentelemetry-proto's JSON mapping), so a malformed export is a 400 and a test
 * that reads it back fails: hex ids of the right length, 64-bit integers as decimal strings, known span kinds.
 */
type Any = { stringValue: string } | { boolValue: boolean } | { intValue: string | number } | { doubleValue: number };
const AnyValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.object({ stringValue: z.string() }).strict(),
    z.object({ boolValue: z.boolean() }).strict(),
    z.object({ intValue: z.union([z.string().regex(/^-?\d+$/), z.number().int()]) }).strict(),
    z.object({ doubleValue: z.number() }).strict(),
    z.object({ arrayValue: z.object({ values: z.array(AnyValue) }).strict() }).strict(),
  ]),
);
const KeyValue = z.object({ key: z.string().min(1), value: AnyValue }).strict();
const Nanos = z.string().regex(/^\d{1,20}$/);
const Resource = z.object({ attributes: z.array(KeyValue) }).strict();
const Scope = z.object({ name: z.string(), version: z.string().optional() }).strict();

const Span = z
  .object({
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
    spanId: z.string().regex(/^[0-9a-f]{16}$/),
    parentSpanId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    name: z.string().min(1),
    kind: z.number().int().min(0).max(5),
    startTimeUnixNano: Nanos,
    endTimeUnixNano: Nanos,
    attributes: z.array(KeyValue),
    status: z.object({ code: z.number().int().min(0).max(2), message: z.string().optional() }).strict(),
  })
  .strict();

export const TracesRequest = z
  .object({
    resourceSpans: z.array(
      z
        .object({
          resource: Resource,
          scopeSpans: z.array(z.object({ scope: Scope, spans: z.array(Span) }).strict()),
        })
        .strict(),
    ),
  })
  .strict();

const HistogramPoint = z
  .object({
    attributes: z.array(KeyValue),
    startTimeUnixNano: Nanos,
    timeUnixNano: Nanos,
    count: z.string().regex(/^\d+$/),
    sum: z.number(),
    min: z.number(),
    max: z.number(),
    bucketCounts: z.array(z.string().regex(/^\d+$/)),
    explicitBounds: z.array(z.number()),
  })
  .strict()
  .refine((p) => p.bucketCounts.length === p.explicitBounds.length + 1, "bucketCounts must be bounds + 1")
  .refine(
    (p) => p.bucketCounts.reduce((a, b) => a + Number(b), 0) === Number(p.count),
    "bucket counts must add up to count",
  );

export const MetricsRequest = z
  .object({
    resourceMetrics: z.array(
      z
        .object({
          resource: Resource,
          scopeMetrics: z.array(
            z
              .object({
                scope: Scope,
                metrics: z.array(
                  z
                    .object({
                      name: z.string(),
                      unit: z.string(),
                      description: z.string(),
                      histogram: z
                        .object({ aggregationTemporality: z.literal(1), dataPoints: z.array(HistogramPoint) })
                        .strict(),
                    })
                    .strict(),
                ),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

export type Plain = string | number | boolean | Plain[];

function plain(value: unknown): Plain {
  const v = value as Any | { arrayValue: { values: unknown[] } };
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return v.doubleValue;
  return v.arrayValue.values.map(plain);
}

export function attributes(list: { key: string; value: unknown }[]): Record<string, Plain> {
  return Object.fromEntries(list.map((kv) => [kv.key, plain(kv.value)]));
}
