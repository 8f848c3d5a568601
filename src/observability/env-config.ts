import { z } from "zod";

/**
 * OpenTelemetry's part of the Worker's vars and secrets (the standard OTel SDK variables); `src/env.ts` spreads it
 * into the Worker's env schema. No endpoint = telemetry off (the no-op tracer).
 */
export const OtelEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.enum(["true", "false"]).optional(),
  /** Base URL of an OTLP/HTTP receiver (`/v1/traces` and `/v1/metrics` are appended). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.url().optional(),
  /** A secret: `name=value,...` sent with every export (e.g. the backend's API key). */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().min(1).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default("edge-inference-router"),
  OTEL_TRACES_SAMPLER: z
    .enum([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ])
    .default("parentbased_always_on"),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Longest a finished span waits in an isolate's buffer, ms (what an evicted isolate can lose). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(0).max(60_000).default(1000),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(512),
  /** How often an isolate sends its delta histograms, ms. */
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().min(0).max(600_000).default(10_000),
  OTEL_EXPORTER_OTLP_TIMEOUT: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Which outbound calls carry our `traceparent`: `all` (default), `upstreams`, `tools` or `none`. */
  GATEWAY_TRACE_PROPAGATION: z.enum(["all", "upstreams", "tools", "none"]).default("all"),
});

export type OtelEnvConfig = z.infer<typeof OtelEnvSchema>;
