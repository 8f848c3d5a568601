import { describe, expect, it } from "vitest";
import { type CacheDecisionConfig, plainCosineConfig } from "../../../src/cache/decision/config";
import { CacheDecisionConfigSchema } from "../../../src/cache/decision/config-schema";
import { decideHit } from "../../../src/cache/decision/decide-hit";
import { DEFAULT_CACHE_DECISION } from "../../../src/cache/decision/defaults";
import { decisionScore } from "../../../src/cache/decision/score";
import { analyseText } from "../../../src/cache/decision/text-features";

const plain = plainCosineConfig(0.9);
const base: CacheDecisionConfig = { ...plain, threshold: 0.9 };

describe("decideHit with a plain cosine threshold", () => {
  describe.each<[number, boolean]>([
    [0.95, true],
    [0.9, true],
    [0.8999, false],
    [-1, false],
  ])("cosine %d", (cosine, hit) => {
    it(`${hit ? "hits" : "misses"} and reports the cosine as the score`, () => {
      const d = decideHit("How do I learn Python?", "How can I learn Python?", cosine, plain);
      expect(d).toEqual({ hit, reason: hit ? "hit" : "below-threshold", score: cosine });
    });
  });

  it("treats the threshold as plain cosine, not Upstash's (1 + cos) / 2", () => {
    // cos 0.85 is 0.925 on Upstash's scale: it must not pass a 0.9 cosine threshold.
    expect(decideHit("a b", "a b", 0.85, plain).hit).toBe(false);
  });

  it("misses on a non-finite cosine", () => {
    for (const c of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(decideHit("x", "x", c, plain)).toEqual({
        hit: false,
        reason: "below-min-cosine",
        score: Number.NEGATIVE_INFINITY,
      });
    }
  });

  it("handles empty texts", () => {
    expect(decideHit("", "", 1, plain).hit).toBe(true);
    expect(decideHit("", "", 1, { ...plain, blend: { overlap: 0.5, length: 0.1 } }).hit).toBe(true);
  });
});

describe("decideHit with vetoes", () => {
  const config: CacheDecisionConfig = { ...base, vetoes: ["negation", "numbers"] };

  it("names the first veto that fires, in config order, only when the pair would otherwise hit", () => {
    const q = "Why don't 3 cats purr?";
    const c = "Why do 4 cats purr?";
    expect(decideHit(q, c, 0.99, config).reason).toBe("veto:negation");
    expect(decideHit(q, c, 0.99, { ...config, vetoes: ["numbers", "negation"] }).reason).toBe("veto:numbers");
    expect(decideHit(q, c, 0.5, config).reason).toBe("below-threshold");
  });

  it("keeps the score when vetoing, for shadow-mode reports", () => {
    expect(decideHit("Is 5 ok?", "Is 6 ok?", 0.97, config)).toEqual({
      hit: false,
      reason: "veto:numbers",
      score: 0.97,
    });
  });

  it("lets a pair through when no enabled veto fires", () => {
    expect(decideHit("Is 5 ok?", "Is 6 ok?", 0.97, { ...config, vetoes: ["negation"] }).hit).toBe(true);
  });
});

