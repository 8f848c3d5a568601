import { describe, expect, it } from "vitest";
import { hasToolCalls, parseAnswer, serialiseAnswer } from "../../../src/cache/answer";
import { decisionConfigFor, effectiveCacheConfig } from "../../../src/cache/config";
import { DEFAULT_CACHE_DECISION, decideHit } from "../../../src/cache/decision";
import { bypassReason } from "../../../src/cache/eligibility";
import { MAX_ANSWER_BYTES } from "../../../src/cache/types";
import { evictionTarget } from "../../../src/cache/upstash";
import { cosineFromUpstashScore } from "../../../src/cache/vector";
import type { ChatRequest, ChatResponse } from "../../../src/canonical/chat";
import { hitPrice, holdPricePerMtok } from "../../../src/gateway/cache-hit";
import { tokenCost } from "../../../src/ledger/pricing";
import type { CacheConfig, RouteConfig, TenantConfig } from "../../../src/policy/types";

const cfg: CacheConfig = {
  mode: "on",
  exact: true,
  semantic: true,
  ttl_s: 60,
  max_entries: 100,
  hit_price_ppm: 0,
  max_temperature: 1,
  cache_tool_calls: false,
};
const req = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});

describe("cache policy rules", () => {
  it("merges tenant overrides over the route, and mode off means no cache", () => {
    const route = { cache: cfg } as RouteConfig;
    const tenant = (cache: Partial<CacheConfig>) => ({ cache }) as TenantConfig;
    expect(effectiveCacheConfig(route, tenant({}))).toEqual(cfg);
    expect(effectiveCacheConfig(route, tenant({ hit_price_ppm: 5, threshold: 0.9 }))).toEqual({
      ...cfg,
      hit_price_ppm: 5,
      threshold: 0.9,
    });
    expect(effectiveCacheConfig(route, tenant({ mode: "off" }))).toBeUndefined();
    expect(
      effectiveCacheConfig({ cache: { ...cfg, mode: "off" } } as RouteConfig, tenant({ mode: "shadow" }))?.mode,
    ).toBe("shadow");
  });

  it("without a threshold uses the calibrated decision; a policy threshold is plain cosine plus the hard vetoes", () => {
    expect(decisionConfigFor(cfg)).toBe(DEFAULT_CACHE_DECISION);
    const plain = decisionConfigFor({ ...cfg, threshold: 0.9 });
    expect(decideHit("reset my password please", "reset my password now", 0.9, plain).hit).toBe(true);
    expect(decideHit("reset my password please", "reset my password now", 0.8999, plain).hit).toBe(false);
    expect(decideHit("flights to Paris in May", "flights to Rome in May", 0.99, plain).reason).toMatch(/^veto:/);
  });

  it.each([
    [{}, {}, undefined],
    [{ "cache-control": "no-store" }, {}, "no-store"],
    [{ "cache-control": "max-age=0, No-Store" }, {}, "no-store"],
    [{ "cache-control": "no-cache" }, {}, undefined],
    [{ "x-gateway-cache": "bypass" }, {}, "no-store"],
    [{}, { temperature: 1.2 }, "temperature"],
    [{}, { temperature: 1 }, undefined],
    [{}, { logprobs: true }, "logprobs"],
  ] as const)("bypass reason for headers %j and request %j is %s", (headers, extra, reason) => {
    expect(bypassReason(req(extra), new Headers(headers), cfg)).toBe(reason);
  });

  it("treats a missing temperature as the provider default 1", () => {
    expect(bypassReason(req(), undefined, { ...cfg, max_temperature: 0.5 })).toBe("temperature");
    expect(bypassReason(req({ temperature: 0.5 }), undefined, { ...cfg, max_temperature: 0.5 })).toBeUndefined();
  });

  it("prices hits in integer micro-credits, rounded up, and holds at least the price", () => {
    expect(hitPrice(1000, 500_000)).toBe(500);
    expect(hitPrice(1001, 500_000)).toBe(501);
    expect(hitPrice(7, 1)).toBe(1);
    expect(hitPrice(1000, 0)).toBe(0);
    expect(hitPrice(0, 1_000_000)).toBe(0);
    expect(hitPrice(Number.MAX_SAFE_INTEGER, 1_000_000)).toBe(Number.MAX_SAFE_INTEGER);
    for (const [price, tokens] of [
      [1, 20],
      [500, 37],
      [123_456, 999],
      [10, 3_000_000],
    ] as const) {
      const held = tokenCost(tokens, holdPricePerMtok(price, tokens));
      expect(held).toBeGreaterThanOrEqual(price);
      // Over by at most one micro-credit per million prompt tokens (the per-token price is rounded up).
      expect(held - price).toBeLessThanOrEqual(Math.ceil(tokens / 1_000_000) + 1);
    }
    expect(holdPricePerMtok(0, 10)).toBe(0);
  });

  it("Upstash eviction empties small caches to max_entries and large ones to 90%", () => {
    expect(evictionTarget(1)).toBe(1);
    expect(evictionTarget(19)).toBe(19);
    expect(evictionTarget(100)).toBe(90);
    expect(evictionTarget(10_000)).toBe(9_000);
  });

  it("converts Upstash's COSINE score (1 + cos) / 2 to plain cosine", () => {
    expect(cosineFromUpstashScore(1)).toBe(1);
    expect(cosineFromUpstashScore(0.96)).toBeCloseTo(0.92, 10);
    expect(cosineFromUpstashScore(0.5)).toBe(0);
    expect(cosineFromUpstashScore(0)).toBe(-1);
    expect(cosineFromUpstashScore(1.0000001)).toBe(1);
  });

  it("stores answers up to the size limit and reads them back through the upstream parser", () => {
    const response: ChatResponse = {
      id: "a",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
    };
    const text = serialiseAnswer(response);
    expect(text).toBeDefined();
    expect(parseAnswer(text ?? "", "fallback")).toEqual(response);
    expect(parseAnswer("{not json", "m")).toBeUndefined();
    expect(parseAnswer('{"choices": "nope"}', "m")).toBeUndefined();
    const big = {
      ...response,
      choices: [{ ...response.choices[0], message: { role: "assistant", content: "x".repeat(MAX_ANSWER_BYTES) } }],
    };
    expect(serialiseAnswer(big as ChatResponse)).toBeUndefined();
    expect(hasToolCalls(response)).toBe(false);
    expect(
      hasToolCalls({ ...response, choices: [{ ...response.choices[0], finish_reason: "tool_calls" }] } as ChatResponse),
    ).toBe(true);
  });
});
