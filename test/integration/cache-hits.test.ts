import { describe, expect, it } from "vitest";
import {
  ask,
  CACHE_BACKENDS,
  caller,
  chat,
  contentOf,
  nonce,
  STORE_DOWN_ENV,
  upstreamChats,
  usageOf,
} from "./cache/helpers";

// Route `cached` (test/fixtures/policies/cache.yaml): mode on, exact then semantic (calibrated decision), embeddings
// from the fake upstream through `m-embed`. c-chat costs 1 micro-credit per input token and 2 per output token.

describe.each(CACHE_BACKENDS)("response cache hits (%s)", (backend) => {
  it("answers a repeated request from the cache: no upstream call, hit headers, same answer", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = ask("cached", `How do I reset my account password quickly ${n}`);
    const first = await chat(backend, who, body);
    expect(first.res.status).toBe(200);
    expect(first.cache).toBe("miss");
    const second = await chat(backend, who, body);
    expect(second.res.status).toBe(200);
    expect(second.cache).toBe("hit");
    expect(second.res.headers.get("x-gateway-cache-score")).toBe("1.0000");
    expect(Number(second.res.headers.get("x-gateway-cache-age"))).toBeGreaterThanOrEqual(0);
    expect(second.res.headers.get("x-gateway-provider")).toBe("cache");
    expect(contentOf(second)).toBe(contentOf(first));
    const ids = [first, second].map((a) => (a.json() as { id: string }).id);
    expect(ids[1]).not.toBe(ids[0]);
    expect(await upstreamChats(n)).toBe(1);
  });

  it("serves a paraphrase from the semantic cache, and not a prompt that asks something else", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const original = await chat(
      backend,
      who,
      ask("cached", `Explain how photosynthesis works in simple terms for a child ${n}`),
    );
    expect(original.cache).toBe("miss");
    const paraphrase = await chat(
      backend,
      who,
      ask("cached", `Please explain how photosynthesis works in simple terms for a child ${n}`),
    );
    expect(paraphrase.cache).toBe("hit");
    expect(Number(paraphrase.res.headers.get("x-gateway-cache-score"))).toBeLessThan(1);
    expect(contentOf(paraphrase)).toBe(contentOf(original));
    const other = await chat(
      backend,
      who,
      ask("cached", `Explain how volcanoes erupt in simple terms for a child ${n}`),
    );
    expect(other.cache).toBe("miss");
    expect(await upstreamChats(n)).toBe(2);
  });

  it("bills a hit at hit_price_ppm of the original cost, with a usage event marked as a hit", async () => {
    const who = await caller("t-cache-priced");
    const n = nonce();
    const body = ask("cached", `What are the opening hours of the city library ${n}`);
    const miss = await chat(backend, who, body);
    const missUsage = await usageOf(who, miss.requestId);
    expect(missUsage?.cache).toBe("miss");
    const original = Number(miss.res.headers.get("x-gateway-cost"));
    expect(original).toBeGreaterThan(0);
    expect(missUsage?.cost).toBe(original);

    const hit = await chat(backend, who, body);
    expect(hit.cache).toBe("hit");
    // t-cache-priced: hit_price_ppm 500000, rounded up.
    const price = Math.ceil(original / 2);
    expect(Number(hit.res.headers.get("x-gateway-cost"))).toBe(price);
    const usage = await usageOf(who, hit.requestId);
    expect(usage).toMatchObject({ cache: "hit", cost: price, inputTokens: 0, outputTokens: 0, status: 200 });
    expect(usage?.flags).toContain("cache_hit");
    expect(usage?.provider).toBe("cache");
  });

  it("a free hit (hit_price_ppm 0, the default) costs nothing", async () => {
    const who = await caller("t-cache-a");
    const body = ask("cached", `List three uses of baking soda around the house ${nonce()}`);
    await chat(backend, who, body);
    const hit = await chat(backend, who, body);
    expect(hit.cache).toBe("hit");
    expect(hit.res.headers.get("x-gateway-cost")).toBe("0");
    expect((await usageOf(who, hit.requestId))?.cost).toBe(0);
  });

  it("a policy threshold is plain cosine: 0.98 refuses the paraphrase the calibrated decision serves", async () => {
    const who = await caller("t-cache-priced");
    const n = nonce();
    await chat(backend, who, ask("cached", `Explain how photosynthesis works in simple terms for a child ${n}`));
    const paraphrase = await chat(
      backend,
      who,
      ask("cached", `Please explain how photosynthesis works in simple terms for a child ${n}`),
    );
    expect(paraphrase.cache).toBe("miss");
    // Same words, other case and punctuation: cosine 1 under the fake's lexical embeddings, a different exact key.
    const recased = await chat(
      backend,
      who,
      ask("cached", `explain how photosynthesis works in simple terms for a child ${n}?`),
    );
    expect(recased.cache).toBe("hit");
  });

  it("still refuses a hit the caller cannot pay for", async () => {
    const who = await caller("t-cache-small", 0);
    const funded = await caller("t-cache-small");
    const body = ask("cached", `Name the planets of the solar system in order ${nonce()}`, { temperature: 0.2 });
    expect((await chat(backend, funded, body)).cache).toBe("miss");
    const refused = await chat(backend, who, body);
    expect(refused.res.status).toBe(402);
  });
});

describe("response cache with its store down", () => {
  it("bypasses the cache and serves the request from the model", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = ask("cached", `How many bones are in the human hand ${n}`);
    const first = await chat(STORE_DOWN_ENV, who, body);
    expect(first.res.status).toBe(200);
    expect(first.cache).toBe("bypass");
    expect(contentOf(first)).toContain("echo:");
    const second = await chat(STORE_DOWN_ENV, who, body);
    expect(second.res.status).toBe(200);
    expect(second.cache).toBe("bypass");
    expect(await upstreamChats(n)).toBe(2);
    expect((await usageOf(who, second.requestId))?.cache).toBe("bypass");
  });
});