describe("decideHit with penalties, blend and a cosine floor", () => {
  it("subtracts a penalty when its check fires, so only a closer pair still hits", () => {
    const config: CacheDecisionConfig = { ...base, penalties: { negation: 0.05 } };
    const d = decideHit("Why do cats purr?", "Why don't cats purr?", 0.93, config);
    expect(d.hit).toBe(false);
    expect(d.score).toBeCloseTo(0.88, 12);
    expect(decideHit("Why do cats purr?", "Why don't cats purr?", 0.96, config).hit).toBe(true);
    expect(decideHit("Why do cats purr?", "Why do cats purr?", 0.93, config).score).toBe(0.93);
  });

  it("blends cosine with content-word overlap", () => {
    const config: CacheDecisionConfig = { ...base, blend: { overlap: 0.5, length: 0 } };
    // Same content words: jaccard 1 lifts a 0.85 cosine to 0.925.
    expect(decideHit("How do I cook rice?", "How can I cook rice", 0.85, config)).toMatchObject({ hit: true });
    expect(decideHit("How do I cook rice?", "How can I cook rice", 0.85, config).score).toBeCloseTo(0.925, 12);
    // Disjoint content words: jaccard 0 halves it.
    expect(decideHit("cook rice", "bake bread", 0.85, config).score).toBeCloseTo(0.425, 12);
  });

  it("penalises a length mismatch by |ln(words ratio)|", () => {
    const config: CacheDecisionConfig = { ...base, blend: { overlap: 0, length: 0.1 } };
    const d = decideHit("one two three", "one two three four five six seven", 0.95, config);
    expect(d.score).toBeCloseTo(0.95 - 0.1 * Math.log(8 / 4), 12);
    expect(d.hit).toBe(false);
  });

  it("never hits below minCosine, whatever the overlap", () => {
    const config: CacheDecisionConfig = { ...base, threshold: 0.5, minCosine: 0.7, blend: { overlap: 0.9, length: 0 } };
    expect(decideHit("cook rice", "cook rice", 0.6, config)).toMatchObject({ hit: false, reason: "below-min-cosine" });
    expect(decideHit("cook rice", "cook rice", 0.7, config).hit).toBe(true);
  });

  it("gives the same answer for pre-analysed texts", () => {
    const q = "What do people in Denver think of Seattle?";
    const c = "What do people in Seattle think of Denver?";
    const fromText = decideHit(q, c, 0.99, DEFAULT_CACHE_DECISION);
    expect(decideHit(analyseText(q), analyseText(c), 0.99, DEFAULT_CACHE_DECISION)).toEqual(fromText);
    expect(fromText.reason).toBe("veto:entity-order");
  });

  it("scores symmetrically", () => {
    const a = analyseText("Why don't cats purr loudly at night?");
    const b = analyseText("Why do cats purr?");
    expect(decisionScore(a, b, 0.9, DEFAULT_CACHE_DECISION)).toBe(decisionScore(b, a, 0.9, DEFAULT_CACHE_DECISION));
  });
});

describe("the shipped default", () => {
  it("hits a close paraphrase and refuses close pairs that ask something else", () => {
    const hit = (q: string, c: string, cosine: number) => decideHit(q, c, cosine, DEFAULT_CACHE_DECISION);
    expect(hit("How do I improve my writing skills?", "How do I improve my writing?", 0.964).hit).toBe(true);
    expect(
      hit("What are the amazing facts about Windows 8?", "What are some amazing facts about Windows 10?", 0.971),
    ).toMatchObject({ hit: false, reason: "veto:numbers" });
    expect(
      hit("How do you remove spray paint from glass?", "How do you remove spray paint from concrete?", 0.99),
    ).toMatchObject({ hit: false, reason: "veto:substitution" });
    expect(hit("What is the best phone?", "What is the worst phone?", 0.98)).toMatchObject({ hit: false });
  });

  it("is a valid config: a finite threshold and known weights", () => {
    // Written as a policy file would write it, the default passes the policy's own schema unchanged.
    const d = DEFAULT_CACHE_DECISION;
    const asPolicy = { threshold: d.threshold, min_cosine: d.minCosine, vetoes: d.vetoes, penalties: d.penalties };
    expect(CacheDecisionConfigSchema.parse({ ...asPolicy, blend: d.blend })).toEqual(d);
    expect(Number.isFinite(DEFAULT_CACHE_DECISION.threshold)).toBe(true);
    expect(DEFAULT_CACHE_DECISION.blend.overlap).toBeGreaterThanOrEqual(0);
    expect(DEFAULT_CACHE_DECISION.blend.overlap).toBeLessThanOrEqual(1);
  });
});
