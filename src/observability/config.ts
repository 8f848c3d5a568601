import type { OtelEnvConfig } from "./env-config";

/** Which outbound calls carry our `traceparent`. */
export type Propagation = "all" | "upstreams" | "tools" | "none";

export type Sampler =
  | { kind: "always_on" }
  | { kind: "always_off" }
  | { kind: "ratio"; ratio: number; parentBased: boolean }
  | { kind: "parent"; root: "always_on" | "always_off" };

export interface TelemetryConfig {
  tracesUrl: string;
  metricsUrl: string;
  headers: Record<string, string>;
  serviceName: string;
  sampler: Sampler;
  /** Longest a finished span waits in the isolate's buffer before a request's waitUntil sends the batch. */
  scheduleDelayMs: number;
  maxBatch: number;
  metricIntervalMs: number;
  timeoutMs: number;
  propagation: Propagation;
}

type OtelEnv = OtelEnvConfig;

/**
 * The standard OTel SDK variables, read once per isolate. Undefined = telemetry off (no endpoint, or
 * OTEL_SDK_DISABLED), in which case requests get the no-op tracer.
 */
export function telemetryConfig(env: OtelEnv): TelemetryConfig | undefined {
  if (env.OTEL_SDK_DISABLED === "true") return undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, "");
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base}/v1/traces`);
  const metricsUrl = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? (base === undefined ? undefined : `${base}/v1/metrics`);
  if (tracesUrl === undefined || metricsUrl === undefined) return undefined;
  return {
    tracesUrl,
    metricsUrl,
    headers: parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME,
    sampler: parseSampler(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG),
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    maxBatch: env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
    metricIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
    timeoutMs: env.OTEL_EXPORTER_OTLP_TIMEOUT,
    propagation: env.GATEWAY_TRACE_PROPAGATION,
  };
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `name=value,name2=value2`, values percent-encoded (the OTel SDK convention). */
export function parseHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined) return out;
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error("OTEL_EXPORTER_OTLP_HEADERS: each entry must be name=value");
    const name = pair.slice(0, eq).trim().toLowerCase();
    const value = decodeURIComponent(pair.slice(eq + 1).trim());
    if (/[\r\n]/.test(value) || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      throw new Error(`OTEL_EXPORTER_OTLP_HEADERS: invalid header ${JSON.stringify(name)}`);
    }
    out[name] = value;
  }
  return out;
}

export function parseSampler(name: string, arg: number | undefined): Sampler {
  const ratio = arg ?? 1;
  switch (name) {
    case "always_on":
      return { kind: "always_on" };
    case "always_off":
      return { kind: "always_off" };
    case "traceidratio":
      return { kind: "ratio", ratio, parentBased: false };
    case "parentbased_traceidratio":
      return { kind: "ratio", ratio, parentBased: true };
    case "parentbased_always_off":
      return { kind: "parent", root: "always_off" };
    default:
      return { kind: "parent", root: "always_on" };
  }
}
