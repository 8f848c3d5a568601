import { quantile } from "./latency";
import type { Counters } from "./types";

export interface Metrics {
  requests: number;
  successes: number;
  errors: number;
  errors_by_code: Record<string, number>;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  /** Micro-credits. */
  cost: number;
  cache_hits: number;
  cache_shadow_hits: number;
  /** Share of requests answered from the cache; shadow: share that the cache would have answered. */
  cache_hit_rate: number | null;
  shadow_hit_rate: number | null;
  fallbacks: number;
  fallback_rate: number | null;
  /** Requests that made more than one upstream call; extra_attempts: the calls beyond the first. */
  retried: number;
  retry_rate: number | null;
  extra_attempts: number;
  escalations: number;
  spillovers: number;
  /** Calls whose tier the learned router chose (mode on), cascades and capped requests included. */
  routed_by_router: number;
  /** Requests whose routing chose a tier, and the premium ones among them. */
  tiered: number;
  premium: number;
  premium_share: number | null;
  tool_calls: number;
  tool_refused: number;
  tool_failed: number;
  refusals: number;
  refused_402: number;
  refused_429: number;
  budget_stops: number;
  batch: number;
  /** Latency percentiles (ms) of answered requests: upper bounds of fixed log buckets (at most ~9% high). */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

export function latencyHistogram(c: Counters): Map<number, number> {
  const h = new Map<number, number>();
  for (const [name, n] of Object.entries(c)) if (name.startsWith("lat.")) h.set(Number(name.slice(4)), n);
  return h;
}

export function metrics(c: Counters): Metrics {
  const n = (name: string) => c[name] ?? 0;
  const requests = n("requests");
  const errorsByCode: Record<string, number> = {};
  for (const [name, count] of Object.entries(c)) if (name.startsWith("err.")) errorsByCode[name.slice(4)] = count;
  const h = latencyHistogram(c);
  return {
    requests,
    successes: n("successes"),
    errors: n("errors"),
    errors_by_code: errorsByCode,
    input_tokens: n("input_tokens"),
    output_tokens: n("output_tokens"),
    cached_tokens: n("cached_tokens"),
    cost: n("cost"),
    cache_hits: n("cache_hits"),
    cache_shadow_hits: n("cache_shadow_hits"),
    cache_hit_rate: ratio(n("cache_hits"), requests),
    shadow_hit_rate: ratio(n("cache_shadow_hits"), requests),
    fallbacks: n("fallbacks"),
    fallback_rate: ratio(n("fallbacks"), requests),
    retried: n("retried"),
    retry_rate: ratio(n("retried"), requests),
    extra_attempts: n("extra_attempts"),
    escalations: n("escalations"),
    spillovers: n("spillovers"),
    routed_by_router: n("routed_by_router"),
    tiered: n("tiered"),
    premium: n("premium"),
    premium_share: ratio(n("premium"), n("tiered")),
    tool_calls: n("tool_calls"),
    tool_refused: n("tool_refused"),
    tool_failed: n("tool_failed"),
    refusals: n("refusals"),
    refused_402: n("refused_402"),
    refused_429: n("refused_429"),
    budget_stops: n("budget_stops"),
    batch: n("batch"),
    p50_ms: quantile(h, 0.5),
    p95_ms: quantile(h, 0.95),
    p99_ms: quantile(h, 0.99),
  };
}
