import { seededRandom } from "../../scripts/eval/random";
import type { UsageEvent } from "../../src/ledger/types";

const FEATURES = ["search", "chat", "summarize", undefined];
const MODELS: [string, string][] = [
  ["small", "openai"],
  ["large", "anthropic"],
  ["gemini", "gemini"],
];
const REFUSALS: [string, number][] = [
  ["insufficient_credits", 402],
  ["rate_limited", 429],
  ["task_budget_exceeded", 429],
  ["model_not_allowed", 403],
];

/**
 * A seeded mixed run of usage events across the last `spanMs` before `end`: successes, upstream errors, refusals of
 * every kind, cache hits and shadow hits, retries, fallbacks, routing tiers and escalations, tool calls, tasks.
 */
export function mixedEvents(seed: number, count: number, end: number, spanMs = 3 * 3_600_000): UsageEvent[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: UsageEvent[] = [];
  for (let i = 0; i < count; i++) {
    const [model, provider] = pick(MODELS);
    const at = end - 1 - Math.floor(rnd() * spanMs);
    const e: UsageEvent = {
      requestId: `req_${seed}_${i}`,
      at,
      tenantId: "t",
      keyId: pick(["key-a", "key-b", "jwt:alice"]),
      inputTokens: 10 + Math.floor(rnd() * 2000),
      outputTokens: Math.floor(rnd() * 800),
      cost: Math.floor(rnd() * 50_000),
      cache: pick(["none", "miss", "miss", "hit", "shadow", "bypass"] as const),
      latencyMs: Math.round(5 + rnd() ** 3 * 9000),
      status: 200,
      policyVersion: "sha256:test",
      flags: [],
      route: "auto",
      model,
      provider,
    };
    const feature = pick(FEATURES);
    if (feature !== undefined) e.feature = feature;
    if (rnd() < 0.6) e.taskId = `task-${Math.floor(rnd() * (count / 6))}`;
    const roll = rnd();
    if (roll < 0.12) {
      const [code, status] = pick(REFUSALS);
      Object.assign(e, { status, cost: 0, inputTokens: 0, outputTokens: 0, cache: "none", flags: [`refused:${code}`] });
    } else if (roll < 0.18) {
      Object.assign(e, { status: pick([502, 504]), cost: 0, outputTokens: 0 });
    } else if (roll < 0.26) {
      e.tool = {
        name: "local_search",
        decision: pick(["executed", "executed", "refused", "failed"] as const),
        argsSha256: "0".repeat(64),
        toolStatus: 200,
        bytes: 100,
        origin: "loop",
      };
      e.cost = 1000;
    }
    if (e.tool === undefined && e.status === 200) {
      e.attempts = pick([1, 1, 1, 2, 3]);
      if (rnd() < 0.15) e.fallback = true;
      if (rnd() < 0.3) e.cachedTokens = Math.floor(rnd() * 500);
      if (rnd() < 0.5) {
        const tier = pick(["cheap", "cheap", "premium"] as const);
        e.routing = { decidedBy: "router", tier };
        if (rnd() < 0.2) e.routing.escalated = true;
        // A cascade after the router keeps its verdict; odd ids are the router's, even ids the rules' (no draw).
        if (i % 2 === 1) e.routing.router = { tier, decidedBy: "router", ...(i % 3 === 0 ? { shadow: true } : {}) };
      }
    }
    out.push(e);
  }
  return out;
}

/** Totals computed straight from raw events, independently of the rollup code. */
export function rawTotals(events: readonly UsageEvent[]) {
  const calls = events.filter((e) => e.tool === undefined);
  const errorsByCode: Record<string, number> = {};
  for (const e of calls) {
    if (e.status < 400) continue;
    const code = e.flags.find((f) => f.startsWith("refused:"))?.slice(8) ?? `http_${e.status}`;
    errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
  }
  const sum = (xs: readonly UsageEvent[], f: (e: UsageEvent) => number) => xs.reduce((n, e) => n + f(e), 0);
  const answered = calls.filter((e) => !e.flags.some((f) => f.startsWith("refused:")));
  return {
    requests: calls.length,
    successes: calls.filter((e) => e.status < 400).length,
    errors: calls.filter((e) => e.status >= 400).length,
    errors_by_code: errorsByCode,
    cost: sum(events, (e) => e.cost),
    input_tokens: sum(calls, (e) => e.inputTokens),
    output_tokens: sum(calls, (e) => e.outputTokens),
    cached_tokens: sum(calls, (e) => e.cachedTokens ?? 0),
    cache_hits: calls.filter((e) => e.cache === "hit").length,
    cache_shadow_hits: calls.filter((e) => e.cache === "shadow").length,
    fallbacks: calls.filter((e) => e.fallback === true).length,
    retried: calls.filter((e) => (e.attempts ?? 1) > 1).length,
    premium: calls.filter((e) => e.routing?.tier === "premium").length,
    tiered: calls.filter((e) => e.routing?.tier !== undefined).length,
    escalations: calls.filter((e) => e.routing?.escalated === true).length,
    routed_by_router: calls.filter((e) => e.routing?.router !== undefined && e.routing.router.shadow !== true).length,
    tool_calls: events.length - calls.length,
    refused_402: calls.filter((e) => e.status === 402).length,
    refused_429: calls.filter((e) => e.status === 429).length,
    latencies: answered.map((e) => e.latencyMs).sort((a, b) => a - b),
  };
}

/** The exact q-quantile of sorted values (nearest rank). */
export function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
