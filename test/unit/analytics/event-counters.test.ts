import { describe, expect, it } from "vitest";
import { eventCounters } from "../../../src/analytics/event-counters";
import type { UsageEvent } from "../../../src/ledger/types";

const base: UsageEvent = {
  requestId: "r",
  at: 0,
  tenantId: "t",
  keyId: "k",
  inputTokens: 10,
  outputTokens: 5,
  cost: 100,
  cache: "none",
  latencyMs: 2,
  status: 200,
  policyVersion: "v",
  flags: [],
};

describe.each<[string, Partial<UsageEvent>, Record<string, number>]>([
  ["a success", {}, { requests: 1, successes: 1, cost: 100, input_tokens: 10, output_tokens: 5, "lat.8": 1 }],
  [
    "a credit refusal (402): a budget stop, no latency sample",
    { status: 402, cost: 0, inputTokens: 0, outputTokens: 0, flags: ["refused:insufficient_credits"] },
    { requests: 1, errors: 1, "err.insufficient_credits": 1, refusals: 1, refused_402: 1, budget_stops: 1 },
  ],
  [
    "a rate limit (429) is not a budget stop",
    { status: 429, cost: 0, inputTokens: 0, outputTokens: 0, flags: ["refused:rate_limited"] },
    { requests: 1, errors: 1, "err.rate_limited": 1, refusals: 1, refused_429: 1 },
  ],
  [
    "an upstream failure after admission",
    { status: 502, cost: 0, outputTokens: 0 },
    { requests: 1, errors: 1, "err.http_502": 1, input_tokens: 10, "lat.8": 1 },
  ],
  [
    "a retried fallback on the premium tier, escalated, with a shadow hit and cached tokens",
    {
      attempts: 3,
      fallback: true,
      cache: "shadow",
      cachedTokens: 4,
      routing: {
        decidedBy: "cascade",
        tier: "premium",
        escalated: true,
        score: 0.2,
        router: { tier: "cheap", decidedBy: "router" },
        cascade: { verdict: "escalated", signal: "verifier", confidence: 0.1 },
      },
    },
    {
      requests: 1,
      successes: 1,
      cost: 100,
      input_tokens: 10,
      output_tokens: 5,
      cached_tokens: 4,
      cache_shadow_hits: 1,
      fallbacks: 1,
      retried: 1,
      extra_attempts: 2,
      tiered: 1,
      premium: 1,
      escalations: 1,
      routed_by_router: 1,
      "lat.8": 1,
    },
  ],
  [
    "a refused tool call: a tool call, not a request",
    {
      cost: 0,
      tool: { name: "x", decision: "refused", argsSha256: "", toolStatus: 0, bytes: 0, origin: "invoke" },
    },
    { tool_calls: 1, tool_refused: 1 },
  ],
])("eventCounters: %s", (_name, patch, expected) => {
  it("counts exactly these", () => {
    expect(eventCounters({ ...base, ...patch })).toEqual(expected);
  });
});
