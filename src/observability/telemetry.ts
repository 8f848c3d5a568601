import type { SpanKindValue } from "./attributes";
import type { Propagation, TelemetryConfig } from "./config";
import { Histograms } from "./metrics";
import { encodeHistograms, encodeSpans, keyValues, type Resource } from "./otlp-json";
import { shouldSample } from "./sampler";
import { type FinishedSpan, NOOP_SPAN, RecordingSpan, RequestTrace, type Span } from "./span";
import { newSpanId, newTraceId, parseTraceparent } from "./trace-context";

export interface Telemetry {
  readonly enabled: boolean;
  /**
   * The root span of one request. `incoming` is the caller's `traceparent` (honoured: same trace, its span as parent,
   * its sampled flag under a parent-based sampler). `waitUntil` keeps the batch's export alive after the response.
   */
  startRequest(
    name: string,
    kind: SpanKindValue,
    incoming: string | null | undefined,
    waitUntil: (p: Promise<unknown>) => void,
  ): Span;
  /** The `traceparent` for an outbound call of this kind made under `span`, or undefined. */
  outbound(span: Span, target: "upstreams" | "tools"): string | undefined;
}

/** Telemetry off: one shared object, every request gets NOOP_SPAN. */
export const TELEMETRY_OFF: Telemetry = Object.freeze({
  enabled: false,
  startRequest: () => NOOP_SPAN,
  outbound: () => undefined,
});

export interface TelemetryDeps {
  fetch: typeof fetch;
  now: () => number;
}

function propagates(mode: Propagation, target: "upstreams" | "tools"): boolean {
  return mode === "all" || mode === target;
}

/**
 * Per-isolate telemetry: spans of finished requests wait in a buffer, metrics in delta histograms; a request whose
 * trace completes sends the buffer from its own `waitUntil` once the batch is full or old enough. Nothing runs on a
 * timer (a Worker has none between requests), so what an isolate holds when it is evicted is lost: at most
 * `scheduleDelayMs` of spans and `metricIntervalMs` of metrics, or one batch.
 */
export function createTelemetry(config: TelemetryConfig, deps: TelemetryDeps): Telemetry {
  const resource: Resource = {
    attributes: keyValues({
      "service.name": config.serviceName,
      "service.instance.id": newTraceId(),
      "telemetry.sdk.name": "edge-inference-router",
      "telemetry.sdk.language": "webjs",
    }),
  };
  let spans: FinishedSpan[] = [];
  let oldest = 0;
  const histograms = new Histograms(deps.now());
  let lastWarning = 0;

  const post = async (url: string, body: string): Promise<void> => {
    try {
      const res = await deps.fetch(url, {
        method: "POST",
        headers: { ...config.headers, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await res.body?.cancel();
      if (!res.ok) warn(`OTLP export to ${url} answered ${res.status}`);
    } catch (err) {
      warn(`OTLP export to ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // One line a minute at most: an unreachable collector must not flood the logs.
  const warn = (line: string) => {
    const now = deps.now();
    if (now - lastWarning < 60_000) return;
    lastWarning = now;
    console.warn(`${line} (telemetry is dropped, requests are not affected)`);
  };

  const flush = (waitUntil: (p: Promise<unknown>) => void) => {
    const now = deps.now();
    if (spans.length > 0 && (spans.length >= config.maxBatch || now - oldest >= config.scheduleDelayMs)) {
      const batch = spans;
      spans = [];
      for (let i = 0; i < batch.length; i += config.maxBatch) {
        waitUntil(post(config.tracesUrl, encodeSpans(resource, batch.slice(i, i + config.maxBatch))));
      }
    }
    if (histograms.size > 0 && now - histograms.startMs >= config.metricIntervalMs) {
      const window = histograms.drain(now);
      waitUntil(post(config.metricsUrl, encodeHistograms(resource, { ...window, endMs: now })));
    }
  };

  return {
    enabled: true,
    startRequest(name, kind, incoming, waitUntil) {
      const parent = parseTraceparent(incoming);
      const traceId = parent?.traceId ?? newTraceId();
      const sampled = shouldSample(config.sampler, traceId, parent);
      const trace = new RequestTrace(
        traceId,
        sampled,
        deps.now,
        (done) => {
          if (done.root !== undefined) histograms.recordRoot(done.root);
          if (done.sampled) {
            if (spans.length === 0) oldest = deps.now();
            for (const s of done.finished) spans.push(s);
          }
          flush(waitUntil);
        },
        newSpanId(),
      );
      const root = new RecordingSpan(trace, name, kind, parent?.spanId);
      trace.rootSpanId = root.spanId;
      return root;
    },
    outbound(span, target) {
      return propagates(config.propagation, target) ? span.traceparent() : undefined;
    },
  };
}
